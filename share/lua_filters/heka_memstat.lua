--[[
Heka memory statistics graph.

Graphs the fields of the heka.memstat messages hekad's report emits:
HeapSys, HeapAlloc, HeapIdle, HeapInuse, HeapReleased (unit "B") and
HeapObjects (unit "count"), each column aggregated with "max". A message's
values are stored (not added) in the row of its Timestamp; fields that are
missing or not numbers are skipped. On every timer event the buffer is sent
as a graph (inject_payload "cbuf" named "Stats"); with anomaly_config an
anomaly is also sent as an alert and annotated on the graph.

Config:
- rows (uint, optional, default 1440)
    Rows in the buffer.
- sec_per_row (uint, optional, default 60)
    Seconds per row.
- anomaly_config (string, optional, default nil)
    Anomaly detection specification (see the anomaly module).
- preservation_version (uint, optional, default 0)
    With preserve_data, increase it whenever rows or sec_per_row change.

*Example Heka Configuration*

    [HekaMemstat]
    type = "SandboxFilter"
    filename = "lua_filters/heka_memstat.lua"
    ticker_interval = 60
    preserve_data = true
    message_matcher = "Type == 'heka.memstat'"
--]]

_PRESERVATION_VERSION = read_config("preservation_version") or 0

local circular_buffer = require "circular_buffer"
local annotation = require "annotation"
local anomaly = require "anomaly"

local title = "Stats"
local rows = read_config("rows") or 1440
local sec_per_row = read_config("sec_per_row") or 60
local anomaly_config = anomaly.parse_config(read_config("anomaly_config"))
annotation.set_prune(title, rows * sec_per_row * 1e9)

local names = {"HeapSys", "HeapAlloc", "HeapIdle", "HeapInuse", "HeapReleased", "HeapObjects"}
stats = circular_buffer.new(rows, #names, sec_per_row)
local variables = {}
for col, name in ipairs(names) do
    local unit = "B"
    if name == "HeapObjects" then unit = "count" end
    stats:set_header(col, name, unit, "max")
    variables[col] = "Fields[" .. name .. "]"
end

function process_message()
    local ts = read_message("Timestamp")
    for col, var in ipairs(variables) do
        local v = read_message(var)
        if type(v) == "number" then stats:set(ts, col, v) end
    end
    return 0
end

function timer_event(ns)
    anomaly.inject_graph(ns, title, stats, anomaly_config)
end
