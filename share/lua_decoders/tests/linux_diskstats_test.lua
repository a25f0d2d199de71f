-- Tests of lua_decoders/linux_diskstats.lua on /sys/block/<disk>/stat contents.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/linux_diskstats.lua"
local stat = "   20123    11267  1094968    45148     1278     1278   206504     3348        3     4876    48356\n"
local fields = {ReadsCompleted = 20123, ReadsMerged = 11267, SectorsRead = 1094968,
                TimeReading = 45148, WritesCompleted = 1278, WritesMerged = 1278,
                SectorsWritten = 206504, TimeWriting = 3348, NumIOInProgress = 3,
                TimeDoingIO = 4876, WeightedTimeDoingIO = 48356,
                FilePath = "/sys/block/sda/stat", TickerInterval = 2}
local input = {Fields = {FilePath = "/sys/block/sda/stat", TickerInterval = 2}}
local function with_payload(p)
    local m = S.copy(input)
    m.Payload = p
    return m
end

-- name, config, message, return code, injected messages
S.run_cases(T, plugin, {
    {"stat", {}, with_payload(stat), 0, {{Type = "stats.diskstats", Fields = fields}}},
    {"newer kernel discard and flush columns", {payload_keep = true},
     with_payload(string.gsub(stat, "\n", "  0 0 0 0 12 34\n")), 0,
     {{Type = "stats.diskstats", Payload = string.gsub(stat, "\n", "  0 0 0 0 12 34\n"),
       Fields = fields}}},
    {"ten columns", {}, with_payload("1 2 3 4 5 6 7 8 9 10\n"), -1, {}},
    {"no newline", {}, with_payload("1 2 3 4 5 6 7 8 9 10 11"), -1, {}},
    {"no payload", {}, nil, -1, {}},
})
T.done()
