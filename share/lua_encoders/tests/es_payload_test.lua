-- Tests of lua_encoders/es_payload.lua: message -> Bulk API action line and
-- payload (cjson stood in by the test library).
local T = require "testlib"
local S = require "sandbox"
S.stub_cjson(T)

local plugin = "lua_encoders/es_payload.lua"
local msg = {Timestamp = 1401969600e9, Logger = "mylogger", Type = "mytype",
             Hostname = "host.example.com", Payload = '{"json":"data"}'}
local function out(text) return {{payload_type = "txt", payload_name = "", Payload = text}} end

S.run_cases(T, plugin, {
    {"interpolated", {es_index_from_timestamp = true, index = "%{Logger}-%{%Y.%m.%d}",
                      type_name = "%{Type}-%{Hostname}"}, msg, 0,
     out('{"index":{"_index":"mylogger-2014.06.05","_type":"mytype-host.example.com"}}\n{"json":"data"}\n')},
    {"id, payload with newline", {es_index_from_timestamp = true, id = "%{Hostname}"},
     {Timestamp = 1401969600e9, Hostname = "h", Payload = "x\n"}, 0,
     out('{"index":{"_id":"h","_index":"heka-2014.06.05","_type":"message"}}\nx\n')},
    {"no payload", {index = "i"}, {Timestamp = 0}, 0,
     out('{"index":{"_index":"i","_type":"message"}}\n\n')},
})

-- without es_index_from_timestamp the index uses the current time
local p = S.load(plugin, {})
p.process(msg)
T.eq("now", string.match(p.injected[1].Payload, '"_index":"heka%-(%d%d%d%d)'), os.date("!%Y"))
T.done()
