-- Tests of lua_modules/date_time.lua: each grammar on sample input ->
-- expected capture table, and time_to_ns of it -> expected nanoseconds.
local T = require "testlib"
local os = require "os"
local lpeg = require "lpeg" -- C LPeg defines the global lpeg itself
local before = T.globals()
local dt = require "date_time"
T.no_new_globals("require date_time", before)

local this_year = os.date("!%Y")
local century = string.sub(this_year, 1, 2)

-- grammar, input, expected table (false: no match), expected ns (nil: skip),
-- tolerance for ns (0: exact)
local cases = {
    {"rfc3339 offset frac", dt.rfc3339, "1999-05-05T23:23:59.217-07:00",
     {year = "1999", month = "05", day = "05", hour = "23", min = "23", sec = "59",
      sec_frac = 0.217, offset_sign = "-", offset_hour = 7, offset_min = 0},
     925971839217000000, 1000},
    {"rfc3339 Z", dt.rfc3339, "1985-04-12T23:20:50Z",
     {year = "1985", month = "04", day = "12", hour = "23", min = "20", sec = "50"},
     482196050e9, 0},
    {"rfc3339 negative offset", dt.rfc3339, "1996-12-19T16:39:57-08:00",
     {year = "1996", month = "12", day = "19", hour = "16", min = "39", sec = "57",
      offset_sign = "-", offset_hour = 8, offset_min = 0},
     851042397e9, 0},
    {"rfc3339 positive offset", dt.rfc3339, "2014-05-17T00:53:06+05:30",
     {year = "2014", month = "05", day = "17", hour = "00", min = "53", sec = "06",
      offset_sign = "+", offset_hour = 5, offset_min = 30},
     1400268186e9, 0},
    {"rfc3339 leap second", dt.rfc3339, "2016-12-31T23:59:60Z", nil, 1483228800e9, 0},
    {"rfc3339 before epoch", dt.rfc3339, "1969-12-31T23:59:59Z", nil, -1e9, 0},
    {"rfc3339 leap day", dt.rfc3339, "2000-02-29T00:00:00Z", nil, 951782400e9, 0},
    {"rfc3339 2100", dt.rfc3339, "2100-03-01T00:00:00Z", nil, 4107542400e9, 0},
    {"rfc3339 bad month", dt.rfc3339, "1999-13-05T23:23:59Z", false},
    {"rfc3339 space not T", dt.rfc3339, "1999-05-05 23:23:59Z", false},
    {"rfc3339 no zone", dt.rfc3339, "1999-05-05T23:23:59", false},
    {"rfc3339 garbage", dt.rfc3339, "garbage", false},
    {"rfc3339 empty", dt.rfc3339, "", false},

    {"clf", dt.clf_timestamp, "10/Oct/2014:13:55:36 -0700",
     {day = "10", month = "10", year = "2014", hour = "13", min = "55", sec = "36",
      offset_sign = "-", offset_hour = 7, offset_min = 0},
     1412974536e9, 0},
    {"clf utc", dt.clf_timestamp, "10/Oct/2014:13:55:36 +0000", nil, 1412949336e9, 0},
    {"clf bad month", dt.clf_timestamp, "10/Foo/2014:13:55:36 -0700", false},
    {"clf no zone", dt.clf_timestamp, "10/Oct/2014:13:55:36", false},

    {"rfc3164 padded day", dt.rfc3164_timestamp, "Feb  5 17:32:18",
     {month = "2", day = "5", hour = "17", min = "32", sec = "18", year = this_year}},
    {"rfc3164", dt.rfc3164_timestamp, "Oct 11 22:14:15",
     {month = "10", day = "11", hour = "22", min = "14", sec = "15", year = this_year}},
    {"rfc3164 buggy day", dt.rfc3164_timestamp, "Oct 1 22:14:15",
     {month = "10", day = "1", hour = "22", min = "14", sec = "15", year = this_year}},
    {"rfc3164 bad", dt.rfc3164_timestamp, "October 11 22:14:15", false},

    {"mysql", dt.mysql_timestamp, "20150102030405",
     {year = "2015", month = "01", day = "02", hour = "03", min = "04", sec = "05"},
     1420167845e9, 0},
    {"mysql short", dt.mysql_timestamp, "201501020304", false},
    {"pgsql", dt.pgsql_timestamp, "2015-01-02 03:04:05",
     {year = "2015", month = "01", day = "02", hour = "03", min = "04", sec = "05"},
     1420167845e9, 0},

    {"timezone_offset", lpeg.Ct(dt.timezone_offset), "+0530",
     {offset_sign = "+", offset_hour = 5, offset_min = 30}},
    {"timezone PST", lpeg.Ct(dt.timezone), "PST", {offset_sign = "-", offset_hour = 8, offset_min = 0}},
    {"timezone EDT", lpeg.Ct(dt.timezone), "EDT", {offset_sign = "-", offset_hour = 4, offset_min = 0}},
    {"timezone other", lpeg.Ct(dt.timezone), "CEST", {offset_sign = "+", offset_hour = 0, offset_min = 0}},
    {"date_mfull", lpeg.Ct(dt.date_mfull), "September", {month = "9"}},
    {"time_secfrac", lpeg.Ct(dt.time_secfrac), ".5", {sec_frac = 0.5}},
}

