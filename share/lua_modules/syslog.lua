-- syslog: grammars for syslog lines written by rsyslog, built from the
-- rsyslog template that wrote them. hekad's implementation of Heka's
-- lua_modules/syslog.lua, with the same functions, field names and value
-- types.
--
-- build_rsyslog_grammar(template) returns a grammar whose match gives a table
-- with one field per template property, named by the property in lower case
-- (%TIMESTAMP% and %timereported% as "timestamp"), or nil when a line does
-- not fit. Values:
--   timestamp, timegenerated  ns since the epoch; the property's date option
--                      picks the format: date-rfc3164 (the default),
--                      date-rfc3164-buggyday, date-rfc3339, date-mysql,
--                      date-pgsql, date-unixtimestamp; date-subseconds gives
--                      the number of the fraction's digits
--   pri                {facility = n, severity = n}
--   syslogtag          {programname = "sshd", pid = 1234} (pid when present)
--   syslogfacility, syslogseverity, syslogpriority and their -text forms
--                      numbers (pri-text: the facility number)
--   structured-data    the first SD element as {id = "x", _param = "value", ...};
--                      "-" gives an empty table
--   msg                the text up to the template's next literal character
--                      (a newline when there is none)
--   hostname, source, fromhost, fromhost-ip, programname, app-name, procid,
--   msgid, protocol-version, iut, inputname, rawmsg, $year and the other
--   $ properties: the text
-- A property with the option sp-if-no-1st-sp matches one or more spaces and
-- gives no field. Template escapes \n \t \r \" \' \\ \% \a \b \f \v and \ddd
-- are replaced; each white-space character of the template matches one
-- white-space character. Raises an error for a property rsyslog does not
-- have.
--
-- severity is a grammar capturing the number of a severity name (debug 7
-- ... emerg and panic 0; lower or upper case).
--
-- Example:
--   local syslog = require "syslog"
--   local g = syslog.build_rsyslog_grammar('%TIMESTAMP% %HOSTNAME% %syslogtag%%msg:::sp-if-no-1st-sp%%msg:::drop-last-lf%\n')
--   local t = g:match("Feb  5 17:32:18 web1 sshd[811]: Accepted publickey for root\n")
--   -- t.hostname == "web1", t.syslogtag.pid == 811, t.msg == "Accepted publickey for root"

local lpeg = require "lpeg"
local string = require "string"
local table = require "table"
local math = require "math"
local dt = require "date_time"
local ip = require "ip_address"
local util = require "util"

local P, R, S, C, Cc, Cg, Ct, Cf = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cg, lpeg.Ct, lpeg.Cf
local tonumber, type, error, ipairs, rawset = tonumber, type, error, ipairs, rawset

local M = {}

local digit = R"09"
local space = S" \t\n\v\f\r"
local sp = P" "
local printusascii = R"!~"
local nilvalue = P"-"
local bom = P"\239\187\191"

