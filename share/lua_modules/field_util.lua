-- field_util: helpers for encoders that choose which message fields to
-- send. hekad's implementation of Heka's lua_modules/field_util.lua.
--
-- base_fields_list      the set {EnvVersion, Hostname, Logger, Payload, Pid,
--                       Severity, Type}
-- base_fields_tag_list  the set {Hostname, Logger, Severity, Type}
-- field_map(fields_str)
--     Returns the set of the space-separated names in fields_str, whether
--     it names "**all_base**" and whether it names "**all**" (either adds
--     every base field to the set). An empty or nil fields_str gives the
--     base fields, true, false.
-- message_timestamp(timestamp_precision)
--     The current message's Timestamp (read_message) in "s", "m", "h" or,
--     for anything else, "ms", rounded down.
-- used_base_fields(skip_fields)
--     The base fields that are in the set skip_fields (as Heka's did).

local math = require "math"
local string = require "string"

local read_message = read_message
local pairs = pairs

local M = {}

M.base_fields_list = {
    EnvVersion = true, Hostname = true, Logger = true, Payload = true, Pid = true,
    Severity = true, Type = true,
}

M.base_fields_tag_list = {Hostname = true, Logger = true, Severity = true, Type = true}

local function copy(set)
    local c = {}
    for k, v in pairs(set) do c[k] = v end
    return c
end

function M.field_map(fields_str)
    if not fields_str or fields_str == "" then
        return copy(M.base_fields_list), true, false
    end
    local fields, all_base, all = {}, false, false
    for name in string.gmatch(fields_str, "%S+") do
        fields[name] = true
        if name == "**all_base**" then all_base = true end
        if name == "**all**" then all = true end
    end
    if all_base or all then
        for name in pairs(M.base_fields_list) do fields[name] = true end
    end
    return fields, all_base, all
end

local divisors = {s = 1e9, m = 60e9, h = 3600e9}

function M.message_timestamp(timestamp_precision)
    local divisor = divisors[timestamp_precision] or 1e6
    return math.floor(read_message("Timestamp") / divisor)
end

function M.used_base_fields(skip_fields)
    local used = {}
    if skip_fields then
        for name in pairs(M.base_fields_list) do
            if skip_fields[name] then used[name] = true end
        end
    end
    return used
end

return M
