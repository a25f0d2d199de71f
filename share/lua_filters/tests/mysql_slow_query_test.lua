-- Tests of lua_filters/mysql_slow_query.lua: slow query messages -> the
-- cbuf graph of averages and counts.
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/mysql_slow_query.lua"
local t0 = 1400000040e9
local function q(ts, qt, lt, re, rs)
    return {Timestamp = ts, Fields = {Query_time = {value = qt, representation = "s"},
                                      Lock_time = {value = lt, representation = "s"},
                                      Rows_examined = re, Rows_sent = rs}}
end
local p = S.load(plugin, {rows = 2, sec_per_row = 60})
T.eq("first", p.process(q(t0, 2, 0.5, 10, 1)), 0)
T.eq("second", p.process(q(t0 + 1e9, 4, 0.25, 15, 2)), 0)
T.eq("missing field", p.process({Timestamp = t0 + 60e9, Fields = {Query_time = 1}}), -1)
T.eq("too old", p.process(q(t0 - 600e9, 1, 1, 1, 1)), 0)
p.timer(t0 + 60e9)
T.eq("graph", p.injected, {{payload_type = "cbuf", payload_name = "Statistics",
    Payload = '{"time":1400000040,"rows":2,"columns":5,"seconds_per_row":60,"column_info":[' ..
        '{"name":"Query_Time","unit":"s","aggregation":"none"},' ..
        '{"name":"Lock_Time","unit":"s","aggregation":"none"},' ..
        '{"name":"Rows_Examined","unit":"count","aggregation":"none"},' ..
        '{"name":"Rows_Sent","unit":"count","aggregation":"none"},' ..
        '{"name":"Count","unit":"count","aggregation":"sum"}]}\n' ..
        "3\t0.375\t12\t1\t2\n" ..
        "nan\tnan\tnan\tnan\t1\n"}})
T.done()
