-- Tests of lua_modules/field_util.lua, with a stub read_message.
local T = require "testlib"
T.stub_message({Timestamp = 1420167845123456789})
local before = T.globals()
local fu = require "field_util"
T.no_new_globals("require field_util", before)

local base = {EnvVersion = true, Hostname = true, Logger = true, Payload = true, Pid = true,
              Severity = true, Type = true}
T.eq("base_fields_list", fu.base_fields_list, base)
T.eq("base_fields_tag_list", fu.base_fields_tag_list,
     {Hostname = true, Logger = true, Severity = true, Type = true})

local function with(extra)
    local t = {}
    for k in pairs(base) do t[k] = true end
    for _, k in ipairs(extra) do t[k] = true end
    return t
end

-- fields_str, expected set, all_base, all
local maps = {
    {nil, base, true, false},
    {"", base, true, false},
    {"a b  c", {a = true, b = true, c = true}, false, false},
    {" Type\tstatus ", {Type = true, status = true}, false, false},
    {"**all_base** x", with({"**all_base**", "x"}), true, false},
    {"**all**", with({"**all**"}), false, true},
}
for i, c in ipairs(maps) do
    T.eq("field_map " .. i, {fu.field_map(c[1])}, {c[2], c[3], c[4]})
end
-- the set returned for nil is a copy: changing it leaves the module alone
local m = fu.field_map(nil)
m.Extra = true
T.eq("field_map copy", fu.base_fields_list.Extra, nil)

-- precision, expected
local stamps = {
    {nil, 1420167845123}, {"ms", 1420167845123}, {"s", 1420167845}, {"m", 23669464},
    {"h", 394491}, {"bogus", 1420167845123},
}
for _, c in ipairs(stamps) do
    T.eq("message_timestamp " .. tostring(c[1]), fu.message_timestamp(c[1]), c[2])
end

T.eq("used_base_fields", fu.used_base_fields({Type = true, Payload = true, status = true}),
     {Type = true, Payload = true})
T.eq("used_base_fields nil", fu.used_base_fields(nil), {})

T.no_new_globals("after use", before)
T.done()
