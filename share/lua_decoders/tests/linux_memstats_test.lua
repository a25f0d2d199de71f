-- Tests of lua_decoders/linux_memstats.lua on /proc/meminfo contents.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/linux_memstats.lua"
local meminfo = [[
MemTotal:        4047616 kB
MemFree:         3432216 kB
Active(anon):      82028 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
]]
local function kB(n) return {value = n, representation = "kB"} end
local fields = {MemTotal = kB(4047616), MemFree = kB(3432216), ["Active(anon)"] = kB(82028),
                HugePages_Total = {value = 0, representation = ""}, Hugepagesize = kB(2048),
                FilePath = "/proc/meminfo"}

-- name, config, message, return code, injected messages
S.run_cases(T, plugin, {
    {"meminfo", {}, {Payload = meminfo, Fields = {FilePath = "/proc/meminfo"}}, 0,
     {{Type = "stats.memstats", Fields = fields}}},
    {"payload_keep", {payload_keep = true}, {Payload = meminfo, Fields = {FilePath = "/proc/meminfo"}}, 0,
     {{Type = "stats.memstats", Payload = meminfo, Fields = fields}}},
    {"no unit separator", {}, "MemTotal 4047616 kB\n", -1, {}},
    {"no payload", {}, nil, -1, {}},
})
T.done()
