-- sfl4j: a grammar for log events written by SLF4J/Logback-style Java
-- loggers ("LEVEL [date time,ms] class: message" and the stack trace lines
-- after it). hekad's implementation of Heka's lua_modules/sfl4j.lua (the
-- module name is spelled as Heka's).
--
-- logevent_grammar captures
--   {severity = <syslog severity: TRACE and DEBUG 7, INFO 6, WARN 4,
--                ERROR 3, FATAL 0>,
--    timestamp = <ns since the epoch>, class = "com.example.Job",
--    message = "the rest of the first line",
--    stacktrace = "the following lines, each with its newline"}
-- The first line must end with a newline; level names are upper or lower
-- case.
--
-- Example:
--   local sfl4j = require "sfl4j"
--   local t = sfl4j.logevent_grammar:match("ERROR [2014-11-21 16:35:59,501] com.example.Job: failed\n")
--   -- t.severity == 3, t.timestamp == 1416587759501000000 (about), t.class == "com.example.Job"

local lpeg = require "lpeg"
local string = require "string"
local dt = require "date_time"

local P, S, C, Cc, Cg, Ct = lpeg.P, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cg, lpeg.Ct
local ipairs, tonumber = ipairs, tonumber

local M = {}

local digit = lpeg.R"09"
local spaces = S" \t\n\v\f\r"^1
local nl = P"\n"

local level = P(false)
for _, e in ipairs({{"TRACE", 7}, {"DEBUG", 7}, {"INFO", 6}, {"WARN", 4}, {"ERROR", 3}, {"FATAL", 0}}) do
    level = level + (P(e[1]) + P(string.lower(e[1]))) * Cc(e[2])
end

-- "2014-11-21 16:35:59,501": the milliseconds after a comma
local millis = Cg(C(digit * digit * digit * digit^0) / function(d) return tonumber("0." .. d) end,
                  "sec_frac")
local datetime = Ct(dt.rfc3339_full_date * spaces * dt.time_hour * ":" * dt.time_minute * ":"
                    * dt.time_second * "," * millis^-1) / dt.time_to_ns

M.logevent_grammar = Ct(
    Cg(level, "severity")
    * spaces * "[" * Cg(datetime, "timestamp") * "]"
    * spaces * Cg(C((1 - P":")^1), "class")
    * ":" * spaces * Cg(C((1 - nl)^0), "message") * nl
    * Cg(C(((1 - nl)^0 * nl)^0), "stacktrace"))

return M
