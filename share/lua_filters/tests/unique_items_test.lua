-- Tests of lua_filters/unique_items.lua: items -> the cbuf (and cbufd)
-- graph of distinct counts per period (hyperloglog and circular_buffer
-- stood in by the test library; the stand-in counts exactly).
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_filters/unique_items.lua"
local p = S.load(plugin, {message_variable = "Fields[uid]", rows = 2, seconds_per_row = 3600,
                          enable_delta = true})
local h0 = 1400000400e9 -- a multiple of 3600 s
for _, m in ipairs({{h0, "u1"}, {h0 + 1e9, "u2"}, {h0 + 2e9, "u1"}, {h0 + 3600e9, 7},
                    {h0 + 3601e9, "7"}}) do
    T.eq("process " .. tostring(m[2]), p.process({Timestamp = m[1], Fields = {uid = m[2]}}), 0)
end
T.eq("too old", p.process({Timestamp = h0, Fields = {uid = "u9"}}), 0)
T.eq("not a string", p.process({Timestamp = h0 + 3602e9, Fields = {uid = true}}), -1)
T.eq("missing", p.process({Timestamp = h0 + 3602e9, Fields = {}}), -1)
p.timer(0)
local header = '{"time":1400000400,"rows":2,"columns":1,"seconds_per_row":3600,"column_info":[{"name":"uid","unit":"count","aggregation":"sum"}]}\n'
T.eq("graph and delta", p.injected, {
    {payload_type = "cbuf", payload_name = "Estimated Unique Daily Fields[uid]",
     Payload = header .. "2\n2\n"},
    {payload_type = "cbufd", payload_name = "Estimated Unique Daily Fields[uid]",
     Payload = header .. "1400000400\t2\n1400004000\t2\n"}})
p.timer(0)
T.eq("no new delta", #p.injected, 1)

p = S.load(plugin, {message_variable = "Hostname", title = "Hosts", preservation_version = 1})
T.eq("version", _PRESERVATION_VERSION, 1)
p.process({Timestamp = h0, Hostname = "h"})
p.timer(0)
T.eq("defaults", p.injected[1].payload_name, "Hosts")
T.eq("default header", string.match(p.injected[1].Payload, "^[^\n]*"),
     '{"time":1368489600,"rows":365,"columns":1,"seconds_per_row":86400,"column_info":[{"name":"Hostname","unit":"count","aggregation":"sum"}]}')
T.raises("no variable", function() S.load(plugin, {}) end, "message_variable configuration")
T.done()
