-- Tests of lua_filters/heartbeat.lua: heartbeats -> host table JSON and
-- throttled alerts on timer events (cjson stood in by the test library).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/heartbeat.lua"
local p = S.load(plugin, {heartbeat_timeout = 30, alert_throttle = 300})
local t0 = 1415311800e9
T.eq("a", p.process({Hostname = "a", Timestamp = t0}), 0)
T.eq("b", p.process({Hostname = "b", Timestamp = t0 + 1e9}), 0)
T.eq("no injection", p.injected, {})

p.timer(t0 + 20e9)
T.eq("all up", p.injected, {{payload_type = "json", payload_name = "heartbeat",
    Payload = '{"a":{"last_alert":0,"last_heartbeat":1415311800000,"status":"up"},' ..
              '"b":{"last_alert":0,"last_heartbeat":1415311801000,"status":"up"}}'}})

p.process({Hostname = "b", Timestamp = t0 + 40e9})
p.timer(t0 + 40e9)
T.eq("a down, alerted", p.injected, {
    {payload_type = "alert", payload_name = "", Payload = "Missing Heartbeat - a\n"},
    {payload_type = "json", payload_name = "heartbeat",
     Payload = '{"a":{"last_alert":1415311840000,"last_heartbeat":1415311800000,"status":"down"},' ..
               '"b":{"last_alert":0,"last_heartbeat":1415311840000,"status":"up"}}'}})

p.timer(t0 + 100e9)
T.eq("both down, a throttled", p.injected, {
    {payload_type = "alert", payload_name = "", Payload = "Missing Heartbeat - b\n"},
    {payload_type = "json", payload_name = "heartbeat",
     Payload = '{"a":{"last_alert":1415311840000,"last_heartbeat":1415311800000,"status":"down"},' ..
               '"b":{"last_alert":1415311900000,"last_heartbeat":1415311840000,"status":"down"}}'}})

p.timer(t0 + 341e9)
T.eq("a alerted again after the throttle", p.injected[1],
     {payload_type = "alert", payload_name = "", Payload = "Missing Heartbeat - a\n"})

-- defaults: 30 s timeout
p = S.load(plugin, {})
p.process({Hostname = "h", Timestamp = t0})
p.timer(t0 + 30e9)
T.eq("30 s is not late", #p.injected, 1)
p.timer(t0 + 31e9)
T.eq("31 s is late", p.injected[1].payload_type, "alert")
T.done()
