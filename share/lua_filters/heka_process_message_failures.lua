--[[
Process message failure monitor.

Watches the heka.all-report messages (the JSON report of every plugin) for
the plugins that count ProcessMessageFailures (the sandboxes) and keeps,
per plugin name, the failure count of each report in a circular buffer of
60 one-minute rows (column "Failures", only counts above zero are stored).
On every timer event each plugin's buffer is run through anomaly
detection; the anomalies found go out together as one alert
(inject_payload "alert"), at most one per plugin per hour. A plugin missing
from the latest report (a removed dynamic plugin) is forgotten. A report
that is not JSON, or an entry that is not an object or has no Name, is a
processing failure (-1).

Config:
- anomaly_config (string, optional, default 'mww_nonparametric("DEFAULT", 1, 5, 10, 0.7)')
    Anomaly detection specifications keyed by plugin name (see the anomaly
    module); the "DEFAULT" one applies to every plugin without its own.

*Example Heka Configuration*

    [FailureMonitor]
    type = "SandboxFilter"
    filename = "lua_filters/heka_process_message_failures.lua"
    ticker_interval = 60
    preserve_data = false
    message_matcher = "Type == 'heka.all-report'"

    [AlertEncoder]
    type = "SandboxEncoder"
    filename = "lua_encoders/alert.lua"

    [AlertMail]
    type = "SmtpOutput"
    message_matcher = "Type == 'heka.sandbox-output' && Fields[payload_type] == 'alert'"
    send_from = "heka@example.com"
    send_to = ["alerts@example.com"]
    encoder = "AlertEncoder"
--]]

local cjson = require "cjson"
local circular_buffer = require "circular_buffer"
local alert = require "alert"
local anomaly = require "anomaly"

local sections = {"inputs", "decoders", "filters", "encoders", "outputs"}
local anomaly_config = anomaly.parse_config(read_config("anomaly_config")
    or 'mww_nonparametric("DEFAULT", 1, 5, 10, 0.7)')
local hour = 3600 * 1e9

local plugins = {}
local last_report = 0

local function plugin(name)
    local p = plugins[name]
    if p then return p end
    local cb = circular_buffer.new(60, 1, 60)
    cb:set_header(1, "Failures", "count", "max")
    p = {last_report = 0, last_alert = 0, cbuf = cb}
    plugins[name] = p
    if not anomaly_config[name] then anomaly_config[name] = anomaly_config.DEFAULT end
    return p
end

function process_message()
    local ok, report = pcall(cjson.decode, read_message("Payload"))
    if not ok or type(report) ~= "table" then return -1 end
    last_report = read_message("Timestamp")
    for _, section in ipairs(sections) do
        for _, entry in ipairs(report[section] or {}) do
            if type(entry) ~= "table" then return -1, "invalid entry in section " .. section end
            -- only the plugins that count failures have the object
            if type(entry.ProcessMessageFailures) == "table" then
                if not entry.Name then return -1, "missing plugin Name" end
                local p = plugin(entry.Name)
                p.last_report = last_report
                local n = entry.ProcessMessageFailures.value
                if type(n) == "number" and n > 0 then p.cbuf:set(last_report, 1, n) end
            end
        end
    end
    return 0
end

function timer_event(ns)
    for name, p in pairs(plugins) do
        if ns - p.last_alert > hour then
            local msg = anomaly.detect(ns, name, p.cbuf, anomaly_config)
            if msg then
                alert.queue(0, msg)
                p.last_alert = ns
            end
        end
        if p.last_report ~= last_report then
            plugins[name] = nil
            anomaly_config[name] = nil
        end
    end
    alert.send_queue(0)
end
