-- Tests of lua_decoders/linux_procstat.lua on /proc/stat contents.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/linux_procstat.lua"
local stat = [[
cpu  14384 125 3330 946000 333 0 356 0 0 0
cpu0 7192 62 1665 473000 166 0 178 0 0 0
intr 2808304 9 0 0 3
ctxt 2808304
btime 1423004780
processes 3811
procs_running 1
procs_blocked 0
softirq 288977 23 101952 19 13046 19217 7 0 0 0
]]
local fields = {cpu = {14384, 125, 3330, 946000, 333, 0, 356, 0, 0, 0},
                cpu0 = {7192, 62, 1665, 473000, 166, 0, 178, 0, 0, 0},
                intr = {2808304, 9, 0, 0, 3}, ctxt = {2808304}, btime = {1423004780},
                processes = {3811}, procs_running = {1}, procs_blocked = {0},
                softirq = {288977, 23, 101952, 19, 13046, 19217, 7, 0, 0, 0}}

-- name, config, payload, return code, injected messages
S.run_cases(T, plugin, {
    {"proc stat", {}, stat, 0, {{Type = "stats.procstat", Fields = fields}}},
    {"payload_keep", {payload_keep = true}, stat, 0,
     {{Type = "stats.procstat", Payload = stat, Fields = fields}}},
    {"old kernel, no trailing newline", {}, "cpu 1 2 3 4", 0,
     {{Type = "stats.procstat", Fields = {cpu = {1, 2, 3, 4}}}}},
    {"not numbers", {}, "cpu a b\n", -1, {}},
    {"empty", {}, "", -1, {}},
    {"no payload", {}, nil, -1, {}},
})
T.done()
