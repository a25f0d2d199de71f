-- Tests of lua_encoders/schema_influx_line.lua: message -> InfluxDB lines.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_encoders/schema_influx_line.lua"
local loadavg = {Type = "stats.loadavg", Hostname = "myhost", Logger = "LoadAvg", Severity = 7,
                 Timestamp = 1434932024123456789,
                 Fields = {["1MinAvg"] = 0.11, FilePath = "/proc/loadavg", Environment = "dev"}}
local function out(text) return {{payload_type = "txt", payload_name = "influx_line", Payload = text}} end

S.run_cases(T, plugin, {
    {"tags and seconds", {skip_fields = "**all_base** FilePath Environment",
                          tag_fields = "Hostname Environment", timestamp_precision = "s"}, loadavg, 0,
     out("1MinAvg,Hostname=myhost,Environment=dev value=0.110000 1434932024\n")},
    {"defaults", {skip_fields = "FilePath Environment"}, loadavg, 0,
     out("1MinAvg,Hostname=myhost,Logger=LoadAvg,Severity=7,Type=stats.loadavg value=0.110000 1434932024123\n")},
    {"prefix, key, precision", {skip_fields = "FilePath Environment", tag_fields = "none",
                                name_prefix = "%{Hostname}", name_prefix_delimiter = ".",
                                value_field_key = "v", decimal_precision = "1"}, loadavg, 0,
     out("myhost.1MinAvg v=0.1 1434932024123\n")},
    {"strings quoted", {skip_fields = "1MinAvg Environment", tag_fields = "none"}, loadavg, 0,
     out('FilePath value="/proc/loadavg" 1434932024123\n')},
    {"nothing to write", {skip_fields = "1MinAvg FilePath Environment"}, loadavg, -2, {}},
})
T.done()
