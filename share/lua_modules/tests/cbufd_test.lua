-- Tests of lua_modules/cbufd.lua: cbufd payload -> table.
local T = require "testlib"
local lpeg = require "lpeg" -- C LPeg defines the global lpeg itself
local before = T.globals()
local cbufd = require "cbufd"
T.no_new_globals("require cbufd", before)

local header = '{"time":1379574900,"rows":1440,"columns":2,"seconds_per_row":60,"column_info":[{"name":"Requests","unit":"count","aggregation":"sum"},{"name":"Total_Size","unit":"KiB","aggregation":"sum"}]}'

-- payload, expected (false: no match)
local cases = {
    {"two rows", header .. "\n1379660520\t12075\t159901\n1379660280\t11837\t154880\n",
     {header = header, {time = 1379660520e9, 12075, 159901}, {time = 1379660280e9, 11837, 154880}}},
    {"signs and fractions", "{}\n60\t-1.5\t0.25\t-7\n", {header = "{}", {time = 60e9, -1.5, 0.25, -7}}},
    {"infinities", "{}\n60\tinf\t-inf\n", {header = "{}", {time = 60e9, 1 / 0, -1 / 0}}},
    {"no rows", header .. "\n", false},
    {"no trailing newline", "{}\n60\t1", false},
    {"no values", "{}\n60\n", false},
    {"text value", "{}\n60\tabc\n", false},
    {"empty header", "\n60\t1\n", false},
    {"trailing garbage", "{}\n60\t1\nx", false},
    {"empty", "", false},
}
for _, c in ipairs(cases) do
    local got = cbufd.grammar:match(c[2])
    if c[3] == false then T.eq(c[1], got, nil) else T.eq(c[1], got, c[3]) end
end

-- nan: an unset cell, NaN (not equal to itself)
local t = cbufd.grammar:match("{}\n120\tnan\t3\n")
T.eq("nan row", {t[1].time, t[1][2], #t[1]}, {120e9, 3, 2})
T.eq("nan is NaN", t[1][1] ~= t[1][1], true)

T.no_new_globals("after use", before)
T.done()
