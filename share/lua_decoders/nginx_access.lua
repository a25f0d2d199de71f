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

local cfg = {
    log_format = read_config("log_format"),
    type = read_config("type"),
    ua_transform = read_config("user_agent_transform"),
    ua_keep = read_config("user_agent_keep"),
    ua_conditional = read_config("user_agent_conditional"),
    payload_keep = read_config("payload_keep"),
}

local line_grammar = clf.build_nginx_grammar(cfg.log_format)

-- reused for every line; inject_message copies it
local out = {Timestamp = nil, Type = cfg.type, Payload = nil, Fields = nil}

-- transform_agent applies the user_agent_* options to fields
local function transform_agent(fields)
    local ua = fields.http_user_agent
    if not (ua and cfg.ua_transform) then return end
    local browser, version, os = clf.normalize_user_agent(ua)
    fields.user_agent_browser = browser
    fields.user_agent_version = version
    fields.user_agent_os = os
    local keep = cfg.ua_keep or (cfg.ua_conditional and browser == nil)
    if not keep then fields.http_user_agent = nil end
end

function process_message()
    local line = read_message("Payload")
    if type(line) ~= "string" then return -1 end
    local fields = line_grammar:match(line)
    if fields == nil then return -1 end
    out.Timestamp, fields.time = fields.time, nil
    if cfg.payload_keep then out.Payload = line end
    transform_agent(fields)
    out.Fields = fields
    inject_message(out)
    return 0
end
