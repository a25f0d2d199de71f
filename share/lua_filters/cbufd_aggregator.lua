--[[
Circular buffer delta aggregator.

Merges the cbufd (circular buffer delta) payloads of several instances of
the same filter (e.g. one per host, with enable_delta) into one circular
buffer per payload_name, so that a graph can be shown at a wider scope
(host -> data centre -> service). A payload_name's buffer is created from
the header of its first delta (rows, columns, seconds per row, column
names, units and aggregations). Each value of a delta is applied by its
column's aggregation: added for "sum", stored for "min" and "max", ignored
for the others and for NaN. A payload that is not a cbufd delta is a
processing failure (-1).

On every timer event each buffer is sent as a graph (inject_payload "cbuf"
named by its payload_name) and, with enable_delta, its own changes (inject
"cbufd"). With anomaly_config the buffers are watched and the anomalies of
one timer event are sent together as an alert and annotated on the graphs.

Config:
- enable_delta (bool, optional, default false)
    Also send cbufd deltas (to aggregate further up).
- anomaly_config (string, optional, default nil)
    Anomaly detection specification (see the anomaly module).
- preservation_version (uint, optional, default 0)
    With preserve_data, increase it whenever enable_delta changes.

*Example Heka Configuration*

    [RequestStatsAggregator]
    type = "SandboxFilter"
    message_matcher = "Logger == 'RequestStats' && Fields[payload_type] == 'cbufd'"
    ticker_interval = 60
    filename = "lua_filters/cbufd_aggregator.lua"
    preserve_data = true

    [RequestStatsAggregator.config]
    enable_delta = false
    anomaly_config = 'roc("Request Statistics", 1, 15, 0, 1.5, true, false)'
--]]

_PRESERVATION_VERSION = read_config("preservation_version") or 0

local math = require "math"
local cjson = require "cjson"
local circular_buffer = require "circular_buffer"
local alert = require "alert"
local annotation = require "annotation"
local anomaly = require "anomaly"
local cbufd = require "cbufd"

local enable_delta = read_config("enable_delta") or false
local anomaly_config = anomaly.parse_config(read_config("anomaly_config"))

cbufs = {}

-- new_cbuf creates the buffer of payload name from the delta's header
local function new_cbuf(name, header)
    local ok, h = pcall(cjson.decode, header)
    if not ok or type(h) ~= "table" then return nil end
    local ok2, cb = pcall(circular_buffer.new, h.rows, h.columns, h.seconds_per_row, enable_delta)
    if not ok2 then return nil end
    for col, info in ipairs(h.column_info or {}) do
        if not pcall(cb.set_header, cb, col, info.name, info.unit, info.aggregation) then
            return nil
        end
    end
    annotation.set_prune(name, h.rows * h.seconds_per_row * 1e9)
    cbufs[name] = cb
    return cb
end

function process_message()
    local payload = read_message("Payload")
    if type(payload) ~= "string" then return -1 end
    local name = read_message("Fields[payload_name]") or ""
    local delta = cbufd.grammar:match(payload)
    if not delta then return -1 end
    local cb = cbufs[name] or new_cbuf(name, delta.header)
    if not cb then return -1 end
    local _, columns = cb:get_configuration()
    for _, row in ipairs(delta) do
        for col = 1, math.min(#row, columns) do
            local v = row[col]
            if v == v then
                local _, _, aggregation = cb:get_header(col)
                if aggregation == "sum" then
                    cb:add(row.time, col, v)
                elseif aggregation == "min" or aggregation == "max" then
                    cb:set(row.time, col, v)
                end
            end
        end
    end
    return 0
end

function timer_event(ns)
    for name, cb in pairs(cbufs) do
        if anomaly_config then
            if not alert.throttled(ns) then
                local msg, annos = anomaly.detect(ns, name, cb, anomaly_config)
                if msg then
                    alert.queue(ns, msg)
                    annotation.concat(name, annos)
                end
            end
            inject_payload("cbuf", name, annotation.prune(name, ns), cb:format("cbuf"))
        else
            inject_payload("cbuf", name, cb:format("cbuf"))
        end
        if enable_delta then inject_payload("cbufd", name, cb:format("cbufd")) end
    end
    alert.send_queue(ns)
end
