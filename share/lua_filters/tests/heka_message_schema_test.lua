-- Tests of lua_filters/heka_message_schema.lua: messages -> schema text.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_filters/heka_message_schema.lua"
local p = S.load(plugin, {})
T.eq("1", p.process({Logger = "Web", Type = "nginx.access", Fields = {status = 200, request = "GET /"}}), 0)
T.eq("2", p.process({Logger = "Web", Type = "nginx.access", Fields = {status = "x"}}), 0)
T.eq("3", p.process({Logger = "Web", Type = "nginx.access", EnvVersion = "1", Fields = {ok = true}}), 0)
T.eq("4", p.process({Type = "bare"}), 0)
T.eq("no injection", p.injected, {})
p.timer(0)
T.eq("schema", p.injected, {{payload_type = "txt", payload_name = "Message Schema", Payload =
    "Logger -> Type -> EnvVersion -> Field Attributes.\n" ..
    "The number in brackets is the number of occurrences of each logger/type/attribute.\n\n" ..
    "-no logger- [1]\n" ..
    "    bare [1]\n" ..
    "         -no version- [1]\n" ..
    "Web [3]\n" ..
    "    nginx.access [3]\n" ..
    "         -no version- [2]\n" ..
    "            request (string - optional [1])\n" ..
    "            status (mismatch)\n" ..
    "         1 [1]\n" ..
    "            ok (bool)\n"}})
T.done()
