--[[
Load average graph.

Graphs the stats.loadavg messages of lua_decoders/linux_loadavg.lua: the
columns 1MinAvg, 5MinAvg, 15MinAvg and NumProcesses (unit "Count",
aggregation "max") of a circular buffer, each message's values stored in
the row of its Timestamp. On every timer event the buffer is sent as a
graph (inject_payload "cbuf" named "LoadAvg Stats"); with anomaly_config an
anomaly is also sent as an alert and annotated on the graph. A message
missing one of the four fields is a processing failure (-1); the values
before the missing one are kept.

Config:
- sec_per_row (uint, optional, default 60)
    Seconds per row.
- rows (uint, optional, default 1440)
    Rows in the buffer (1440 rows of 60 s: a sliding day).
- anomaly_config (string, optional, default nil)
    Anomaly detection specification (see the anomaly module).
- preservation_version (uint, optional, default 0)
    With preserve_data, increase it whenever rows or sec_per_row change.

*Example Heka Configuration*

    [LoadAvgFilter]
    type = "SandboxFilter"
    filename = "lua_filters/loadavg.lua"
    ticker_interval = 60
    preserve_data = true
    message_matcher = "Type == 'stats.loadavg'"
--]]

_PRESERVATION_VERSION = read_config("preservation_version") or 0

local circular_buffer = require "circular_buffer"
local annotation = require "annotation"
local anomaly = require "anomaly"

local title = "LoadAvg Stats"
local rows = read_config("rows") or 1440
local sec_per_row = read_config("sec_per_row") or 60
local anomaly_config = anomaly.parse_config(read_config("anomaly_config"))
annotation.set_prune(title, rows * sec_per_row * 1e9)

local names = {"1MinAvg", "5MinAvg", "15MinAvg", "NumProcesses"}
cbuf = circular_buffer.new(rows, #names, sec_per_row)
local variables = {}
for col, name in ipairs(names) do
    cbuf:set_header(col, name, "Count", "max")
    variables[col] = "Fields[" .. name .. "]"
end

function process_message()
    local ts = read_message("Timestamp")
    for col, var in ipairs(variables) do
        local v = read_message(var)
        if type(v) ~= "number" then return -1 end
        cbuf:set(ts, col, v)
    end
    return 0
end

function timer_event(ns)
    anomaly.inject_graph(ns, title, cbuf, anomaly_config)
end
