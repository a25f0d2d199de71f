-- Tests of lua_encoders/schema_influx.lua: message -> old InfluxDB JSON
-- (cjson stood in by the test library's deterministic encoder).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_encoders/schema_influx.lua"
local msg = {Timestamp = 1409378221e9, Type = "log", Payload = "text", Hostname = "web1", Pid = 12,
             Logger = "MyLogger", Severity = 6, EnvVersion = "1",
             Fields = {status = 200, arr = {1, 2}, blob = {value = "xx", value_type = 1}}}
local function out(v) return {{payload_type = "json", payload_name = "influx_message", Payload = T.json(v)}} end

S.run_cases(T, plugin, {
    {"single series", {series = "heka.%{Logger}.%{status}.%{nope}"}, msg, 0,
     out({{name = "heka.MyLogger.200.%{nope}",
           columns = {"time", "Type", "Payload", "Hostname", "Pid", "Logger", "Severity",
                      "EnvVersion", "arr", "status"},
           points = {{1409378221000, "log", "text", "web1", 12, "MyLogger", 6, "1", {1, 2}, 200}}}})},
    {"skip fields", {skip_fields = "Payload Pid EnvVersion arr"}, msg, 0,
     out({{name = "series", columns = {"time", "Type", "Hostname", "Logger", "Severity", "status"},
           points = {{1409378221000, "log", "web1", "MyLogger", 6, 200}}}})},
    {"multi series, no base fields", {multi_series = true, exclude_base_fields = true, series = "s"},
     msg, 0,
     out({{name = "s.arr", columns = {"time", "value"}, points = {{1409378221000, 1}}},
          {name = "s.status", columns = {"time", "value"}, points = {{1409378221000, 200}}}})},
    {"absent headers", {skip_fields = "Type Payload Hostname Logger"}, {Timestamp = 0}, 0,
     out({{name = "series", columns = {"time", "Pid", "Severity", "EnvVersion"},
           points = {{0, 0, 7, ""}}}})},
})
T.done()
