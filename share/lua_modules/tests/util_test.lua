-- Tests of lua_modules/util.lua: table_to_fields and behead_array, input ->
-- expected table.
local T = require "testlib"

-- cjson is stubbed where C Lua has none; where package is hidden (hekad's
-- sandbox) the max_depth cases, which need a known encoding, are skipped.
local stub_cjson = T.stub_cjson()

local before = T.globals()
local util = require "util"
T.no_new_globals("require util", before)

local nested = {a = {b = 1, c = {d = "x", e = {f = true}}}, g = "top", [1] = "one"}

-- arguments after the table, expected fields
local cases = {
    {"defaults", {}, {["a.b"] = 1, ["a.c.d"] = "x", ["a.c.e.f"] = true, g = "top", [1] = "one"}},
    {"parent", {"p"}, {["p.a.b"] = 1, ["p.a.c.d"] = "x", ["p.a.c.e.f"] = true, ["p.g"] = "top",
                        ["p.1"] = "one"}},
    {"separator", {nil, "_"}, {a_b = 1, a_c_d = "x", a_c_e_f = true, g = "top", [1] = "one"}},
    {"bad separator", {nil, 5}, {["a.b"] = 1, ["a.c.d"] = "x", ["a.c.e.f"] = true, g = "top",
                                  [1] = "one"}},
    {"max depth 2", {nil, ".", 2}, {["a.b"] = 1, ["a.c"] = '{"d":"x","e":{"f":true}}', g = "top",
                                     [1] = "one"}},
    {"max depth 3", {nil, ".", 3}, {["a.b"] = 1, ["a.c.d"] = "x", ["a.c.e"] = '{"f":true}',
                                     g = "top", [1] = "one"}},
    {"max depth 1", {nil, ".", 1}, {a = '{"b":1,"c":{"d":"x","e":{"f":true}}}', g = "top", [1] = "one"}},
    {"max depth separator", {nil, "::", 2}, {["a::b"] = 1, ["a::c"] = '{"d":"x","e":{"f":true}}',
                                             g = "top", [1] = "one"}},
}

for _, c in ipairs(cases) do
    local fields = {}
    local a = c[2]
    if a[3] and not stub_cjson then break end
    util.table_to_fields(nested, fields, a[1], a[2], a[3])
    T.eq("table_to_fields " .. c[1], fields, c[3])
end

-- userdata values are left out (newproxy is not in hekad's sandbox)
if newproxy then
    local fields = {}
    util.table_to_fields({u = newproxy(), s = "kept"}, fields)
    T.eq("table_to_fields userdata", fields, {s = "kept"})
end

-- idx, array, expected
local behead = {
    {1, {"a", "b", "c"}, {"a", "b", "c"}},
    {0, {"a", "b", "c"}, {"a", "b", "c"}},
    {2, {"a", "b", "c"}, {"b", "c"}},
    {3, {"a", "b", "c", "d"}, {"c", "d"}},
    {4, {"a", "b", "c"}, {}},
    {3, {"a", "b", "c"}, {"c"}},
    {10, {"a", "b", "c"}, {}},
    {2, {}, {}},
}
for i, c in ipairs(behead) do
    util.behead_array(c[1], c[2])
    T.eq("behead_array " .. i, c[2], c[3])
end

-- text, expected (escapes: t and the backslash)
local escapes = {t = "\t", ["\\"] = "\\"}
local unescapes = {
    {[[a\tb]], "a\tb"},
    {[[\\]], "\\"},
    {[[\101\066]], "eB"}, -- decimal, as in Lua strings
    {[[\1012]], "e2"},
    {[[\300]], ","}, -- 300 % 256
    {[[\x\]], [[\x\]]},
    {"", ""},
}
for i, c in ipairs(unescapes) do
    T.eq("unescape " .. i, util.unescape(c[1], escapes), c[2])
end

T.no_new_globals("after use", before)
T.done()
