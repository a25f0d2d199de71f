-- Tests of lua_filters/stat_graph.lua: statmetric messages -> the cbuf
-- graph it injects (circular_buffer stood in by the test library).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/stat_graph.lua"
local cfg = {title = "Hits and Misses", rows = 2, sec_per_row = 10,
             stats = "stats.counters.hits.count stats.counters.misses.count",
             stat_labels = "hits misses_per_second_total", stat_unit = "req/s.x",
             stat_aggregation = "none"}
local p = S.load(plugin, cfg)
T.eq("first", p.process({Fields = {timestamp = 1400000000, ["stats.counters.hits.count"] = 3,
                                    ["stats.counters.misses.count"] = 1}}), 0)
T.eq("second", p.process({Fields = {timestamp = 1400000005, ["stats.counters.hits.count"] = 2}}), 0)
T.eq("next row", p.process({Fields = {timestamp = 1400000010, ["stats.counters.misses.count"] = 0.5,
                                       ["stats.counters.hits.count"] = "x"}}), 0)
T.eq("no timestamp", p.process({Fields = {["stats.counters.hits.count"] = 1}}), -1)
T.eq("no injection", p.injected, {})
p.timer(1400000011e9)
T.eq("graph", p.injected, {{payload_type = "cbuf", payload_name = "Hits and Misses",
    Payload = '{"time":1400000000,"rows":2,"columns":2,"seconds_per_row":10,"column_info":[' ..
        '{"name":"hits","unit":"req/s_x","aggregation":"none"},' ..
        '{"name":"misses_per_seco","unit":"req/s_x","aggregation":"none"}]}\n' ..
        "5\t1\nnan\t0.5\n"}})
T.eq("version", _PRESERVATION_VERSION, 0)

-- defaults: title Stats, 300 rows of 1 s, sum, count
p = S.load(plugin, {stats = "a", stat_labels = "A", preservation_version = 2})
T.eq("default version", _PRESERVATION_VERSION, 2)
p.process({Fields = {timestamp = 1400000000, a = 1}})
p.timer(1400000000e9)
T.eq("default name", p.injected[1].payload_name, "Stats")
T.eq("default header", string.match(p.injected[1].Payload, "^[^\n]*"),
     '{"time":1399999701,"rows":300,"columns":1,"seconds_per_row":1,"column_info":[{"name":"A","unit":"count","aggregation":"sum"}]}')

T.raises("no stats", function() S.load(plugin, {stat_labels = "a"}) end,
         "stats configuration must be specified")
T.raises("no labels", function() S.load(plugin, {stats = "a"}) end,
         "stat_labels configuration must be specified")
T.raises("count mismatch", function() S.load(plugin, {stats = "a b", stat_labels = "a"}) end,
         "same number of items")
T.done()
