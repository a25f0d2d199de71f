-- Tests of lua_filters/heka_memstat.lua: heka.memstat messages -> the cbuf
-- graph it injects (circular_buffer stood in by the test library).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/heka_memstat.lua"
local p = S.load(plugin, {rows = 2, sec_per_row = 60})
local t0 = 1400000040e9
T.eq("first", p.process({Timestamp = t0, Fields = {HeapSys = 1000, HeapAlloc = 500, HeapIdle = 400,
                                                   HeapInuse = 600, HeapReleased = 0,
                                                   HeapObjects = 42}}), 0)
-- set, not add: the later value in the same row replaces the earlier
T.eq("second", p.process({Timestamp = t0 + 1e9, Fields = {HeapSys = 2000, HeapObjects = "x"}}), 0)
T.eq("no injection", p.injected, {})
p.timer(t0 + 5e9)
T.eq("graph", p.injected, {{payload_type = "cbuf", payload_name = "Stats",
    Payload = '{"time":1399999980,"rows":2,"columns":6,"seconds_per_row":60,"column_info":[' ..
        '{"name":"HeapSys","unit":"B","aggregation":"max"},' ..
        '{"name":"HeapAlloc","unit":"B","aggregation":"max"},' ..
        '{"name":"HeapIdle","unit":"B","aggregation":"max"},' ..
        '{"name":"HeapInuse","unit":"B","aggregation":"max"},' ..
        '{"name":"HeapReleased","unit":"B","aggregation":"max"},' ..
        '{"name":"HeapObjects","unit":"count","aggregation":"max"}]}\n' ..
        "nan\tnan\tnan\tnan\tnan\tnan\n2000\t500\t400\t600\t0\t42\n"}})
T.eq("version", _PRESERVATION_VERSION, 0)
p = S.load(plugin, {preservation_version = 3})
T.eq("version 3", _PRESERVATION_VERSION, 3)
p.timer(t0)
T.eq("default rows", string.match(p.injected[1].Payload, '"rows":(%d+),"columns":6,"seconds_per_row":(%d+)'), "1440")
T.done()
