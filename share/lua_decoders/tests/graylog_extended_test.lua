-- Tests of lua_decoders/graylog_extended.lua: GELF payload -> the message it
-- injects (cjson stood in by sandbox.lua's decoder).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_decoders/graylog_extended.lua"
local gelf = '{"version":"1.1","host":"example.org","short_message":"A short message","full_message":"Backtrace here\\n\\nmore stuff","timestamp":1385053862.25,"level":1,"_user_id":9001,"_some_info":"foo"}'
local fields = {short_message = "A short message", full_message = "Backtrace here\n\nmore stuff",
                _user_id = 9001, _some_info = "foo"}

-- name, config, payload, return code, injected messages
local cases = {
    {"gelf", {type = "gelf"}, gelf, 0,
     {{Type = "gelf", Timestamp = 1385053862.25e9, EnvVersion = "1.1", Severity = 1,
       Hostname = "example.org", Fields = fields}}},
    {"payload_keep", {payload_keep = true}, gelf, 0,
     {{Timestamp = 1385053862.25e9, EnvVersion = "1.1", Severity = 1, Hostname = "example.org",
       Payload = gelf, Fields = fields}}},
    {"no timestamp", {}, '{"version":"1.1","host":"h","short_message":"m"}', -1, {}},
    {"string timestamp", {}, '{"timestamp":"1385053862"}', -1, {}},
    {"nested member", {}, '{"timestamp":1,"_x":{"y":1}}', -1, {}},
    {"not json", {}, "nope", -1, {}},
    {"no payload", {}, nil, -1, {}},
}
S.run_cases(T, plugin, cases)
T.done()
