--[[
Alert encoder.

Writes the alert messages filters send (heka.sandbox-output messages with
payload_type "alert", see the alert module) as readable text, e.g. for an
SmtpOutput:

    Timestamp: 2014-05-14T14:20:18Z
    Hostname: ip-10-226-204-51
    Plugin: HttpStatus
    Alert: HTTP Status - algorithm: roc col: 1 msg: detected anomaly, standard deviation exceeds 1.5

(Timestamp in UTC; Plugin is the message Logger, the filter's name;
Alert the Payload.)

Config: none.

*Example Heka Configuration*

    [AlertEncoder]
    type = "SandboxEncoder"
    filename = "lua_encoders/alert.lua"

    [AlertMail]
    type = "SmtpOutput"
    message_matcher = "Type == 'heka.sandbox-output' && Fields[payload_type] == 'alert'"
    send_from = "heka@example.com"
    send_to = ["alerts@example.com"]
    host = "localhost:25"
    encoder = "AlertEncoder"
--]]

local os = require "os"
local string = require "string"

local function text(var)
    local v = read_message(var)
    if v == nil then return "" end
    return tostring(v)
end

function process_message()
    local ts = os.date("!%Y-%m-%dT%H:%M:%SZ", (read_message("Timestamp") or 0) / 1e9)
    inject_payload("txt", "", string.format("Timestamp: %s\nHostname: %s\nPlugin: %s\nAlert: %s\n",
                                            ts, text("Hostname"), text("Logger"), text("Payload")))
    return 0
end
