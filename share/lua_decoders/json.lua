--[[
JSON decoder.

Parses a Payload holding one JSON object and injects a message whose Fields
are the object's members, nested objects flattened into dotted names
('{"a":{"b":1}}' gives Fields["a.b"] = 1). Optionally maps members onto
the message headers. A Payload that is not JSON, a Timestamp member the
timestamp_format does not match, or an object that cannot be injected
fails to decode (-1 with the reason).

Config:
- type (string, optional, default "json")
    Value of the message Type header unless the Type mapping below finds a
    value.
- payload_keep (bool, optional, default false)
    Keep the original JSON text as the Payload (unless the Payload mapping
    finds a value).
- map_fields (bool, optional, default false)
    Enable the header mappings Payload, Uuid, Type, Logger, Hostname
    (members with string values), Severity, EnvVersion, Pid (members with
    numeric values): each option names the JSON member whose value becomes
    that header; the member is then not a field. A member of the wrong type
    stays a field.
- Payload, Uuid, Type, Logger, Hostname, Severity, EnvVersion, Pid (string,
  optional, default nil)
    The member names for map_fields.
- Timestamp (string, optional, default nil)
    The member whose value becomes the message Timestamp (applied with or
    without map_fields): nanoseconds since the epoch, or text parsed with
    timestamp_format. The member is not kept as a field.
- timestamp_format (string, optional, default nil)
    strftime format of the Timestamp member, e.g. "%Y-%m-%dT%H:%M:%SZ".
- maximum_depth (integer, optional, default nil: no limit)
    Objects nested this deep or deeper are stored as their JSON text instead
    of being flattened: with 1, '{"top":{"nested":1}}' gives
    Fields["top"] = '{"nested":1}'.
- separator (string, optional, default ".")
    Joins the member names of flattened keys.

*Example Heka Configuration*

    [AppLogInput]
    type = "LogstreamerInput"
    log_directory = "/srv/app/logs"
    file_match = 'app\.log'
    decoder = "JsonDecoder"

    [JsonDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/json.lua"

    [JsonDecoder.config]
    type = "app"
    payload_keep = true
    map_fields = true
    Severity = "severity"
    Timestamp = "time"
    timestamp_format = "%Y-%m-%dT%H:%M:%SZ"
--]]

local cjson = require "cjson"
local util = require "util"
local dt = require "date_time"

local max_depth = read_config("maximum_depth")
local separator = read_config("separator")
local map_fields = read_config("map_fields")
local payload_keep = read_config("payload_keep")
local default_type = read_config("type") or "json"
local ts_member = read_config("Timestamp")
local ts_format = read_config("timestamp_format")
local ts_grammar = ts_format and dt.build_strftime_grammar(ts_format)

-- header -> {JSON member, the Lua type its value must have}
local mappings = {}
if map_fields then
    local kinds = {Payload = "string", Uuid = "string", Type = "string", Logger = "string",
                   Hostname = "string", Severity = "number", EnvVersion = "number",
                   Pid = "number"}
    for header, kind in pairs(kinds) do
        local member = read_config(header)
        if member then mappings[header] = {member, kind} end
    end
end

-- timestamp turns the Timestamp member's value into nanoseconds
local function timestamp(v)
    if ts_grammar then
        local t = type(v) == "string" and ts_grammar:match(v)
        if not t then return nil end
        return dt.time_to_ns(t)
    end
    return tonumber(v)
end

function process_message()
    local text = read_message("Payload")
    local ok, obj = pcall(cjson.decode, text)
    if not ok or type(obj) ~= "table" then return -1, "Failed to decode JSON." end

    local msg = {Type = default_type}
    if payload_keep then msg.Payload = text end
    for header, m in pairs(mappings) do
        local v = obj[m[1]]
        if type(v) == m[2] then
            msg[header] = v
            obj[m[1]] = nil
        end
    end
    if ts_member then
        local v = obj[ts_member]
        if v ~= nil then
            msg.Timestamp = timestamp(v)
            if msg.Timestamp == nil then return -1, "Failed to decode timestamp." end
        end
        obj[ts_member] = nil
    end

    local fields = {}
    if not pcall(util.table_to_fields, obj, fields, nil, separator, max_depth) then
        return -1, "Failed to flatten message."
    end
    msg.Fields = fields
    if not pcall(inject_message, msg) then return -1, "Failed to inject message." end
    return 0
end
