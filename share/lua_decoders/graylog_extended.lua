--[[
Graylog Extended Log Format (GELF) decoder.

Parses a Payload holding one GELF JSON object
(http://docs.graylog.org/en/latest/pages/gelf.html) and injects a message:
- Timestamp: "timestamp" (seconds since the epoch, fractions allowed) in
  nanoseconds; a payload without a numeric timestamp fails to decode (-1)
- EnvVersion: "version"
- Severity: "level"
- Hostname: "host"
- Fields: every other member as is (short_message, full_message, _user_id,
  ...). A member holding an object or array cannot be a field: the message
  fails to decode.
A Payload that is not JSON fails to decode (-1).

Config:
- type (string, optional, default nil)
    Value of the message Type header.
- payload_keep (bool, optional, default false)
    Keep the original JSON text as the Payload.

*Example Heka Configuration*

    [GelfLogInput]
    type = "LogstreamerInput"
    log_directory = "/var/log"
    file_match = 'application\.gelf'
    decoder = "GelfDecoder"

    [GelfDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/graylog_extended.lua"

    [GelfDecoder.config]
    type = "gelf"
    payload_keep = true
--]]

local cjson = require "cjson"

local msg_type = read_config("type")
local payload_keep = read_config("payload_keep")

function process_message()
    local text = read_message("Payload")
    local ok, gelf = pcall(cjson.decode, text)
    if not ok or type(gelf) ~= "table" then return -1 end
    local ts = gelf.timestamp
    if type(ts) ~= "number" then return -1 end

    local msg = {Type = msg_type, Timestamp = ts * 1e9, EnvVersion = gelf.version,
                 Severity = gelf.level, Hostname = gelf.host}
    if payload_keep then msg.Payload = text end
    gelf.timestamp, gelf.version, gelf.level, gelf.host = nil, nil, nil, nil
    msg.Fields = gelf
    if not pcall(inject_message, msg) then return -1 end
    return 0
end
