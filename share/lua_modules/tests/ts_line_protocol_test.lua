-- Tests of lua_modules/ts_line_protocol.lua: configuration + message ->
-- lines, with stub read_message and decode_message.
local T = require "testlib"
local msg = {
    Type = "stats", Hostname = "web1", Logger = "my logger", Severity = 6,
    Timestamp = 1420167845123456789,
}
T.stub_message(msg)
local fields = {}
function decode_message(raw)
    T.eq("decode_message argument", raw, "raw bytes")
    return {Fields = fields}
end
msg.raw = "raw bytes"
local before = T.globals()
local tlp = require "ts_line_protocol"
T.no_new_globals("require ts_line_protocol", before)

local function f(name, ...) return {name = name, value_type = 3, representation = "", value = {...}} end
local sample = {
    f("cpu", 0.5), f("mem used", 1024), f("host", "a b,c"), f("cpu", 0.7), f("arr", 1, 2, 3),
    f("ok", true), f("neg", -3), f("quote", 'say "hi"'),
}

-- name, client config, message fields, function, expected lines
local cases = {
    {"carbon", {carbon_format = true, name_prefix = "%{Hostname}.%{Type}", name_prefix_delimiter = ".",
                skip_fields_str = "host", timestamp_precision = "s"}, sample, "carbon_line_msg",
     {"web1.stats.cpu 0.5 1420167845", "web1.stats.mem_used 1024 1420167845",
      "web1.stats.cpu_fidx_1 0.7 1420167845", "web1.stats.arr 1 1420167845",
      "web1.stats.arr_vidx_1 2 1420167845", "web1.stats.arr_vidx_1_vidx_2 3 1420167845"}},
    {"influx", {skip_fields_str = "**all_base** host", tag_fields_str = "**all_base** host",
                decimal_precision = "2"}, sample, "influxdb_line_msg",
     (function()
         local tags = [[,Hostname=web1,Logger=my\ logger,Severity=6,Type=stats,host=a\ b\,c]]
         local lines = {}
         for _, p in ipairs({{"cpu", "0.50"}, {[[mem\ used]], "1024.00"}, {"cpu_fidx_1", "0.70"},
                             {"arr", "1.00"}, {"arr_vidx_1", "2.00"}, {"arr_vidx_1_vidx_2", "3.00"},
                             {"ok", "true"}, {"neg", "-3.00"}, {"quote", [["say \"hi\""]]}}) do
             lines[#lines + 1] = p[1] .. tags .. " value=" .. p[2] .. " 1420167845123"
         end
         return lines
     end)()},
    {"influx defaults", {}, {f("n", 1)}, "influxdb_line_msg",
     {[[n,Hostname=web1,Logger=my\ logger,Severity=6,Type=stats value=1.000000 1420167845123]]}},
    {"influx no tags", {tag_fields_str = "status", value_field_key = "v", timestamp_precision = "h"},
     {f("n", 1)}, "influxdb_line_msg", {"n v=1.000000 394491"}},
    {"influx all", {tag_fields_str = "**all**"}, {f("n", 1), f("s", "x")}, "influxdb_line_msg",
     {[[n,Hostname=web1,Logger=my\ logger,Severity=6,Type=stats,n=1,s=x value=1.000000 1420167845123]],
      [[s,Hostname=web1,Logger=my\ logger,Severity=6,Type=stats,n=1,s=x value="x" 1420167845123]]}},
    -- only cpu is written, under the bare prefix (its second value replaces
    -- the first); the other fields are not
    {"source value", {source_value_field = "cpu", name_prefix = "load", name_prefix_delimiter = ".",
                      tag_fields_str = "none"}, sample, "influxdb_line_msg",
     {"load value=0.700000 1420167845123"}},
    {"no fields", {}, {}, "carbon_line_msg", {}},
}
for _, c in ipairs(cases) do
    local config = tlp.set_config(c[2])
    fields = c[3]
    local got = tlp[c[4]](config)
    T.eq(c[1], got, c[5])
end

local config = tlp.set_config(nil)
T.eq("set_config defaults", {config.carbon_format, config.decimal_precision, config.name_prefix,
                             config.timestamp_precision, config.value_field_key,
                             config.tag_fields_all_base, config.tag_fields_all, config.interp_name_prefix},
     {false, "6", false, "ms", "value", true, false, false})

T.no_new_globals("after use", before)
T.done()
