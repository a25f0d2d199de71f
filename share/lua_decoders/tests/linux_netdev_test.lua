-- Tests of lua_decoders/linux_netdev.lua on /proc/net/dev contents.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_decoders/linux_netdev.lua"
local netdev = [[
Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3720      40    0    0    0     0          0         0     3720      40    0    0    0     0       0          0
  eth0: 139159830 118443 1    2    0     0          0         5 178516842 107330    0    3    0     0       0          0
]]
local function I(n) return {value = n, value_type = 2} end
local function counters(iface, r, t)
    local f = {netdevice = iface, FilePath = "/proc/net/dev"}
    local rn = {"bytes", "packets", "errs", "drop", "fifo", "frame", "compressed", "multicast"}
    local tn = {"bytes", "packets", "errs", "drop", "fifo", "colls", "carrier", "compressed"}
    for i, n in ipairs(rn) do f["receive_" .. n] = I(r[i]) end
    for i, n in ipairs(tn) do f["transmit_" .. n] = I(t[i]) end
    return f
end
local lo = counters("lo", {3720, 40, 0, 0, 0, 0, 0, 0}, {3720, 40, 0, 0, 0, 0, 0, 0})
local eth0 = counters("eth0", {139159830, 118443, 1, 2, 0, 0, 0, 5},
                      {178516842, 107330, 0, 3, 0, 0, 0, 0})
local input = {Payload = netdev, Fields = {FilePath = "/proc/net/dev"}}

-- name, config, message, return code, injected messages
S.run_cases(T, plugin, {
    {"two interfaces", {}, input, 0,
     {{Type = "stats.netdev", Fields = lo}, {Type = "stats.netdev", Fields = eth0}}},
    {"header only", {}, {Payload = string.match(netdev, "^[^\n]*\n[^\n]*\n")}, -1, {}},
    {"garbage", {}, "hello\n", -1, {}},
    {"no payload", {}, nil, -1, {}},
})
local p = S.load(plugin, {payload_keep = true})
T.eq("reason", {p.process({Payload = "x"})}, {-1, "Failed to match grammar"})
T.eq("payload_keep rc", p.process(input), 0)
T.eq("payload_keep", {p.injected[1].Payload, p.injected[2].Payload}, {netdev, netdev})
T.done()
