--[[
Statistics graph.

Graphs chosen values of heka.statmetric messages (from a StatAccumInput
with emit_in_fields = true): each stat named in `stats` is read from the
message field of that name and added to its own column of a circular
buffer, in the row of the message's Fields[timestamp] (seconds). On every
timer event the buffer is sent as a graph (inject_payload "cbuf" named by
`title`); with anomaly_config an anomaly is also sent as an alert and
annotated on the graph. A message without a numeric Fields[timestamp] is a
processing failure (-1).

Config:
- title (string, optional, default "Stats")
    Name of the graph.
- rows (uint, optional, default 300)
    Rows in the buffer.
- sec_per_row (uint, optional, default 1)
    Seconds per row.
- stats (string, required)
    Space separated stat names (field names of the statmetric messages),
    e.g. "stats.counters.hits.count stats.counters.misses.count".
- stat_labels (string, required)
    Space separated column names, one per stat, in the same order (cut to
    15 characters).
- stat_aggregation (string, optional, default "sum")
    How the columns combine when buffers are merged: "sum", "min", "max",
    "avg" or "none".
- stat_unit (string, optional, default "count")
    Unit of the columns (up to 7 characters: letters, digits, '/', '*').
- anomaly_config (string, optional, default nil)
    Anomaly detection specification (see the anomaly module).
- preservation_version (uint, optional, default 0)
    With preserve_data, increase it whenever rows, sec_per_row, stats or
    stat_labels change.

*Example Heka Configuration*

    [StatGraph]
    type = "SandboxFilter"
    filename = "lua_filters/stat_graph.lua"
    ticker_interval = 10
    preserve_data = true
    message_matcher = "Type == 'heka.statmetric'"

    [StatGraph.config]
    title = "Hits and Misses"
    rows = 1440
    sec_per_row = 10
    stats = "stats.counters.hits.count stats.counters.misses.count"
    stat_labels = "hits misses"
    stat_aggregation = "none"
    anomaly_config = 'roc("Hits and Misses", 1, 15, 0, 1.5, true, false)'
--]]

_PRESERVATION_VERSION = read_config("preservation_version") or 0

local string = require "string"
local circular_buffer = require "circular_buffer"
local annotation = require "annotation"
local anomaly = require "anomaly"

local title = read_config("title") or "Stats"
local rows = read_config("rows") or 300
local sec_per_row = read_config("sec_per_row") or 1
local stats_list = read_config("stats") or error("stats configuration must be specified")
local labels_list = read_config("stat_labels")
    or error("stat_labels configuration must be specified")
local aggregation = read_config("stat_aggregation") or "sum"
local unit = read_config("stat_unit") or "count"
local anomaly_config = anomaly.parse_config(read_config("anomaly_config"))
annotation.set_prune(title, rows * sec_per_row * 1e9)

local function words(s)
    local list = {}
    for w in string.gmatch(s, "%S+") do list[#list + 1] = w end
    return list
end

local variables, labels = words(stats_list), words(labels_list)
if #variables ~= #labels then
    error("stats and stat_labels configuration must have the same number of items")
end

cbuf = circular_buffer.new(rows, #variables, sec_per_row)
for col, stat in ipairs(variables) do
    cbuf:set_header(col, labels[col], unit, aggregation)
    variables[col] = "Fields[" .. stat .. "]"
end

function process_message()
    local ts = read_message("Fields[timestamp]")
    if type(ts) ~= "number" then return -1 end
    ts = ts * 1e9
    for col, var in ipairs(variables) do
        local v = read_message(var)
        if type(v) == "number" then cbuf:add(ts, col, v) end
    end
    return 0
end

function timer_event(ns)
    anomaly.inject_graph(ns, title, cbuf, anomaly_config)
end
