-- Tests of lua_encoders/alert.lua: alert message -> readable text.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_encoders/alert.lua"
S.run_cases(T, plugin, {
    {"alert", {}, {Timestamp = 1400077218e9, Hostname = "ip-10-226-204-51", Logger = "HttpStatus",
                   Payload = "HTTP Status - algorithm: roc col: 1 msg: detected anomaly"}, 0,
     {{payload_type = "txt", payload_name = "",
       Payload = "Timestamp: 2014-05-14T14:20:18Z\nHostname: ip-10-226-204-51\nPlugin: HttpStatus\nAlert: HTTP Status - algorithm: roc col: 1 msg: detected anomaly\n"}}},
    {"empty headers", {}, {Timestamp = 0}, 0,
     {{payload_type = "txt", payload_name = "",
       Payload = "Timestamp: 1970-01-01T00:00:00Z\nHostname: \nPlugin: \nAlert: \n"}}},
})
T.done()
