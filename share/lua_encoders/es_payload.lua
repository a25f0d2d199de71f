--[[
ElasticSearch payload encoder.

Writes a message's Payload (typically one JSON document) for the
ElasticSearch Bulk API: the index action line, then the Payload, ending
with a newline (added when the Payload has none):

    {"index":{"_index":"mylogger-2014.06.05","_type":"mytype-host.example.com"}}
    {"json":"data","extracted":"from","message":"payload"}

Config:
- index (string, optional, default "heka-%{%Y.%m.%d}")
    The _index value; may interpolate message variables (%{Logger}) and
    strftime formats (%{%Y.%m.%d}).
- type_name (string, optional, default "message")
    The _type value; interpolated likewise.
- id (string, optional, default nil: no _id)
    The _id value; interpolated likewise.
- es_index_from_timestamp (bool, optional, default false)
    Interpolate times with the message Timestamp instead of the current
    time.

*Example Heka Configuration*

    [EsPayload]
    type = "SandboxEncoder"
    filename = "lua_encoders/es_payload.lua"

    [EsPayload.config]
    es_index_from_timestamp = true
    index = "%{Logger}-%{%Y.%m.%d}"
    type_name = "%{Type}-%{Hostname}"

    [ElasticSearchOutput]
    message_matcher = "Type == 'mytype'"
    encoder = "EsPayload"
--]]

local string = require "string"
local elasticsearch = require "elasticsearch"

local index = read_config("index") or "heka-%{%Y.%m.%d}"
local type_name = read_config("type_name") or "message"
local id = read_config("id")
local ts_from_message = read_config("es_index_from_timestamp")

function process_message()
    local ns = nil
    if ts_from_message then ns = read_message("Timestamp") end
    local action = elasticsearch.bulkapi_index_json(index, type_name, id, ns)
    local payload = read_message("Payload") or ""
    add_to_payload(action, "\n", payload)
    if string.sub(payload, -1) ~= "\n" then add_to_payload("\n") end
    inject_payload()
    return 0
end
