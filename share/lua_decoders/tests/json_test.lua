-- Tests of lua_decoders/json.lua: config + JSON payload -> the message it
-- injects (cjson stood in by sandbox.lua's decoder).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_decoders/json.lua"
local artemis = '{"msg":"Start Request","event":"artemis.web.ensure-running","extra":{"workspace-id":"cN907xLngi"},"time":"2015-05-06T20:40:05Z","severity":1}'
local artemis_fields = {msg = "Start Request", event = "artemis.web.ensure-running",
                        ["extra.workspace-id"] = "cN907xLngi", time = "2015-05-06T20:40:05Z",
                        severity = 1}
local mapped = {type = "artemis", map_fields = true, Severity = "severity", Hostname = "host",
                Timestamp = "time", timestamp_format = "%Y-%m-%dT%H:%M:%SZ"}

-- name, config, payload, return code, injected messages
local cases = {
    {"defaults", {}, artemis, 0, {{Type = "json", Fields = artemis_fields}}},
    {"payload_keep", {payload_keep = true, type = "artemis"}, artemis, 0,
     {{Type = "artemis", Payload = artemis, Fields = artemis_fields}}},
    {"mapped", mapped, artemis, 0,
     {{Type = "artemis", Severity = 1, Timestamp = 1430944805e9,
       Fields = {msg = "Start Request", event = "artemis.web.ensure-running",
                 ["extra.workspace-id"] = "cN907xLngi"}}}},
    {"mapped wrong type stays a field", {map_fields = true, Severity = "sev", Type = "kind",
                                         Payload = "msg"},
     '{"sev":"high","kind":"k1","msg":"hello","n":2}', 0,
     {{Type = "k1", Payload = "hello", Fields = {sev = "high", n = 2}}}},
    {"mapping ignored without map_fields", {Severity = "severity"}, '{"severity":3}', 0,
     {{Type = "json", Fields = {severity = 3}}}},
    {"timestamp ns", {Timestamp = "ts"}, '{"ts":1430944805000000000,"a":"b"}', 0,
     {{Type = "json", Timestamp = 1430944805e9, Fields = {a = "b"}}}},
    {"bad timestamp", mapped, '{"time":"yesterday"}', -1, {}},
    {"separator and depth", {separator = "_", maximum_depth = 2},
     '{"a":{"b":{"c":1}},"d":[1,2],"e":null}', 0,
     {{Type = "json", Fields = {a_b = '{"c":1}', d_1 = 1, d_2 = 2}}}},
    {"not json", {}, "{oops", -1, {}},
    {"not an object", {}, '"text"', -1, {}},
    {"no payload", {}, nil, -1, {}},
    {"arrays flattened by index", {}, '{"a":[{"b":1}]}', 0, {{Type = "json", Fields = {["a.1.b"] = 1}}}},
}
S.run_cases(T, plugin, cases)

local p = S.load(plugin, {})
T.eq("failure reason", {p.process({Payload = "{"})}, {-1, "Failed to decode JSON."})
p = S.load(plugin, mapped)
T.eq("timestamp reason", {p.process({Payload = '{"time":"x"}'})}, {-1, "Failed to decode timestamp."})
-- a second message without a Timestamp member does not keep the first's
p.process({Payload = artemis})
p.process({Payload = '{"a":1}'})
T.eq("no stale timestamp", p.injected, {{Type = "artemis", Fields = {a = 1}}})
T.done()