local function strf(fmt) return dt.build_strftime_grammar(fmt) end

local strftime_cases = {
    {"%Y-%m-%d %H:%M:%S", "2015-01-02 03:04:05",
     {year = "2015", month = "01", day = "02", hour = "03", min = "04", sec = "05"}, 1420167845e9},
    {"%a, %d %b %Y %T GMT", "Thu, 03 Mar 2005 23:05:25 GMT",
     {day = "03", month = "3", year = "2005", hour = "23", min = "05", sec = "25"}, 1109891125e9},
    {"%c", "Thu Mar  3 23:05:25 2005",
     {day = " 3", month = "3", year = "2005", hour = "23", min = "05", sec = "25"}, 1109891125e9},
    {"%s", "1400248386", {time_t = 1400248386}, 1400248386e9},
    {"%Y-%m-%d %I:%M:%S %p", "2015-01-02 03:04:05 PM",
     {year = "2015", month = "01", day = "02", hour = "03", min = "04", sec = "05", period = "PM"},
     1420211045e9},
    {"%Y-%m-%d %r", "2015-01-02 12:04:05 AM", nil, 1420156800e9 + 245e9},
    {"%Y-%m-%d %r", "2015-01-02 12:04:05 PM", nil, 1420156800e9 + 12 * 3600e9 + 245e9},
    {"%d/%b/%Y:%T %z", "16/May/2014:19:23:06 +0530", nil, 1400248386e9},
    {"%B %e, %Y", "March  1, 2015", {month = "3", day = " 1", year = "2015"}, 1425211200e9},
    {"%F %R", "2015-03-01 00:00", {year = "2015", month = "03", day = "01", hour = "00", min = "00"},
     1425168000e9},
    {"%D", "03/01/15", {month = "03", day = "01", year = century .. "15"}},
    {"%Y-%m-%d %H:%M:%S %Z", "2014-03-12 10:38:15 EDT", nil, 1394635095e9},
    {"%Y %j %U %u %w %W %V %C %G %g %h", "2015 060 09 7 0 08 09 20 2015 15 Mar", nil},
    {"%k|%l", " 7| 9", {hour = " 9"}},
    {"100%% %H", "100% 07", {hour = "07"}},
    {"%H%n%M%t%S", "07\n08\t09", {hour = "07", min = "08", sec = "09"}},
    {"%H %M", "07\t08", {hour = "07", min = "08"}}, -- a format space matches any one space
    {"%A %x %X", "Sunday 03/01/15 10:11:12",
     {month = "03", day = "01", year = century .. "15", hour = "10", min = "11", sec = "12"}},
    {"%Y-%m-%d", "2015-1-02", false},
    {"%H:%M", "24:00", false},
    {"%S", "61", {sec = "61"}},
}

for _, c in ipairs(cases) do
    local name, g, input, want, ns, tol = c[1], c[2], c[3], c[4], c[5], c[6]
    local got = g:match(input)
    if want == false then
        T.eq(name, got, nil)
    else
        if want ~= nil then T.eq(name, got, want) end
        if ns then
            if tol == 0 then
                T.eq(name .. " ns", dt.time_to_ns(got), ns)
            else
                T.near(name .. " ns", dt.time_to_ns(got), ns, tol)
            end
        end
    end
end

for _, c in ipairs(strftime_cases) do
    local fmt, input, want, ns = c[1], c[2], c[3], c[4]
    local got = strf(fmt):match(input)
    local name = "strftime " .. fmt
    if want == false then
        T.eq(name, got, nil)
    else
        if want then T.eq(name, got, want) else T.eq(name .. " matches", type(got), "table") end
        if ns then T.eq(name .. " ns", dt.time_to_ns(got), ns) end
    end
end

-- the grammar must match the whole timestamp, but leaves what follows
T.eq("strftime prefix", strf("%H:%M"):match("10:11 rest"), {hour = "10", min = "11"})

T.raises("unknown specifier", function() strf("%Y-%Q") end, "unknown strftime specifier: Q")
T.raises("empty format", function() strf("") end, "could not parse the strftime format")

T.eq("time_to_ns nil", dt.time_to_ns(nil), 0)
T.eq("time_to_ns no date", dt.time_to_ns({hour = "10"}), 0)
T.eq("time_to_ns numbers", dt.time_to_ns({year = 1970, month = 1, day = 2, hour = 0}), 86400e9)
T.eq("time_to_ns month carry", dt.time_to_ns({year = 2014, month = 13, day = 1, hour = 0}),
     dt.time_to_ns({year = 2015, month = 1, day = 1, hour = 0}))
T.eq("time_to_ns day carry", dt.time_to_ns({year = 2015, month = 2, day = 29, hour = 0}),
     1425168000e9)
T.eq("seconds_to_ns string", dt.seconds_to_ns("1.5"), 1.5e9)
T.eq("seconds_to_ns number", dt.seconds_to_ns(2), 2e9)

T.no_new_globals("after use", before)
T.done()
