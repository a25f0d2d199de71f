-- Tests of lua_filters/http_status.lua: messages with status codes ->
-- the cbuf graph it injects on timer events (circular_buffer and cjson
-- stood in by the test library).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_filters/http_status.lua"
local header = '{"time":%d,"rows":3,"columns":6,"seconds_per_row":60,"column_info":[{"name":"HTTP_100","unit":"count","aggregation":"sum"},{"name":"HTTP_200","unit":"count","aggregation":"sum"},{"name":"HTTP_300","unit":"count","aggregation":"sum"},{"name":"HTTP_400","unit":"count","aggregation":"sum"},{"name":"HTTP_500","unit":"count","aggregation":"sum"},{"name":"HTTP_UNKNOWN","unit":"count","aggregation":"sum"}]}\n'
local t0 = 1400000040e9 -- a multiple of 60 s

local p = S.load(plugin, {rows = 3, sec_per_row = 60})
local msgs = {
    {Timestamp = t0, Fields = {status = 200}, rc = 0},
    {Timestamp = t0 + 1e9, Fields = {status = 204}, rc = 0},
    {Timestamp = t0 + 2e9, Fields = {status = 404}, rc = 0},
    {Timestamp = t0 + 60e9, Fields = {status = 503}, rc = 0},
    {Timestamp = t0 + 61e9, Fields = {status = 99}, rc = 0},
    {Timestamp = t0 + 62e9, Fields = {status = 600}, rc = 0},
    {Timestamp = t0 + 63e9, Fields = {status = 101}, rc = 0},
    {Timestamp = t0 + 64e9, Fields = {status = 302}, rc = 0},
    {Timestamp = t0 + 65e9, Fields = {status = "200"}, rc = -1},
    {Timestamp = t0 + 66e9, Fields = {}, rc = -1},
}
for i, m in ipairs(msgs) do
    T.eq("process " .. i, p.process(m), m.rc)
    T.eq("process " .. i .. " injects nothing", p.injected, {})
end
p.timer(t0 + 70e9)
T.eq("graph", p.injected, {{payload_type = "cbuf", payload_name = "HTTP Status",
    Payload = string.format(header, 1400000040 - 60) ..
        "nan\tnan\tnan\tnan\tnan\tnan\n" ..
        "nan\t2\tnan\t1\tnan\tnan\n" ..
        "1\tnan\t1\tnan\t1\t2\n"}})
T.eq("preservation version", _PRESERVATION_VERSION, 1)

-- status_field and preservation_version; a message older than the window
p = S.load(plugin, {rows = 3, sec_per_row = 60, status_field = "code", preservation_version = 4})
T.eq("preservation version 4", _PRESERVATION_VERSION, 5)
T.eq("code field", p.process({Timestamp = t0, Fields = {code = 500}}), 0)
T.eq("status ignored", p.process({Timestamp = t0, Fields = {status = 500}}), -1)
T.eq("too old", p.process({Timestamp = t0 - 600e9, Fields = {code = 200}}), 0)
p.timer(t0)
T.eq("graph code", p.injected[1].Payload, string.format(header, 1400000040 - 120) ..
    "nan\tnan\tnan\tnan\tnan\tnan\n" .. "nan\tnan\tnan\tnan\tnan\tnan\n" ..
    "nan\tnan\tnan\tnan\t1\tnan\n")

-- with anomaly_config (quiet): the annotations line comes before the cbuf
p = S.load(plugin, {rows = 3, sec_per_row = 60,
                    anomaly_config = 'mww_nonparametric("HTTP Status", 5, 1, 1, 0.8)'})
p.process({Timestamp = t0, Fields = {status = 200}})
p.timer(t0)
T.eq("anomaly quiet count", #p.injected, 1)
T.eq("anomaly quiet annotations", string.match(p.injected[1].Payload, "^[^\n]*\n"),
     '{"annotations":{}}\n')

-- roc with loss_of_data: steady 2xx traffic, then none: one alert, throttled,
-- and the annotation on the graph
p = S.load(plugin, {rows = 60, sec_per_row = 60, alert_throttle = 3600,
                    anomaly_config = 'roc("HTTP Status", 2, 15, 0, 1.5, true, false)'})
for i = 0, 40 do p.process({Timestamp = t0 + i * 60e9, Fields = {status = 200}}) end
p.timer(t0 + 59 * 60e9)
T.eq("alert and graph", {#p.injected, p.injected[1].payload_type, p.injected[1].Payload,
                         p.injected[2].payload_type, p.injected[2].payload_name},
     {2, "alert", "HTTP Status - algorithm: roc col: 2 msg: no new data", "cbuf", "HTTP Status"})
T.eq("annotation", string.match(p.injected[2].Payload, "^[^\n]*"),
     T.json({annotations = {{x = (t0 + 59 * 60e9) / 1e6, col = 2, shortText = "A",
                             text = "no new data"}}}))
p.timer(t0 + 60 * 60e9)
T.eq("throttled", {#p.injected, p.injected[1].payload_type}, {1, "cbuf"})

T.raises("bad anomaly_config", function() S.load(plugin, {anomaly_config = "nope()"}) end, "")
T.done()
