-- Tests of lua_filters/loadavg.lua: stats.loadavg messages -> cbuf graph.
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/loadavg.lua"
local t0 = 1400000040e9
local p = S.load(plugin, {rows = 2, sec_per_row = 60})
local function m(ts, a, b, c, n)
    return {Timestamp = ts, Fields = {["1MinAvg"] = a, ["5MinAvg"] = b, ["15MinAvg"] = c, NumProcesses = n}}
end
T.eq("first", p.process(m(t0, 0.5, 0.25, 0.125, 3)), 0)
T.eq("replaces", p.process(m(t0 + 5e9, 1.5, 0.75, 0.25, 4)), 0)
T.eq("next row", p.process(m(t0 + 60e9, 2, 1, 0.5, 5)), 0)
-- a message missing a field fails after storing the values before it
T.eq("missing", p.process({Timestamp = t0, Fields = {["1MinAvg"] = 1}}), -1)
p.timer(t0 + 61e9)
T.eq("graph", p.injected, {{payload_type = "cbuf", payload_name = "LoadAvg Stats",
    Payload = '{"time":1400000040,"rows":2,"columns":4,"seconds_per_row":60,"column_info":[' ..
        '{"name":"1MinAvg","unit":"Count","aggregation":"max"},{"name":"5MinAvg","unit":"Count","aggregation":"max"},' ..
        '{"name":"15MinAvg","unit":"Count","aggregation":"max"},{"name":"NumProcesses","unit":"Count","aggregation":"max"}]}\n' ..
        "1\t0.75\t0.25\t4\n2\t1\t0.5\t5\n"}})
p = S.load(plugin, {preservation_version = 2})
T.eq("version", _PRESERVATION_VERSION, 2)
p.timer(0)
T.eq("defaults", string.match(p.injected[1].Payload, '"rows":%d+,"columns":4,"seconds_per_row":%d+'),
     '"rows":1440,"columns":4,"seconds_per_row":60')
T.done()
