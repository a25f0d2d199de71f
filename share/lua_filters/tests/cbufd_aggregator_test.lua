-- Tests of lua_filters/cbufd_aggregator.lua: cbufd payloads from several
-- senders -> one merged cbuf graph per payload_name (circular_buffer and
-- cjson stood in by the test library).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/cbufd_aggregator.lua"
local header = '{"time":1400000000,"rows":2,"columns":3,"seconds_per_row":60,"column_info":[{"name":"Requests","unit":"count","aggregation":"sum"},{"name":"Peak","unit":"ms","aggregation":"max"},{"name":"Other","unit":"count","aggregation":"none"}]}'
local function delta(rows)
    return {Payload = header .. "\n" .. rows, Fields = {payload_name = "Request Statistics"}}
end

local p = S.load(plugin, {enable_delta = true})
T.eq("host a", p.process(delta("1400000040\t3\t12\t5\n1400000100\t1\tnan\t1\n")), 0)
T.eq("host b", p.process(delta("1400000040\t4\t9\t5\n")), 0)
T.eq("not cbufd", p.process({Payload = "hello", Fields = {payload_name = "x"}}), -1)
T.eq("bad header", p.process({Payload = "{oops\n1400000040\t1\n", Fields = {payload_name = "y"}}), -1)
T.eq("no injection", p.injected, {})
p.timer(0)
local out = '{"time":1400000040,"rows":2,"columns":3,"seconds_per_row":60,"column_info":[{"name":"Requests","unit":"count","aggregation":"sum"},{"name":"Peak","unit":"ms","aggregation":"max"},{"name":"Other","unit":"count","aggregation":"none"}]}\n'
T.eq("merged", p.injected, {
    {payload_type = "cbuf", payload_name = "Request Statistics", Payload = out .. "7\t9\tnan\n1\tnan\tnan\n"},
    {payload_type = "cbufd", payload_name = "Request Statistics",
     Payload = out .. "1400000040\t7\t9\tnan\n1400000100\t1\tnan\tnan\n"}})

-- without enable_delta: only the graph; a message without payload_name uses ""
p = S.load(plugin, {})
p.process({Payload = header .. "\n1400000040\t2\t1\t1\n"})
p.timer(0)
T.eq("no delta", p.injected, {{payload_type = "cbuf", payload_name = "",
                               Payload = string.gsub(out, "1400000040", "1399999980") ..
                                   "nan\tnan\tnan\n2\t1\tnan\n"}})
T.done()
