-- Tests of lua_encoders/cbuf_librato.lua: cbuf graphs -> Librato gauges,
-- only the rows completed since the last graph of the same key (cjson
-- stood in by the test library).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_encoders/cbuf_librato.lua"
local function cbuf(time, rows)
    return {Logger = "HttpStatus", Hostname = "web1", Fields = {payload_name = "HTTP Status"},
            Payload = '{"time":' .. time .. ',"rows":3,"columns":2,"seconds_per_row":60,"column_info":[{"name":"HTTP_200","unit":"count","aggregation":"sum"},{"name":"HTTP_500","unit":"count","aggregation":"sum"}]}\n' .. rows}
end
local function g(name, v, t) return {name = name, source = "web1", value = v, measure_time = t} end
local function out(list) return {{payload_type = "json", payload_name = "output", Payload = T.json({gauges = list})}} end

local p = S.load(plugin, {})
T.eq("first rc", p.process(cbuf(600, "1\tnan\n2\t3\n4\t5\n")), 0)
T.eq("first", p.injected, out({g("HTTP_200", 1, 600), g("HTTP_200", 2, 660), g("HTTP_500", 3, 660)}))
T.eq("same time", p.process(cbuf(600, "1\tnan\n2\t3\n4\t5\n")), -2)
T.eq("older", p.process(cbuf(540, "1\tnan\n2\t3\n4\t5\n")), -1)
T.eq("fraction of a row", p.process(cbuf(630, "1\tnan\n2\t3\n4\t5\n")), -1)
T.eq("next rc", p.process(cbuf(660, "2\t3\n4\t5\n6\t7\n")), 0)
T.eq("next", p.injected, out({g("HTTP_200", 4, 720), g("HTTP_500", 5, 720)}))
T.eq("far later rc", p.process(cbuf(1200, "nan\tnan\n8\tnan\n9\t9\n")), 0)
T.eq("far later", p.injected, out({g("HTTP_200", 8, 1260)}))
T.eq("nothing", p.process(cbuf(1260, "nan\tnan\nnan\tnan\nnan\tnan\n")), -2)
T.eq("bad value", p.process(cbuf(1320, "x\t1\nnan\tnan\nnan\tnan\n")), -1)
T.eq("too few rows", p.process(cbuf(1380, "1\t1\n")), -1)
T.eq("not json", p.process({Payload = "x\n1\n2\n3\n"}), -1)

-- annotations line skipped; message_key separates the series
p = S.load(plugin, {message_key = "%{Hostname}"})
local m = cbuf(600, "1\t1\nnan\tnan\nnan\tnan\n")
m.Payload = '{"annotations":[]}\n' .. m.Payload
T.eq("annotations", p.process(m), 0)
T.eq("annotations gauges", p.injected, out({g("HTTP_200", 1, 600), g("HTTP_500", 1, 600)}))
T.eq("state", last_times, {web1 = 600})
T.done()
