-- Tests of lua_decoders/apache_access.lua: LogFormat + log line -> the
-- message it injects, checked by hand against Apache's LogFormat directives.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/apache_access.lua"
local combined = '%h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\"'
local common = '%h %l %u %t \\"%r\\" %>s %O'
local vhost = '%v:%p %h %l %u %t \\"%r\\" %>s %O'
local chrome = "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/37.0.2062.124 Safari/537.36"
local line = '127.0.0.1 - frank [10/Oct/2014:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "' .. chrome .. '"'
local ts = 1412974536e9
local base = {remote_addr = {value = "127.0.0.1", representation = "ipv4"},
              remote_user = "frank", request = "GET /apache_pb.gif HTTP/1.0", status = 200,
              response_length = {value = 2326, representation = "B"}}
local function with(extra)
    local f = S.copy(base)
    for k, v in pairs(extra) do f[k] = v end
    return f
end

-- name, config, payload, return code, injected messages
local cases = {
    {"combined", {log_format = combined, type = "apache.access"}, line, 0,
     {{Type = "apache.access", Timestamp = ts,
       Fields = with({http_referer = "http://www.example.com/start.html", http_user_agent = chrome})}}},
    {"common", {log_format = common}, '127.0.0.1 - frank [10/Oct/2014:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326', 0,
     {{Timestamp = ts, Fields = with({})}}},
    {"vhost", {log_format = vhost, payload_keep = true},
     'www.example.com:80 127.0.0.1 - frank [10/Oct/2014:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326', 0,
     {{Timestamp = ts, Payload = 'www.example.com:80 127.0.0.1 - frank [10/Oct/2014:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
       Fields = with({server_name = {value = "www.example.com", representation = "hostname"}, server_port = 80})}}},
    {"ua transform", {log_format = combined, user_agent_transform = true}, line, 0,
     {{Timestamp = ts, Fields = with({http_referer = "http://www.example.com/start.html",
                                      user_agent_browser = "Chrome", user_agent_version = 37,
                                      user_agent_os = "Windows 7"})}}},
    {"no match", {log_format = combined}, "127.0.0.1 - frank", -1, {}},
    {"no payload", {log_format = combined}, nil, -1, {}},
}

S.run_cases(T, plugin, cases)
T.done()
