--[[
nginx error log decoder.

Parses the lines of an nginx error log (nginx's fixed format:
`2014/01/10 07:04:56 [notice] 16842#0: *8878 message`) and injects one
message per line:
- Timestamp: the log time (the zone given by tz; the host applies it)
- Severity: the level (debug 7, info 6, notice 5, warn 4, error 3, crit 2,
  alert 1, emerg 0)
- Pid: the nginx process id
- Payload: the message text (or the whole line with payload_keep)
- Fields[tid] (thread id) and, when the line names one, Fields[connection].
A line that is not in this format fails to decode (-1).

Config:
- type (string, optional, default "nginx.error")
    Value of the message Type header.
- tz (string, optional, default "UTC")
    Time zone of the log times.
- payload_keep (bool, optional, default false)
    Use the whole original line as the Payload.

*Example Heka Configuration*

    [NginxErrorLog]
    type = "LogstreamerInput"
    log_directory = "/var/log/nginx"
    file_match = 'error\.log'
    decoder = "NginxErrorDecoder"

    [NginxErrorDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/nginx_error.lua"

    [NginxErrorDecoder.config]
    tz = "America/Los_Angeles"
--]]

local clf = require "common_log_format"

local msg_type = read_config("type") or "nginx.error"
local payload_keep = read_config("payload_keep")

function process_message()
    local line = read_message("Payload")
    if type(line) ~= "string" then return -1 end
    local msg = clf.nginx_error_grammar:match(line)
    if msg == nil then return -1 end
    msg.Type = msg_type
    if payload_keep then msg.Payload = line end
    inject_message(msg)
    return 0
end
