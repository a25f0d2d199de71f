-- Tests of lua_filters/procstat.lua: two stats.procstat messages (as
-- lua_decoders/linux_procstat.lua makes them) -> the delta message.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_filters/procstat.lua"
local first = {Payload = "p1", Fields = {cpu = {100, 0, 100, 800, 0}, cpu0 = {50, 0, 50, 400},
                                         ctxt = 1000, softirq = {10, 1, 2}, btime = 7}}
local second = {Payload = "p2", Fields = {cpu = {130, 10, 110, 840, 10}, cpu0 = {65, 5, 55, 425},
                                          ctxt = 1500, softirq = {16, 2, 3}, btime = 7}}

local p = S.load(plugin, {})
T.eq("first rc", p.process(first), 0)
T.eq("first injects nothing", p.injected, {})
T.eq("second rc", p.process(second), 0)
-- cpu: 100 ticks, 40 idle -> 60 %; cpu0: 50 ticks, 25 idle -> 50 %
T.eq("defaults", p.injected, {{Type = "procstat", Payload = "p2",
                               Fields = {cpu_percent = 60, cpu0_percent = 50}}})

p = S.load(plugin, {whitelist = "cpu$", extras = true, percent_integer = false})
p.process(first)
p.process(second)
T.eq("extras", p.injected, {{Type = "procstat", Payload = "p2", Fields = {
    cpu_delta_user = 30, cpu_delta_nice = 10, cpu_delta_system = 10, cpu_delta_idle = 40,
    cpu_delta_iowait = 10, cpu_delta_ticks = 100, cpu_percent_user = 0.3,
    cpu_percent_nice = 0.1, cpu_percent_system = 0.1, cpu_percent_idle = 0.4,
    cpu_percent_iowait = 0.1, cpu_percent = 0.6}}})

p = S.load(plugin, {whitelist = "", extras = true})
p.process(first)
p.process(second)
local f = p.injected[1].Fields
T.eq("softirq and single values", {f.softirq_delta_1, f.softirq_delta_2, f.softirq_delta_3,
                                   f.ctxt_delta, f.btime_delta, f.cpu0_percent_idle,
                                   f.cpu0_percent_iowait},
     {6, 1, 1, 500, 0, 50, nil})

-- a line whose column count changed is skipped; no ticks, no percentage
p = S.load(plugin, {})
p.process(first)
p.process({Payload = "p3", Fields = {cpu = {1, 2, 3}, cpu0 = {50, 0, 50, 400}}})
T.eq("shape change", p.injected, {{Type = "procstat", Payload = "p3", Fields = {}}})
T.done()
