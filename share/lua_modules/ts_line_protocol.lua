-- ts_line_protocol: turns the current message's fields into time-series
-- lines: InfluxDB (>= 0.9) line protocol or Graphite/Carbon plaintext.
-- hekad's implementation of Heka's lua_modules/ts_line_protocol.lua, used by
-- lua_encoders/schema_influx_line.lua, schema_carbon_line.lua and
-- lua_filters/influx_batch.lua.
--
-- set_config(client_config)
--     Returns the configuration the other functions take: the defaults
--     below overridden by the options set in client_config:
--       carbon_format (false), decimal_precision ("6"), name_prefix (none;
--       may use %{Field} interpolation), name_prefix_delimiter (none),
--       skip_fields_str (none), source_value_field (none), tag_fields_str
--       ("**all_base**"), timestamp_precision ("ms"; or "s", "m", "h"),
--       value_field_key ("value").
--     skip_fields_str and tag_fields_str are space-separated field names;
--     "**all_base**" stands for the base headers, "**all**" for every field.
-- influxdb_line_msg(config)
--     An array of lines "<prefix><delim><field>[,<tags>] <value_field_key>=<value> <time>",
--     one per value of each message field (not skipped). Numbers are
--     written with decimal_precision decimals, strings quoted, booleans as
--     true/false. Tags: the base headers named by tag_fields_str (Hostname,
--     Logger, Severity, Type), then the message fields it names.
-- carbon_line_msg(config)
--     An array of lines "<prefix><delim><field> <value> <time>" for the
--     fields whose value is an unsigned number; non-word characters of field
--     names become "_".
-- A field's second occurrence is named <name>_fidx_1 (and so on); the
-- second value of a field <name>_vidx_1, the third <name>_vidx_1_vidx_2 (as
-- Heka named them). With source_value_field, only that field's value is
-- written, under the bare prefix. Needs the sandbox's read_message and
-- decode_message.

local string = require "string"
local table = require "table"
local interp = require "msg_interpolate"
local field_util = require "field_util"

local read_message, decode_message = read_message, decode_message
local ipairs, pairs, tostring, type = ipairs, pairs, tostring, type

local M = {}

local number_format = "%.6f"

-- backslash before spaces and commas (InfluxDB keys and tag values)
local function escape_key(s)
    return (string.gsub(tostring(s), "([ ,])", "\\%1"))
end

-- the base headers used as tags, in a fixed order
local base_tags = {"Hostname", "Logger", "Severity", "Type"}

-- points (an array of {name, value} in field order; a later point of the
-- same name replaces the value of the earlier) and tags (an array of
-- "key=value") of the current message
local function points_and_tags(config)
    local prefix = config.name_prefix or ""
    if config.interp_name_prefix then prefix = (interp.interpolate_from_msg(prefix)) end
    local delim = config.name_prefix_delimiter or ""
    local carbon = config.carbon_format

    local tags = {}
    local tag_fields = config.used_tag_fields
    if not carbon and (config.tag_fields_all or config.tag_fields_all_base or tag_fields) then
        for _, h in ipairs(base_tags) do
            if config.tag_fields_all or config.tag_fields_all_base or tag_fields[h] then
                tags[#tags + 1] = escape_key(h) .. "=" .. escape_key(read_message(h))
            end
        end
    end

    local points, index = {}, {}
    local function add(name, value)
        local i = index[name]
        if i then
            points[i][2] = value
        else
            points[#points + 1] = {name, value}
            index[name] = #points
        end
    end

    local msg = decode_message(read_message("raw"))
    local seen = {}
    for _, f in ipairs(msg and msg.Fields or {}) do
        local field = f.name
        if carbon then field = (string.gsub(field, "[^%w]", "_")) end
        local out = field
        local n = (seen[field] or -1) + 1
        seen[field] = n
        if n > 0 then out = string.format("%s_fidx_%d", out, n) end
        for i, value in ipairs(f.value or {}) do
            if i > 1 then out = string.format("%s_vidx_%d", out, i - 1) end
            if not carbon and (config.tag_fields_all or (tag_fields and tag_fields[field])) then
                tags[#tags + 1] = escape_key(out) .. "=" .. escape_key(value)
            end
            if config.source_value_field then
                -- only that field is written, under the bare prefix
                if field == config.source_value_field then add(prefix, value) end
            elseif not config.skip_fields_str or (config.skip_fields and not config.skip_fields[field]) then
                add(prefix .. delim .. out, value)
            end
        end
    end
    return points, tags
end

function M.carbon_line_msg(config)
    local ts = field_util.message_timestamp(config.timestamp_precision)
    local lines = {}
    for _, p in ipairs(points_and_tags(config)) do
        local value = tostring(p[2])
        if string.find(value, "^[%d.]+$") then
            lines[#lines + 1] = string.format("%s %s %s", p[1], value, tostring(ts))
        end
    end
    return lines
end

function M.influxdb_line_msg(config)
    local ts = field_util.message_timestamp(config.timestamp_precision)
    local points, tags = points_and_tags(config)
    local tag_text = ""
    if #tags > 0 then tag_text = "," .. table.concat(tags, ",") end
    local lines = {}
    for _, p in ipairs(points) do
        local value = p[2]
        if type(value) == "string" then
            value = '"' .. string.gsub(value, '"', '\\"') .. '"'
        elseif type(value) == "number" then
            value = string.format(number_format, value)
        else
            value = tostring(value)
        end
        lines[#lines + 1] = string.format("%s%s %s=%s %d", escape_key(p[1]), tag_text,
                                          config.value_field_key, value, ts)
    end
    return lines
end

local defaults = {
    carbon_format = false,
    decimal_precision = "6",
    name_prefix = false,
    name_prefix_delimiter = false,
    skip_fields_str = false,
    source_value_field = false,
    tag_fields_str = "**all_base**",
    timestamp_precision = "ms",
    value_field_key = "value",
}

function M.set_config(client_config)
    client_config = client_config or {}
    local config = {}
    for option, default in pairs(defaults) do
        config[option] = client_config[option] or default
    end
    number_format = "%." .. config.decimal_precision .. "f"
    if config.skip_fields_str then
        config.skip_fields, config.skip_fields_all_base = field_util.field_map(client_config.skip_fields_str)
        config.used_base_fields = field_util.used_base_fields(config.skip_fields)
    end
    if config.tag_fields_str then
        config.used_tag_fields, config.tag_fields_all_base, config.tag_fields_all =
            field_util.field_map(client_config.tag_fields_str)
    end
    config.interp_name_prefix = config.name_prefix
        and string.find(config.name_prefix, "%%{[%w%p]-}") ~= nil or false
    return config
end

return M
