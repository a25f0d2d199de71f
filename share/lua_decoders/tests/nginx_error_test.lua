-- Tests of lua_decoders/nginx_error.lua: error log line -> the message it
-- injects, checked by hand against nginx's error log format.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/nginx_error.lua"
local line = '2014/04/28 20:05:47 [error] 32210#0: *1 open() "/x/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1'
local text = 'open() "/x/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1'

-- name, config, payload, return code, injected messages
local cases = {
    {"default type", {}, line, 0,
     {{Type = "nginx.error", Timestamp = 1398715547e9, Severity = 3, Pid = 32210,
       Payload = text, Fields = {tid = 0, connection = 1}}}},
    {"type and no connection", {type = "web.error"}, "2014/04/28 20:05:47 [notice] 1234#5: signal process started", 0,
     {{Type = "web.error", Timestamp = 1398715547e9, Severity = 5, Pid = 1234,
       Payload = "signal process started", Fields = {tid = 5}}}},
    {"payload_keep", {payload_keep = true, tz = "UTC"}, line, 0,
     {{Type = "nginx.error", Timestamp = 1398715547e9, Severity = 3, Pid = 32210,
       Payload = line, Fields = {tid = 0, connection = 1}}}},
    {"bad level", {}, "2014/04/28 20:05:47 [loud] 1#0: x", -1, {}},
    {"not a log line", {}, "hello", -1, {}},
    {"no payload", {}, nil, -1, {}},
}

S.run_cases(T, plugin, cases)
T.done()
