--[[
Unique items.

Estimates the number of distinct values of a message variable per time
period (for instance active users per day) with a HyperLogLog sketch, and
graphs it: one column, named after the variable (the field name for
"Fields[name]"), in a circular buffer of `rows` periods of
`seconds_per_row` seconds. The sketch restarts when a message of a newer
period arrives (by message Timestamp); messages of older periods are
ignored. A message whose variable is not a string or number is a
processing failure (-1).

On every timer event the buffer is sent as a graph (inject_payload "cbuf"
named by `title`) and, with enable_delta, its changes since the last one
(inject_payload "cbufd", for cbufd_aggregator).

Config:
- message_variable (string, required)
    The message variable to count, e.g. "Fields[uid]".
- title (string, optional, default "Estimated Unique Daily <message_variable>")
    Name of the graph.
- enable_delta (bool, optional, default false)
    Also send the cbufd deltas (for aggregation across instances).
- rows (uint, optional, default 365)
    Periods kept.
- seconds_per_row (uint, optional, default 86400)
    Length of a period.
- preservation_version (uint, optional, default 0)
    With preserve_data, increase it whenever enable_delta, rows or
    seconds_per_row change.

*Example Heka Configuration*

    [ActiveDailyUsers]
    type = "SandboxFilter"
    filename = "lua_filters/unique_items.lua"
    ticker_interval = 60
    preserve_data = true
    message_matcher = "Type == 'request.summary' && Fields[errno] == 0"

    [ActiveDailyUsers.config]
    message_variable = "Fields[uid]"
    title = "Estimated Active Users Per Day"
--]]

_PRESERVATION_VERSION = read_config("preservation_version") or 0

local math = require "math"
local string = require "string"
local hyperloglog = require "hyperloglog"
local circular_buffer = require "circular_buffer"

local variable = read_config("message_variable")
    or error("message_variable configuration must be specified")
local title = read_config("title") or "Estimated Unique Daily " .. variable
local enable_delta = read_config("enable_delta") or false
local rows = read_config("rows") or 365
local seconds_per_row = read_config("seconds_per_row") or 86400

active_period = 0
hll = hyperloglog.new()
active = circular_buffer.new(rows, 1, seconds_per_row, enable_delta)
local COUNT = active:set_header(1, string.match(variable, "^Fields%[([^%]]+)%]") or variable)

function process_message()
    local ts = read_message("Timestamp")
    local period = math.floor(ts / (seconds_per_row * 1e9))
    if period < active_period then return 0 end
    if period > active_period then
        active_period = period
        hll:clear()
    end
    local item = read_message(variable)
    local t = type(item)
    if t ~= "string" and t ~= "number" then return -1 end
    if hll:add(item) then active:set(ts, COUNT, hll:count()) end
    return 0
end

function timer_event(ns)
    inject_payload("cbuf", title, active:format("cbuf"))
    if enable_delta then inject_payload("cbufd", title, active:format("cbufd")) end
end
