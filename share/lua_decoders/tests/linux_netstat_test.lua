-- Tests of lua_decoders/linux_netstat.lua on /proc/net/snmp and
-- /proc/net/netstat contents.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/linux_netstat.lua"
local snmp = [[
Ip: Forwarding DefaultTTL InReceives
Ip: 1 64 718979
Icmp: InMsgs InErrors
Icmp: 19893 0
Tcp: RtoAlgorithm RtoMin MaxConn
Tcp: 1 200 -1
]]
local netstat = [[
TcpExt: SyncookiesSent SyncookiesRecv
TcpExt: 0 3
IpExt: InNoRoutes InTruncatedPkts
IpExt: 7 0
]]
local function I(n) return {value = n, value_type = 2} end

-- name, config, message, return code, injected messages
S.run_cases(T, plugin, {
    {"snmp", {}, {Payload = snmp, Fields = {FilePath = "/proc/net/snmp"}}, 0,
     {{Type = "stats.netstat", Fields = {Ip_Forwarding = I(1), Ip_DefaultTTL = I(64),
       Ip_InReceives = I(718979), Icmp_InMsgs = I(19893), Icmp_InErrors = I(0),
       Tcp_RtoAlgorithm = I(1), Tcp_RtoMin = I(200), Tcp_MaxConn = I(-1),
       FilePath = "/proc/net/snmp"}}}},
    {"netstat payload_keep", {payload_keep = true}, netstat, 0,
     {{Type = "stats.netstat", Payload = netstat, Fields = {TcpExt_SyncookiesSent = I(0),
       TcpExt_SyncookiesRecv = I(3), IpExt_InNoRoutes = I(7), IpExt_InTruncatedPkts = I(0)}}}},
    {"names without values", {}, "Ip: Forwarding DefaultTTL\n", -1, {}},
    {"count mismatch", {}, "Ip: Forwarding DefaultTTL\nIp: 1\n", -1, {}},
    {"protocol mismatch", {}, "Ip: Forwarding\nTcp: 1\n", -1, {}},
    {"no payload", {}, nil, -1, {}},
})
T.done()
