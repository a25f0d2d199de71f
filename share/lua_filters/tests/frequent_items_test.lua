-- Tests of lua_filters/frequent_items.lua: item stream -> tsv of the
-- heaviest items on timer events.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_filters/frequent_items.lua"
local day = 86400e9
local p = S.load(plugin, {message_variable = "Fields[ip]", max_items = 2, min_output_weight = 1})
local function send(ip, ts) return p.process({Timestamp = ts or day, Fields = {ip = ip}}) end
for _ = 1, 3 do send("a") end
for _ = 1, 2 do send("b") end
T.eq("c evicts the ones", send("c"), 0) -- set full: all drop by one: a 2, b 1
send("c")                               -- full again: a 1, b 0 forgotten
send("c")                               -- one slot free: c 1
send("c")                               -- c 2
T.eq("missing variable", p.process({Timestamp = day, Fields = {}}), -1)
p.timer(0)
T.eq("tsv", p.injected, {{payload_type = "tsv", payload_name = "Weighting by Fields[ip]",
                          Payload = "Fields[ip]\tWeight\nc\t2\n"}})

-- reset at the day boundary; older messages ignored
send("d", 2 * day + 5)
send("d", 2 * day + 6)
T.eq("old", send("a", day), 0)
p.timer(0)
T.eq("after reset", p.injected[1].Payload, "Fields[ip]\tWeight\nd\t2\n")

-- defaults: weight must exceed 100, heaviest first; reset_days 0 never resets
p = S.load(plugin, {message_variable = "Type", reset_days = 0})
for i = 1, 101 do p.process({Type = "x", Timestamp = i * day}) end
for _ = 1, 102 do p.process({Type = "y", Timestamp = 0}) end
for _ = 1, 100 do p.process({Type = "z", Timestamp = 0}) end
p.timer(0)
T.eq("defaults", p.injected[1].Payload, "Type\tWeight\ny\t102\nx\t101\n")
T.raises("no variable", function() S.load(plugin, {}) end, "message_variable configuration")
T.done()
