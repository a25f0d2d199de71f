--[[
Heartbeat monitor.

Tracks the hosts that send heartbeat messages (by message Hostname and
Timestamp). On every timer event a host whose last heartbeat is older than
heartbeat_timeout is marked "down" and, unless an alert was sent for it in
the last alert_throttle seconds, named in an alert ("Missing Heartbeat -
<host>"; the alerts of one timer event go out as one inject_payload
"alert"); the others are marked "up". Then the table of hosts is sent as
JSON (inject_payload "json" named "heartbeat"):
{"<host>":{"last_heartbeat":<ms>,"last_alert":<ms>,"status":"up"|"down"},...}

Config:
- heartbeat_timeout (uint, optional, default 30)
    Seconds without a heartbeat after which a host is down.
- alert_throttle (uint, optional, default 300)
    Minimum seconds between two alerts for the same host.

*Example Heka Configuration*

    [Heartbeat]
    type = "SandboxFilter"
    filename = "lua_filters/heartbeat.lua"
    ticker_interval = 30
    preserve_data = true
    message_matcher = "Type == 'heartbeat'"

    [Heartbeat.config]
    heartbeat_timeout = 30
    alert_throttle = 300

    [AlertEncoder]
    type = "SandboxEncoder"
    filename = "lua_encoders/alert.lua"

    [EmailAlert]
    type = "SmtpOutput"
    message_matcher = "Type == 'heka.sandbox-output' && Fields[payload_type] == 'alert'"
    send_from = "alerts@example.com"
    send_to = ["admin@example.com"]
    host = "mail.example.com:25"
    encoder = "AlertEncoder"
--]]

local cjson = require "cjson"
local math = require "math"
local string = require "string"
local alert = require "alert"

-- the per-host throttle below replaces the module's global one
alert.set_throttle(0)

local timeout_ms = (read_config("heartbeat_timeout") or 30) * 1000
local throttle_ms = (read_config("alert_throttle") or 300) * 1000

hosts = {}

function process_message()
    local ms = math.floor(read_message("Timestamp") / 1e6)
    local name = read_message("Hostname")
    local host = hosts[name]
    if host then
        host.last_heartbeat = ms
    else
        hosts[name] = {last_heartbeat = ms, last_alert = 0, status = "up"}
    end
    return 0
end

function timer_event(ns)
    local now = math.floor(ns / 1e6)
    for name, host in pairs(hosts) do
        if now - host.last_heartbeat > timeout_ms then
            host.status = "down"
            if now - host.last_alert > throttle_ms then
                alert.queue(ns, string.format("Missing Heartbeat - %s\n", name))
                host.last_alert = now
            end
        else
            host.status = "up"
        end
    end
    alert.send_queue(ns)
    inject_payload("json", "heartbeat", cjson.encode(hosts))
end
