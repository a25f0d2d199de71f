--[[
Frequent items.

Estimates the most frequent values of a message variable (for instance the
client addresses of an access log) with a bounded counter set: a value
already counted gains one; a new value is counted when fewer than
max_items are; otherwise every count drops by one and the values reaching
zero are forgotten (the new value is not counted). With reset_days the
counts restart at each reset_days-th UTC day boundary (by message
Timestamp); messages from before the current period are ignored. A message
without the variable is a processing failure (-1).

On every timer event the values weighing more than min_output_weight are
sent as a table (inject_payload "tsv" named "Weighting by <variable>"): a
header line "<variable>\tWeight", then "<value>\t<count>" lines, heaviest
first.

Config:
- message_variable (string, required)
    The message variable to count, e.g. "Fields[remote_addr]".
- max_items (uint, optional, default 1000)
    Size of the counter set (larger is more accurate).
- min_output_weight (uint, optional, default 100)
    Only values counted more often than this are output.
- reset_days (uint, optional, default 1)
    Days between resets; 0 never resets.

*Example Heka Configuration*

    [FrequentClients]
    type = "SandboxFilter"
    filename = "lua_filters/frequent_items.lua"
    ticker_interval = 60
    preserve_data = true
    message_matcher = "Type == 'nginx.access'"

    [FrequentClients.config]
    message_variable = "Fields[remote_addr]"
    max_items = 10000
    min_output_weight = 100
    reset_days = 1
--]]

local math = require "math"
local string = require "string"
local table = require "table"

local variable = read_config("message_variable")
    or error("message_variable configuration must be specified")
local max_items = read_config("max_items") or 1000
local min_weight = read_config("min_output_weight") or 100
local reset_days = read_config("reset_days") or 1

items = {}
items_size = 0
last_reset = 0

local day_ns = 86400 * 1e9

function process_message()
    local item = read_message(variable)
    if item == nil then return -1 end
    if reset_days > 0 then
        local day = math.floor(read_message("Timestamp") / day_ns)
        if day < last_reset then return 0 end
        if day - last_reset >= reset_days then
            last_reset, items, items_size = day, {}, 0
        end
    end
    local n = items[item]
    if n then
        items[item] = n + 1
    elseif items_size < max_items then
        items[item], items_size = 1, items_size + 1
    else
        for k, c in pairs(items) do
            if c == 1 then
                items[k], items_size = nil, items_size - 1
            else
                items[k] = c - 1
            end
        end
    end
    return 0
end

function timer_event(ns)
    local heavy = {}
    for k, c in pairs(items) do
        if c > min_weight then heavy[#heavy + 1] = k end
    end
    table.sort(heavy, function(a, b)
        if items[a] ~= items[b] then return items[a] > items[b] end
        return tostring(a) < tostring(b)
    end)
    add_to_payload(variable, "\tWeight\n")
    for _, k in ipairs(heavy) do
        add_to_payload(string.format("%s\t%d\n", tostring(k), items[k]))
    end
    inject_payload("tsv", "Weighting by " .. variable)
end
