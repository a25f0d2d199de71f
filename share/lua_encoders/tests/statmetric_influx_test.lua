-- Tests of lua_encoders/statmetric_influx.lua: heka.statmetric message ->
-- old InfluxDB JSON (cjson stood in by the test library).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_encoders/statmetric_influx.lua"
local function out(v) return {{payload_type = "json", payload_name = "influx_stats", Payload = T.json(v)}} end
S.run_cases(T, plugin, {
    {"stats", {}, {Fields = {timestamp = 1408404848, ["stats.counters.hits.count"] = 78271,
                             ["stats.timers.t.mean"] = 513.5, raw = {value = "b", value_type = 1}}}, 0,
     out({{name = "stats.counters.hits.count", columns = {"time", "value"}, points = {{1408404848000, 78271}}},
          {name = "stats.timers.t.mean", columns = {"time", "value"}, points = {{1408404848000, 513.5}}}})},
    {"no timestamp", {}, {Fields = {x = 1}}, -1, {}},
})
T.done()
