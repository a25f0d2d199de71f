-- Tests of lua_filters/heka_process_message_failures.lua: heka.all-report
-- JSON -> failure buffers per plugin and alerts (cjson, circular_buffer
-- stood in by the test library).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/heka_process_message_failures.lua"
local function report(ts, failures)
    local filters = {}
    for name, n in pairs(failures) do
        filters[#filters + 1] = {Name = name, ProcessMessageFailures = {value = n, representation = "count"}}
    end
    table.sort(filters, function(a, b) return a.Name < b.Name end)
    return {Timestamp = ts, Payload = T.json({inputs = {{Name = "TcpInput"}}, filters = filters})}
end

-- a roc on the failures: quiet for 5 minutes, then a burst
local cfg = {anomaly_config = 'roc("Counter", 1, 2, 0, 1.5, false, false)'}
local p = S.load(plugin, cfg)
local t0 = 1400000040e9
for i = 0, 6 do
    T.eq("report " .. i, p.process(report(t0 + i * 60e9, {Counter = 1, Other = 1})), 0)
end
T.eq("burst", p.process(report(t0 + 7 * 60e9, {Counter = 500, Other = 1})), 0)
-- the burst's row is complete once the next report starts a new row
T.eq("after burst", p.process(report(t0 + 8 * 60e9, {Counter = 1, Other = 1})), 0)
p.timer(t0 + 8 * 60e9 + 1e9)
T.eq("alert count", #p.injected, 1)
T.eq("alert type", p.injected[1].payload_type, "alert")
T.eq("alert names Counter", string.match(p.injected[1].Payload, "^Counter %- algorithm: roc") ~= nil, true)

-- within the hour no second alert for Counter
p.process(report(t0 + 9 * 60e9, {Counter = 900, Other = 1}))
p.process(report(t0 + 10 * 60e9, {Counter = 1, Other = 1}))
p.timer(t0 + 10 * 60e9 + 1e9)
T.eq("throttled", p.injected, {})

-- the default configuration runs on every plugin without alerting on flat data
p = S.load(plugin, {})
for i = 0, 20 do p.process(report(t0 + i * 60e9, {A = 2})) end
p.timer(t0 + 20 * 60e9 + 1e9)
T.eq("default quiet", p.injected, {})

T.eq("not json", p.process({Timestamp = t0, Payload = "{"}), -1)
T.eq("bad entry", {p.process({Timestamp = t0, Payload = '{"filters":[1]}'})},
     {-1, "invalid entry in section filters"})
T.eq("no name", {p.process({Timestamp = t0, Payload = '{"filters":[{"ProcessMessageFailures":{"value":1}}]}'})},
     {-1, "missing plugin Name"})
T.done()
