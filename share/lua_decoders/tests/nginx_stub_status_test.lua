-- Tests of lua_decoders/nginx_stub_status.lua on stub_status pages.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/nginx_stub_status.lua"
local page = "Active connections: 291 \nserver accepts handled requests\n 16630948 16630948 31070465 \nReading: 6 Writing: 179 Waiting: 106 \n"
local fields = {connections = 291, accepts = 16630948, handled = 16630948, requests = 31070465,
                reading = 6, writing = 179, waiting = 106}
S.run_cases(T, plugin, {
    {"page", {}, page, 0, {{Type = "nginx_stub_status", Fields = fields}}},
    {"type and payload_keep", {type = "nginx.status", payload_keep = true}, page, 0,
     {{Type = "nginx.status", Payload = page, Fields = fields}}},
    {"truncated", {}, "Active connections: 291 \nserver accepts handled requests\n 1 2 3\n", -1, {}},
    {"no payload", {}, nil, -1, {}},
})
T.done()
