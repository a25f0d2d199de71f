-- Tests of lua_modules/ip_address.lua: each address -> whether v4 / v6
-- match all of it.
local T = require "testlib"
local lpeg = require "lpeg" -- C LPeg defines the global lpeg itself
local before = T.globals()
local ip = require "ip_address"
T.no_new_globals("require ip_address", before)

local whole_v4 = lpeg.C(ip.v4) * -1
local whole_v6 = lpeg.C(ip.v6) * -1

-- input, v4 matches all of it, v6 matches all of it
local cases = {
    {"0.0.0.0", true, false},
    {"127.0.0.1", true, false},
    {"192.168.1.10", true, false},
    {"255.255.255.255", true, false},
    {"249.200.199.100", true, false},
    {"256.1.1.1", false, false},
    {"1.2.3", false, false},
    {"1.2.3.4.5", false, false},
    {"01.2.3.4", false, false}, -- no leading zeros
    {"a.b.c.d", false, false},
    {"", false, false},
    {"::", false, true},
    {"::1", false, true},
    {"1::", false, true},
    {"2001:db8::1", false, true},
    {"2001:0db8:0000:0000:0000:ff00:0042:8329", false, true},
    {"2001:db8:0:0:0:ff00:42:8329", false, true},
    {"2001:DB8::FF00:42:8329", false, true},
    {"fe80::1:2:3:4:5", false, true},
    {"a:b::c:d", false, true},
    {"a:b:c:d:e:f::", false, true},
    {"a:b:c:d:e:f:g::", false, false}, -- g is not hex
    {"1:2:3:4:5:6:7::", false, true},
    {"::2:3:4:5:6:7:8", false, true},
    {"1:2:3:4:5::7:8", false, true},
    {"::ffff:192.0.2.128", false, true},
    {"64:ff9b::192.0.2.33", false, true},
    {"1:2:3:4:5:6:1.2.3.4", false, true},
    {"1:2:3:4:5:6:7:8:9", false, false},
    {"1:2:3:4:5:6:7", false, false},
    {"1::2::3", false, false},
    {"12345::", false, false},
    {":1", false, false},
    {"::ffff:256.0.0.1", false, false},
}

for _, c in ipairs(cases) do
    local input, v4, v6 = c[1], c[2], c[3]
    T.eq("v4 " .. input, whole_v4:match(input) ~= nil, v4)
    T.eq("v6 " .. input, whole_v6:match(input) ~= nil, v6)
end

-- inside a larger grammar: the address is found and the rest left alone
local addr_then_port = lpeg.C(ip.v4) * ":" * lpeg.C(lpeg.R"09"^1)
T.eq("v4 prefix", {addr_then_port:match("10.1.2.3:8080")}, {"10.1.2.3", "8080"})
T.eq("v6 prefix", lpeg.match(lpeg.C(ip.v6), "2001:db8::1 rest"), "2001:db8::1")

T.no_new_globals("after use", before)
T.done()
