-- date_time: LPeg grammars for the timestamp formats found in logs, and the
-- conversion of their captures to nanoseconds since the Unix epoch.
--
-- hekad's implementation of Heka's lua_modules/date_time.lua, with the same
-- names and capture tables. A timestamp grammar captures a table with string
-- parts (year, month, day, hour, min, sec), the number sec_frac when the
-- input has a fraction of a second, and offset_sign (string), offset_hour and
-- offset_min (numbers) when it has a time zone; time_to_ns turns such a
-- table into nanoseconds. Times without a zone are taken as UTC (the zone of
-- hekad's sandbox).
--
-- Example:
--   local dt = require "date_time"
--   local t = dt.rfc3339:match("1999-05-05T23:23:59.217-07:00")
--   -- t = {year="1999", month="05", day="05", hour="23", min="23",
--   --      sec="59", sec_frac=0.217, offset_sign="-", offset_hour=7,
--   --      offset_min=0}
--   local ns = dt.time_to_ns(t) -- 925971839217000000

local lpeg = require "lpeg"
local os = require "os"
local string = require "string"
local math = require "math"
local table = require "table"

local P, R, S, C, Cc, Cg, Ct = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cg, lpeg.Ct
local tonumber, type, error, ipairs = tonumber, type, error, ipairs
local floor = math.floor

local M = {}

local digit = R"09"
local alpha = R("az", "AZ")
local space = S" \t\n\v\f\r"

-- named captures a table of parts is made of
local function part(patt, name) return Cg(C(patt), name) end

-- Returns the number of days from 1970-01-01 to the given civil date of the
-- proleptic Gregorian calendar; month may lie outside 1..12 and day outside
-- the month (they carry over as in mktime).
local function days_since_epoch(y, m, d)
    y = y + floor((m - 1) / 12)
    m = (m - 1) % 12 + 1
    if m <= 2 then y = y - 1 end
    local era = floor(y / 400)
    local yoe = y - era * 400
    local mp = (m + 9) % 12 -- March is 0
    local doy = floor((153 * mp + 2) / 5) + d - 1
    local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
    return era * 146097 + doe - 719468
end

-- days_since_epoch of the last date converted: the lines of a log mostly
-- share their date, and the calendar arithmetic is a good part of a
-- conversion's cost.
local last_y, last_m, last_d, last_days

local function days_since_epoch_cached(y, m, d)
    if y ~= last_y or m ~= last_m or d ~= last_d then
        last_y, last_m, last_d, last_days = y, m, d, days_since_epoch(y, m, d)
    end
    return last_days
end

local function field(t, k, default)
    local v = t[k]
    if v == nil then return default end
    return tonumber(v)
end

--[[ Conversions ]]

-- time_to_ns converts a table captured by one of the timestamp grammars to
-- nanoseconds since the Unix epoch. A time_t part (strftime %s) is used as
-- is; otherwise the calendar parts are read (hour defaults to 12, min and sec
-- to 0, as os.time does), an AM/PM period applied, the fraction added and
-- the zone offset subtracted. Returns 0 for nil or a table without a
-- complete date.
function M.time_to_ns(t)
    if type(t) ~= "table" then return 0 end
    if t.time_t then return t.time_t * 1e9 end

    local zone = 0
    if t.offset_hour then
        zone = t.offset_hour * 3600 + (t.offset_min or 0) * 60
        if t.offset_sign == "+" then zone = -zone end
    end

    local year, month, day = field(t, "year"), field(t, "month"), field(t, "day")
    local hour, min, sec = field(t, "hour", 12), field(t, "min", 0), field(t, "sec", 0)
    if not (year and month and day and hour and min and sec) then return 0 end
    if t.period == "AM" then
        if hour == 12 then hour = 0 end
    elseif t.period == "PM" then
        if hour < 12 then hour = hour + 12 end
    end

    local secs = days_since_epoch_cached(year, month, day) * 86400 + hour * 3600 + min * 60 + sec
    return (secs + (t.sec_frac or 0) + zone) * 1e9
end

-- seconds_to_ns converts seconds (a number or a numeric string) to
-- nanoseconds.
function M.seconds_to_ns(sec)
    return tonumber(sec) * 1e9
end

--[[ Building blocks, each a named capture of one part ]]

M.date_fullyear = part(digit * digit * digit * digit, "year")
M.date_month    = part("0" * R"19" + "1" * R"02", "month")
M.date_mday     = part("0" * R"19" + R"12" * digit + "3" * R"01", "day")
M.date_mday_sp  = part(" " * R"19" + R"12" * digit + "3" * R"01", "day")
M.time_hour     = part(R"01" * digit + "2" * R"03", "hour")
M.time_minute   = part(R"05" * digit, "min")
M.time_second   = part(R"05" * digit + "60", "sec") -- 60: leap second
M.time_secfrac  = Cg(C("." * digit^1) / tonumber, "sec_frac")

local month_abbr = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
local month_full = {"January", "February", "March", "April", "May", "June", "July", "August",
                    "September", "October", "November", "December"}

-- month names capture the month number as a string ("1".."12")
local function months(names)
    local p = P(false)
    for i = 1, #names do
        p = p + P(names[i]) * Cc(string.format("%d", i))
    end
    return Cg(p, "month")
end
M.date_mabbr = months(month_abbr)
M.date_mfull = months(month_full)

local function zone(sign, hours)
    return Cg(Cc(sign), "offset_sign") * Cg(Cc(hours), "offset_hour") * Cg(Cc(0), "offset_min")
end

-- The North American zone names Heka knew; any other run of up to five
-- letters (including none) is taken as UTC.
local zone_names = {
    {"UTC", "+", 0}, {"PST", "-", 8}, {"PDT", "-", 7}, {"MST", "-", 7}, {"MDT", "-", 6},
    {"CST", "-", 6}, {"CDT", "-", 5}, {"EST", "-", 5}, {"EDT", "-", 4},
}
do
    local p = P(false)
    for _, z in ipairs(zone_names) do
        p = p + P(z[1]) * zone(z[2], z[3])
    end
    M.timezone = p + alpha^-5 * zone("+", 0)
end

local hour_number = (R"01" * digit + "2" * R"03") / tonumber
local minute_number = (R"05" * digit) / tonumber

-- +hhmm or -hhmm
M.timezone_offset = Cg(C(S"+-"), "offset_sign") * Cg(hour_number, "offset_hour")
                  * Cg(minute_number, "offset_min")

--[[ RFC 3339: 1999-05-05T23:23:59.217-07:00 ]]

M.rfc3339_time_numoffset = Cg(C(S"+-"), "offset_sign") * Cg(hour_number, "offset_hour")
                         * ":" * Cg(minute_number, "offset_min")
M.rfc3339_time_offset    = P"Z" + M.rfc3339_time_numoffset
M.rfc3339_partial_time   = M.time_hour * ":" * M.time_minute * ":" * M.time_second * M.time_secfrac^-1
M.rfc3339_full_date      = M.date_fullyear * "-" * M.date_month * "-" * M.date_mday
M.rfc3339_full_time      = M.rfc3339_partial_time * M.rfc3339_time_offset
M.rfc3339                = Ct(M.rfc3339_full_date * "T" * M.rfc3339_full_time)

--[[ strftime(3) conversions ]]

-- the first two digits of the current year, for %y
local function century()
    return string.sub(os.date("!%Y"), 1, 2)
end

local two_digit_year = Cg(C(digit * digit) / function(yy) return century() .. yy end, "year")
local hhmmss = M.time_hour * ":" * M.time_minute * ":" * M.time_second
local week_of_year = R"04" * digit + "5" * R"03"
local hour12 = part("0" * digit + "1" * R"02", "hour")
local mdy = M.date_month * "/" * M.date_mday * "/" * two_digit_year

local conversions = {
    ["%"] = P"%",
    a = P"Mon" + "Tue" + "Wed" + "Thu" + "Fri" + "Sat" + "Sun",
    A = P"Monday" + "Tuesday" + "Wednesday" + "Thursday" + "Friday" + "Saturday" + "Sunday",
    b = M.date_mabbr,
    B = M.date_mfull,
    C = digit * digit,
    d = M.date_mday,
    D = mdy,
    e = M.date_mday_sp,
    F = M.rfc3339_full_date,
    g = two_digit_year,
    G = M.date_fullyear,
    h = M.date_mabbr,
    H = M.time_hour,
    I = hour12,
    j = "00" * R"19" + "0" * digit * digit + S"12" * digit * digit + "3" * R"05" * digit + "36" * R"06",
    k = part(S" 1" * digit + "2" * R"03", "hour"),
    l = part(space * digit + "1" * R"02", "hour"),
    m = M.date_month,
    M = M.time_minute,
    n = P"\n",
    p = part(P"AM" + "PM", "period"),
    R = M.time_hour * ":" * M.time_minute,
    s = Cg(C(digit^1) / tonumber, "time_t"),
    S = part(R"05" * digit + "6" * S"01", "sec"),
    t = P"\t",
    T = hhmmss,
    u = R"17",
    U = week_of_year,
    V = week_of_year,
    w = R"06",
    W = week_of_year,
    y = two_digit_year,
    Y = M.date_fullyear,
    z = M.timezone_offset,
    Z = M.timezone,
}
conversions.r = hour12 * ":" * M.time_minute * ":" * M.time_second * " " * conversions.p
conversions.x = conversions.D
conversions.X = conversions.T
-- the C locale's %c: "Thu Mar  3 23:05:25 2005"
conversions.c = conversions.a * " " * M.date_mabbr * " " * M.date_mday_sp * " " * hhmmss
              * " " * M.date_fullyear

local function is_space(c)
    return c == " " or c == "\t" or c == "\n" or c == "\v" or c == "\f" or c == "\r"
end

local function is_alnum(c)
    return string.find(c, "^%w$") ~= nil
end

-- build_strftime_grammar returns a grammar matching the output of
-- strftime(3) with format, capturing a time table for time_to_ns. Each
-- white-space character of format matches one white-space character; other
-- characters match themselves. Raises an error for an unknown conversion or
-- an empty format.
function M.build_strftime_grammar(format)
    if type(format) ~= "string" or format == "" then
        error("could not parse the strftime format")
    end
    local g = P(true)
    local lit = {}
    local function flush()
        if #lit > 0 then
            g = g * P(table.concat(lit))
            lit = {}
        end
    end
    local i, n = 1, #format
    while i <= n do
        local c = string.sub(format, i, i)
        local nc = string.sub(format, i + 1, i + 1)
        if is_space(c) then
            flush()
            g = g * space
            i = i + 1
        elseif c == "%" and (nc == "%" or is_alnum(nc)) then
            flush()
            local conv = conversions[nc]
            if not conv then error("unknown strftime specifier: " .. nc) end
            g = g * conv
            i = i + 2
        else
            lit[#lit + 1] = c
            i = i + 1
        end
    end
    flush()
    return Ct(g)
end

--[[ Common Log Format: 10/Oct/2000:13:55:36 -0700 ]]

M.clf_timestamp = Ct(M.date_mday * "/" * M.date_mabbr * "/" * M.date_fullyear * ":" * hhmmss
                     * " " * M.timezone_offset)

--[[ RFC 3164 (BSD syslog): "Feb  5 17:32:18", in the current year ]]

-- one or more spaces between the parts, so a day written without padding
-- ("Feb 5") matches as well
M.rfc3164_timestamp = Ct(M.date_mabbr * P" "^1 * part(digit^-2, "day") * P" "^1 * hhmmss
                         * Cg(P(true) / function() return os.date("!%Y") end, "year"))

--[[ Database formats ]]

-- rsyslog's date-mysql: YYYYMMDDHHMMSS
M.mysql_timestamp = Ct(M.date_fullyear * M.date_month * M.date_mday * M.time_hour * M.time_minute
                       * M.time_second)

-- rsyslog's date-pgsql: YYYY-MM-DD HH:MM:SS
M.pgsql_timestamp = Ct(M.rfc3339_full_date * " " * hhmmss)

return M
