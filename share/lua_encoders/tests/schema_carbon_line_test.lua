-- Tests of lua_encoders/schema_carbon_line.lua: message -> Carbon lines.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_encoders/schema_carbon_line.lua"
local loadavg = {Type = "stats.loadavg", Hostname = "myhost", Logger = "LoadAvg",
                 Timestamp = 1434932023123456789,
                 Fields = {["1MinAvg"] = 0.12, ["5MinAvg"] = 0.11, NumProcesses = 3,
                           FilePath = "/proc/loadavg", Environment = "dev"}}
local function out(text) return {{payload_type = "txt", payload_name = "carbon_line", Payload = text}} end

S.run_cases(T, plugin, {
    {"prefix and skip", {name_prefix = "%{Environment}.%{Hostname}.%{Type}",
                         skip_fields = "**all_base** FilePath NumProcesses Environment"}, loadavg, 0,
     out("dev.myhost.stats.loadavg.1MinAvg 0.12 1434932023\ndev.myhost.stats.loadavg.5MinAvg 0.11 1434932023\n")},
    {"no prefix", {skip_fields = "1MinAvg 5MinAvg"}, loadavg, 0, out(".NumProcesses 3 1434932023\n")},
    {"delimiter", {name_prefix = "h", name_prefix_delimiter = "_", skip_fields = "5MinAvg NumProcesses"},
     loadavg, 0, out("h_1MinAvg 0.12 1434932023\n")},
    -- only the source field is written, under the bare prefix
    {"source value", {name_prefix = "%{Hostname}.load", source_value_field = "1MinAvg"}, loadavg, 0,
     out("myhost.load 0.12 1434932023\n")},
    {"no numeric field", {}, {Timestamp = 0, Fields = {s = "x"}}, -2, {}},
})
T.done()