--[[ Names of severities and facilities (rsyslog's, both cases) ]]

-- a grammar capturing the number of each name; names listed longest first
-- where one is a prefix of another
local function names(list)
    local g = P(false)
    for _, e in ipairs(list) do
        g = g + (P(e[1]) + P(string.upper(e[1]))) * Cc(e[2])
    end
    return g
end

local severity_text = names{
    {"debug", 7}, {"info", 6}, {"notice", 5}, {"warning", 4}, {"warn", 4}, {"error", 3},
    {"err", 3}, {"crit", 2}, {"alert", 1}, {"emerg", 0}, {"panic", 0},
}

local facility_text = names{
    {"kern", 0}, {"user", 1}, {"mail", 2}, {"daemon", 3}, {"authpriv", 10}, {"auth", 4},
    {"security", 4}, {"syslog", 5}, {"lpr", 6}, {"news", 7}, {"uucp", 8}, {"cron", 9},
    {"ftp", 11}, {"ntp", 12}, {"audit", 13}, {"alert", 14}, {"clock", 15},
    {"local0", 16}, {"local1", 17}, {"local2", 18}, {"local3", 19}, {"local4", 20},
    {"local5", 21}, {"local6", 22}, {"local7", 23},
}

M.severity = severity_text

-- PRI: the number facility * 8 + severity
local pri = digit^-3 / function(n)
    n = tonumber(n)
    return {facility = math.floor(n / 8), severity = n % 8}
end

--[[ RFC 5424 structured data: [id name="value" ...] ]]

local sd_name = (printusascii - S'=]" ')^-32
local sd_value = ((1 - S'"\\]') + "\\" * P(1))^0 / function(v)
    return (string.gsub(v, '\\([]"\\])', "%1"))
end
local sd_param = Cg((sd_name / function(name) return "_" .. name end) * '="' * sd_value * '"')
local sd_element = "[" * Cf(Ct"" * Cg(Cc"id" * C(sd_name)) * (sp * sd_param)^0, rawset) * "]"

--[[ Timestamps ]]

local time_formats = {
    ["date-rfc3164"] = dt.rfc3164_timestamp / dt.time_to_ns,
    ["date-rfc3164-buggyday"] = dt.rfc3164_timestamp / dt.time_to_ns,
    ["date-rfc3339"] = dt.rfc3339 / dt.time_to_ns,
    ["date-mysql"] = dt.mysql_timestamp / dt.time_to_ns,
    ["date-pgsql"] = dt.pgsql_timestamp / dt.time_to_ns,
    ["date-unixtimestamp"] = digit^1 / dt.seconds_to_ns,
    ["date-subseconds"] = digit^1 / tonumber,
}

-- the grammar of a time property: the first date option it names, else
-- rfc3164 (rsyslog's default)
local function time_property(prop)
    if prop.name == "timereported" then prop.name = "timestamp" end
    local options = string.lower(prop.options or "")
    for opt in string.gmatch(options, "[^,]+") do
        local g = time_formats[opt]
        if g then return g end
    end
    return time_formats["date-rfc3164"]
end

--[[ Properties ]]

local programname = (printusascii - S" :[")^0
local hostname = nilvalue + printusascii^-255

-- the grammar of each property, or a function of the parsed property
-- returning it; "msg" is built separately
local properties = {
    rawmsg = P(1)^0,
    hostname = hostname,
    source = hostname,
    fromhost = hostname,
    ["fromhost-ip"] = ip.v4 + ip.v6,
    syslogtag = Ct(Cg(programname, "programname")
                   * ("[" * Cg(digit^1 / tonumber, "pid") * "]")^-1 * P":"^-1),
    programname = programname,
    pri = pri,
    ["pri-text"] = facility_text * "." * severity_text * "<" * pri * ">",
    iut = digit^1,
    syslogfacility = digit^-3 / tonumber,
    ["syslogfacility-text"] = facility_text,
    syslogseverity = digit / tonumber,
    ["syslogseverity-text"] = severity_text,
    syslogpriority = digit / tonumber,
    ["syslogpriority-text"] = severity_text,
    timegenerated = time_property,
    timereported = time_property,
    timestamp = time_property,
    ["protocol-version"] = digit^1,
    ["structured-data"] = Ct"" * nilvalue + sd_element,
    ["app-name"] = nilvalue + printusascii^-48,
    procid = nilvalue + printusascii^-128,
    msgid = nilvalue + printusascii^-32,
    inputname = printusascii^0,
    ["$bom"] = bom,
    ["$now"] = C(digit * digit * digit * digit * "-" * digit * digit * "-" * digit * digit),
    ["$year"] = C(digit * digit * digit * digit),
    ["$month"] = C(digit * digit),
    ["$day"] = C(digit * digit),
    ["$hour"] = C(digit * digit),
    ["$hhour"] = C("0" * S"01"),
    ["$qhour"] = C("0" * R"03"),
    ["$minute"] = C(digit * digit),
}

--[[ Template parsing ]]

local escapes = {t = "\t", n = "\n", r = "\r", ['"'] = '"', ["'"] = "'", ["\\"] = "\\",
                 ["%"] = "%", a = "\a", b = "\b", f = "\f", v = "\v"}

local function unescape(text) return util.unescape(text, escapes) end

local function is_space(c)
    return c == " " or c == "\t" or c == "\n" or c == "\v" or c == "\f" or c == "\r"
end

-- parses the property at i ("%name[:from:to[:options]]%"); returns it and the
-- index after it, or nil
local function parse_property(template, i)
    local name, e = string.match(template, "^%%([%w%-%$]+)()", i)
    if not name then return nil end
    local prop = {name = name}
    if string.sub(template, e, e) == ":" then
        -- :fromchar:tochar, then optionally :options
        local from, to, e2 = string.match(template, "^:([^:]*):([^:%%]*)()", e)
        if not from then return nil end
        prop.fromchar, prop.tochar, e = from, to, e2
        local opts, e3 = string.match(template, "^:([^%%]*)()", e)
        if opts then prop.options, e = opts, e3 end
    end
    if string.sub(template, e, e) ~= "%" then return nil end
    return prop, e + 1
end

-- build_rsyslog_grammar returns the grammar for lines written with the
-- rsyslog template string template.
function M.build_rsyslog_grammar(template)
    if type(template) ~= "string" or template == "" then
        error("could not parse the rsyslog template")
    end
    local g = P(true)
    local lit = {}
    -- msg ends at the last literal character since the previous property
    local msg_end = "\n"
    local function flush()
        if #lit > 0 then
            local text = unescape(table.concat(lit))
            lit = {}
            g = g * P(text)
            if text ~= "" then msg_end = string.sub(text, -1) end
        end
    end
    local i, n = 1, #template
    while i <= n do
        local c = string.sub(template, i, i)
        local prop, nexti
        if c == "%" then prop, nexti = parse_property(template, i) end
        if is_space(c) then
            flush()
            g = g * space
            i = i + 1
        elseif prop then
            flush()
            i = nexti
            if prop.options == "sp-if-no-1st-sp" then
                g = g * sp^1
            else
                prop.name = string.lower(prop.name)
                local p
                if prop.name == "msg" then
                    p = (1 - P(msg_end))^0
                else
                    p = properties[prop.name]
                    if p == nil then
                        error(string.format("invalid rsyslog property: '%s'", prop.name))
                    end
                    if type(p) == "function" then p = p(prop) end
                end
                msg_end = "\n"
                g = g * Cg(p, prop.name)
            end
        else
            lit[#lit + 1] = c
            i = i + 1
        end
    end
    flush()
    return Ct(g)
end

return M
