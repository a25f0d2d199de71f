--[[
Memory statistics graph.

Graphs the stats.memstats messages of lua_decoders/linux_memstats.lua: the
columns MemFree, Cached, Active, Inactive, VmallocUsed, Shmem, SwapCached,
SwapFree and SwapUsed (SwapTotal - SwapFree), unit "Count", aggregation
"max", each message's values stored in the row of its Timestamp. On every
timer event the buffer is sent as a graph (inject_payload "cbuf" named
"Memory Stats"); with anomaly_config an anomaly is also sent as an alert
and annotated on the graph. A message missing one of the fields (or
SwapTotal) is a processing failure (-1); the values before the missing one
are kept.

Config:
- sec_per_row (uint, optional, default 60)
    Seconds per row.
- rows (uint, optional, default 1440)
    Rows in the buffer.
- anomaly_config (string, optional, default nil)
    Anomaly detection specification (see the anomaly module).
- preservation_version (uint, optional, default 0)
    With preserve_data, increase it whenever rows or sec_per_row change.

*Example Heka Configuration*

    [MemStatsFilter]
    type = "SandboxFilter"
    filename = "lua_filters/memstats.lua"
    ticker_interval = 60
    preserve_data = true
    message_matcher = "Type == 'stats.memstats'"
--]]

_PRESERVATION_VERSION = read_config("preservation_version") or 0

local circular_buffer = require "circular_buffer"
local annotation = require "annotation"
local anomaly = require "anomaly"

local title = "Memory Stats"
local rows = read_config("rows") or 1440
local sec_per_row = read_config("sec_per_row") or 60
local anomaly_config = anomaly.parse_config(read_config("anomaly_config"))
annotation.set_prune(title, rows * sec_per_row * 1e9)

local names = {"MemFree", "Cached", "Active", "Inactive", "VmallocUsed", "Shmem", "SwapCached"}
cbuf = circular_buffer.new(rows, #names + 2, sec_per_row)
local variables = {}
for col, name in ipairs(names) do
    cbuf:set_header(col, name, "Count", "max")
    variables[col] = "Fields[" .. name .. "]"
end
local SWAP_FREE = cbuf:set_header(#names + 1, "SwapFree", "Count", "max")
local SWAP_USED = cbuf:set_header(#names + 2, "SwapUsed", "Count", "max")

function process_message()
    local ts = read_message("Timestamp")
    for col, var in ipairs(variables) do
        local v = read_message(var)
        if type(v) ~= "number" then return -1 end
        cbuf:set(ts, col, v)
    end
    local free, total = read_message("Fields[SwapFree]"), read_message("Fields[SwapTotal]")
    if type(free) ~= "number" or type(total) ~= "number" then return -1 end
    cbuf:set(ts, SWAP_FREE, free)
    cbuf:set(ts, SWAP_USED, total - free)
    return 0
end

function timer_event(ns)
    anomaly.inject_graph(ns, title, cbuf, anomaly_config)
end
