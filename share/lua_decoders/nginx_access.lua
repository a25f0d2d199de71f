--[[
nginx access log decoder.

Parses each line of an nginx access log written with the `log_format` given
in the configuration (the same string as in nginx.conf) and injects a
message whose Fields are the nginx variables named in the format. The time
($time_local or $time_iso8601) becomes the message Timestamp (nanoseconds
since the epoch) and is not kept as a field. A line the format does not
match fails to decode (process_message returns -1).

Config:
- log_format (string, required)
    nginx `log_format` directive, e.g.
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
    See http://nginx.org/en/docs/http/ngx_http_log_module.html
- type (string, optional, default nil)
    Value of the message Type header (unset when nil).
- user_agent_transform (bool, optional, default false)
    Replace http_user_agent with user_agent_browser, user_agent_version and
    user_agent_os (a coarse classification).
- user_agent_keep (bool, optional, default false)
    With user_agent_transform, keep http_user_agent as well.
- user_agent_conditional (bool, optional, default false)
    With user_agent_transform, keep http_user_agent only when the agent
    could not be classified.
- payload_keep (bool, optional, default false)
    Keep the original line as the message Payload.

Output message: Type = type, Timestamp = the log time, Fields = one per
variable (numbers as doubles; remote_addr with representation "ipv4" or
"ipv6", byte counts with "B", times in seconds with "s").

*Example Heka Configuration*

    [NginxAccessLog]
    type = "LogstreamerInput"
    log_directory = "/var/log/nginx"
    file_match = 'access\.log'
    decoder = "NginxAccessDecoder"

    [NginxAccessDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/nginx_access.lua"

    [NginxAccessDecoder.config]
    type = "nginx.access"
    user_agent_transform = true
    log_format = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
--]]

local clf = require "common_log_format"

process_message = clf.access_log_decoder(clf.build_nginx_grammar)
