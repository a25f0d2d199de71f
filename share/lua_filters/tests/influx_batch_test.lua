-- Tests of lua_filters/influx_batch.lua: messages -> batched InfluxDB
-- line protocol payloads.
local T = require "testlib"
local S = require "sandbox"

local plugin = "lua_filters/influx_batch.lua"
local function msg(load, ts)
    return {Type = "stats.loadavg", Hostname = "web1", Logger = "LoadAvg", Severity = 7,
            Timestamp = ts, Fields = {["1MinAvg"] = load, FilePath = "/proc/loadavg"}}
end

local p = S.load(plugin, {skip_fields = "**all_base** FilePath", tag_fields = "Hostname",
                          timestamp_precision = "s", decimal_precision = "2"})
T.eq("nothing collected", (function() p.timer(0) return p.injected end)(), {})
T.eq("first", p.process(msg(0.5, 1420167845e9)), 0)
T.eq("second", p.process(msg(1.25, 1420167850e9)), 0)
T.eq("no early flush", p.injected, {})
p.timer(0)
T.eq("batch", p.injected, {{payload_type = "txt", payload_name = "influx_line",
    Payload = "1MinAvg,Hostname=web1 value=0.50 1420167845\n1MinAvg,Hostname=web1 value=1.25 1420167850\n"}})
p.timer(0)
T.eq("flushed", p.injected, {})

-- flush_count; defaults: all base tags, ms, 6 decimals
p = S.load(plugin, {flush_count = 2, skip_fields = "FilePath", name_prefix = "%{Hostname}",
                    name_prefix_delimiter = "."})
p.process(msg(1, 1420167845123e6))
T.eq("one", p.injected, {})
p.process(msg(2, 1420167845124e6))
T.eq("flush at count", p.injected, {{payload_type = "txt", payload_name = "influx_line",
    Payload = "web1.1MinAvg,Hostname=web1,Logger=LoadAvg,Severity=7,Type=stats.loadavg value=1.000000 1420167845123\n" ..
              "web1.1MinAvg,Hostname=web1,Logger=LoadAvg,Severity=7,Type=stats.loadavg value=2.000000 1420167845124\n"}})
T.done()
