-- cbufd: parses the text of a circular buffer delta ("cbufd" payload, as
-- circular_buffer:format("cbufd") writes it). hekad's implementation of
-- Heka's lua_modules/cbufd.lua, used by lua_filters/cbufd_aggregator.lua.
--
-- grammar matches the whole payload: a JSON header line, then one line per
-- changed row, "<unix seconds>\t<value>\t<value>...", and captures
--   {header = "<the header line>",
--    {time = <ns>, <value of column 1>, <value of column 2>, ...}, ...}
-- Values are numbers; "nan" (an unset cell) is NaN, "inf"/"-inf" are
-- infinities. A payload that does not fit gives nil.
--
-- Example:
--   local cbufd = require "cbufd"
--   local t = cbufd.grammar:match('{"time":1379574900,"rows":1440,"columns":1,...}\n1379660520\t12075\n')
--   -- t.header = '{"time":...}', t[1] = {time = 1379660520e9, 12075}

local lpeg = require "lpeg"
local P, R, S, C, Cc, Cg, Ct = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cg, lpeg.Ct
local tonumber = tonumber

local M = {}

local digit = R"09"
local eol = P"\n"

local header = Cg(C((1 - eol)^1), "header") * eol
local seconds = digit^1 / function(s) return tonumber(s) * 1e9 end
local number = C(P"-"^-1 * digit^1 * ("." * digit^1)^-1) / tonumber
             + P"nan" * Cc(0 / 0)
             + P"-inf" * Cc(-1 / 0)
             + P"inf" * Cc(1 / 0)
local row = Ct(Cg(seconds, "time") * ("\t" * number)^1 * eol)

M.grammar = Ct(header * row^1) * -1

return M
