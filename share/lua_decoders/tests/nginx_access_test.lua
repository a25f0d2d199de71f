-- Tests of lua_decoders/nginx_access.lua: config + log line -> the message
-- it injects, checked by hand against nginx's log_format definitions.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/nginx_access.lua"
local combined = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
local firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0"
local line = '127.0.0.1 - - [10/Oct/2014:13:55:36 -0700] "GET /favicon.ico HTTP/1.1" 404 571 "http://example.com/start.html" "' .. firefox .. '"'
local base_fields = {remote_addr = {value = "127.0.0.1", representation = "ipv4"},
                     remote_user = "-", request = "GET /favicon.ico HTTP/1.1", status = 404,
                     body_bytes_sent = {value = 571, representation = "B"},
                     http_referer = "http://example.com/start.html"}
local function with(extra)
    local f = S.copy(base_fields)
    for k, v in pairs(extra) do f[k] = v end
    return f
end
local ts = 1412974536e9

-- name, config, payload, return code, injected messages
local cases = {
    {"combined", {log_format = combined, type = "nginx.access"}, line, 0,
     {{Type = "nginx.access", Timestamp = ts, Fields = with({http_user_agent = firefox})}}},
    {"no type", {log_format = combined}, line, 0,
     {{Timestamp = ts, Fields = with({http_user_agent = firefox})}}},
    {"payload_keep", {log_format = combined, payload_keep = true}, line, 0,
     {{Timestamp = ts, Payload = line, Fields = with({http_user_agent = firefox})}}},
    {"ua transform", {log_format = combined, user_agent_transform = true}, line, 0,
     {{Timestamp = ts, Fields = with({user_agent_browser = "Firefox", user_agent_version = 31,
                                      user_agent_os = "Linux"})}}},
    {"ua transform keep", {log_format = combined, user_agent_transform = true,
                           user_agent_keep = true}, line, 0,
     {{Timestamp = ts, Fields = with({http_user_agent = firefox, user_agent_browser = "Firefox",
                                      user_agent_version = 31, user_agent_os = "Linux"})}}},
    {"ua conditional known", {log_format = combined, user_agent_transform = true,
                              user_agent_conditional = true}, line, 0,
     {{Timestamp = ts, Fields = with({user_agent_browser = "Firefox", user_agent_version = 31,
                                      user_agent_os = "Linux"})}}},
    {"ua conditional unknown", {log_format = combined, user_agent_transform = true,
                                user_agent_conditional = true},
     string.gsub(line, "Mozilla[^\"]*", "curl/7.35.0"), 0,
     {{Timestamp = ts, Fields = with({http_user_agent = "curl/7.35.0"})}}},
    {"iso8601 and request_time", {log_format = '$time_iso8601 $request_time $status'},
     "2015-06-01T12:30:45+02:00 0.005 200", 0,
     {{Timestamp = 1433154645e9, Fields = {request_time = {value = 0.005, representation = "s"},
                                           status = 200}}}},
    {"no match", {log_format = combined}, "garbage", -1, {}},
    {"empty line", {log_format = combined}, "", -1, {}},
    {"no payload", {log_format = combined}, nil, -1, {}},
}

S.run_cases(T, plugin, cases)

-- the message table is reused: a second line does not keep the first's fields
local p = S.load(plugin, {log_format = '$status $remote_user', payload_keep = false})
p.process({Payload = "200 bob"})
p.process({Payload = "500 -"})
T.eq("second line", p.injected, {{Fields = {status = 500, remote_user = "-"}}})

T.raises("no log_format", function() S.load(plugin, {}) end, "")
T.done()
