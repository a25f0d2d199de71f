-- Tests of lua_decoders/linux_loadavg.lua on /proc/loadavg contents.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/linux_loadavg.lua"
local msg = {Payload = "3.05 1.21 0.44 11/235 4321\n", Fields = {FilePath = "/proc/loadavg"}}

-- name, config, message, return code, injected messages
S.run_cases(T, plugin, {
    {"loadavg", {}, msg, 0,
     {{Type = "stats.loadavg", Fields = {["1MinAvg"] = 3.05, ["5MinAvg"] = 1.21,
                                         ["15MinAvg"] = 0.44, NumProcesses = 11,
                                         FilePath = "/proc/loadavg"}}}},
    {"payload_keep, no FilePath", {payload_keep = true}, "0.00 0.01 0.05 1/80 9", 0,
     {{Type = "stats.loadavg", Payload = "0.00 0.01 0.05 1/80 9",
       Fields = {["1MinAvg"] = 0, ["5MinAvg"] = 0.01, ["15MinAvg"] = 0.05, NumProcesses = 1}}}},
    {"integer average", {}, "3 1.21 0.44 11/235 4321\n", -1, {}},
    {"truncated", {}, "3.05 1.21", -1, {}},
    {"no payload", {}, nil, -1, {}},
})
T.done()
