-- Tests of lua_filters/cbufd_host_aggregator.lua: cbufd payloads from hosts
-- -> one graph per source column with a column per host.
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/cbufd_host_aggregator.lua"
local header = '{"time":1400000000,"rows":2,"columns":2,"seconds_per_row":60,"column_info":[{"name":"Requests","unit":"count","aggregation":"sum"},{"name":"Peak","unit":"ms","aggregation":"max"}]}'
local function delta(host, ts, rows)
    return {Hostname = host, Timestamp = ts, Payload = header .. "\n" .. rows,
            Fields = {payload_name = "Stats"}}
end
local t0 = 1400000040e9
local p = S.load(plugin, {max_hosts = 2, rows = 2, host_expiration = 60})
T.eq("a", p.process(delta("a", t0, "1400000040\t3\t12\n")), 0)
T.eq("b", p.process(delta("b", t0, "1400000040\t4\t9\n1400000040\t1\tnan\n")), 0)
T.eq("not cbufd", p.process({Hostname = "a", Timestamp = t0, Payload = "x"}), -1)
local ok, err = pcall(p.process, delta("c", t0 + 30e9, "1400000040\t1\t1\n"))
T.eq("too many hosts", {ok, string.match(tostring(err), "The number of hosts exceeds the 'max_hosts' configuration") ~= nil},
     {false, true})
-- a is silent for 60 s at t0 + 61 s (b reported later): c takes a's column
T.eq("b again", p.process(delta("b", t0 + 61e9, "1400000100\t2\t1\n")), 0)
T.eq("c replaces a", p.process(delta("c", t0 + 61e9, "1400000100\t7\t5\n")), 0)
p.timer(0)
local function graph(name, unit, agg, rows)
    return {payload_type = "cbuf", payload_name = "Stats (" .. name .. ")",
            Payload = '{"options":{"stackedGraph":true,"fillGraph":true}}\n' ..
                '{"time":1400000040,"rows":2,"columns":2,"seconds_per_row":60,"column_info":[' ..
                '{"name":"c","unit":"' .. unit .. '","aggregation":"' .. agg .. '"},' ..
                '{"name":"b","unit":"' .. unit .. '","aggregation":"' .. agg .. '"}]}\n' .. rows}
end
T.eq("graphs", p.injected, {graph("Requests", "count", "sum", "3\t5\n7\t2\n"),
                            graph("Peak", "ms", "max", "12\t9\n5\t1\n")})
T.raises("no rows", function() S.load(plugin, {max_hosts = 1}) end, "rows configuration must be specified")
T.raises("no max_hosts", function() S.load(plugin, {rows = 1}) end, "max_host configuration must be specified")
T.done()
