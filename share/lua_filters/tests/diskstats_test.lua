-- Tests of lua_filters/diskstats.lua: stats.diskstats messages -> the two
-- cbuf graphs (deltas and IO times).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/diskstats.lua"
local t0 = 1400000040e9
local function m(ts, base)
    return {Timestamp = ts, Fields = {TickerInterval = 60,
        WritesCompleted = base, ReadsCompleted = base * 2, SectorsWritten = base * 3,
        SectorsRead = base * 4, WritesMerged = base * 5, ReadsMerged = base * 6,
        TimeWriting = base + 1, TimeReading = base + 2, TimeDoingIO = base + 3,
        WeightedTimeDoingIO = base + 4}}
end
local p = S.load(plugin, {rows = 2})
p.timer(t0)
T.eq("nothing before data", p.injected, {})
T.eq("first", p.process(m(t0, 10)), 0)
T.eq("second", p.process(m(t0 + 60e9, 15)), 0)
local bad = m(t0 + 60e9, 1)
bad.Fields.SectorsRead = nil
T.eq("missing field", p.process(bad), -1)
p.timer(t0 + 61e9)
T.eq("graphs", p.injected, {
    {payload_type = "cbuf", payload_name = "Disk Stats",
     Payload = '{"time":1400000040,"rows":2,"columns":6,"seconds_per_row":60,"column_info":[' ..
        '{"name":"WritesCompleted","unit":"per_60_","aggregation":"none"},' ..
        '{"name":"ReadsCompleted","unit":"per_60_","aggregation":"none"},' ..
        '{"name":"SectorsWritten","unit":"per_60_","aggregation":"none"},' ..
        '{"name":"SectorsRead","unit":"per_60_","aggregation":"none"},' ..
        '{"name":"WritesMerged","unit":"per_60_","aggregation":"none"},' ..
        '{"name":"ReadsMerged","unit":"per_60_","aggregation":"none"}]}\n' ..
        "nan\tnan\tnan\tnan\tnan\tnan\n5\t10\t15\t20\t25\t30\n"},
    {payload_type = "cbuf", payload_name = "Time doing IO",
     Payload = '{"time":1400000040,"rows":2,"columns":4,"seconds_per_row":60,"column_info":[' ..
        '{"name":"TimeWriting","unit":"ms","aggregation":"max"},' ..
        '{"name":"TimeReading","unit":"ms","aggregation":"max"},' ..
        '{"name":"TimeDoingIO","unit":"ms","aggregation":"max"},' ..
        '{"name":"WeightedTimeDoi","unit":"ms","aggregation":"max"}]}\n' ..
        "11\t12\t13\t14\n16\t17\t18\t19\n"}})
local no_interval = m(t0, 1)
no_interval.Fields.TickerInterval = nil
p = S.load(plugin, {})
T.eq("no TickerInterval", p.process(no_interval), -1)
T.done()
