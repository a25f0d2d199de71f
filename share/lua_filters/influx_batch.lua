--[[
InfluxDB line protocol batcher.

Turns each message into InfluxDB (0.9 and later) line protocol points, one
per message field value (see the ts_line_protocol module), and collects
them; on every timer event, or after flush_count messages, sends the lines
collected so far, newline-terminated, as one payload (inject_payload "txt"
named "influx_line"), ready for an HttpOutput with a PayloadEncoder to POST
to InfluxDB's /write. Nothing is sent when nothing was collected.

Config:
- decimal_precision (string, optional, default "6")
    Digits after the decimal point of numbers (all numbers are written as
    floats so InfluxDB never sees a field change type).
- name_prefix (string, optional, default nil)
    Prefix of the measurement names; may interpolate message variables,
    "%{Hostname}.%{Type}".
- name_prefix_delimiter (string, optional, default nil)
    Put between the prefix and the field name.
- skip_fields (string, optional, default nil)
    Space separated fields not to write ("**all_base**": the base headers).
- source_value_field (string, optional, default nil)
    Write only this field, under the bare name_prefix.
- tag_fields (string, optional, default "**all_base**")
    Space separated fields written as tags ("**all**": every field,
    "**all_base**": Hostname, Logger, Severity, Type).
- timestamp_precision (string, optional, default "ms")
    "ms", "s", "m" or "h".
- value_field_key (string, optional, default "value")
    The InfluxDB field name of each point's value.
- flush_count (uint, optional, default 0)
    Send as soon as this many messages were collected; 0 waits for the
    timer.

*Example Heka Configuration*

    [LoadAvgPoller]
    type = "FilePollingInput"
    ticker_interval = 5
    file_path = "/proc/loadavg"
    decoder = "LoadAvgDecoder"

    [LoadAvgDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/linux_loadavg.lua"

    [InfluxBatch]
    type = "SandboxFilter"
    message_matcher = "Type =~ /^stats/"
    filename = "lua_filters/influx_batch.lua"
    ticker_interval = 10

    [InfluxBatch.config]
    skip_fields = "**all_base** FilePath NumProcesses"
    tag_fields = "Hostname"
    timestamp_precision = "s"
    flush_count = 10000

    [PayloadEncoder]

    [InfluxOutput]
    type = "HttpOutput"
    message_matcher = "Fields[payload_name] == 'influx_line'"
    encoder = "PayloadEncoder"
    address = "http://influxdb.example.com:8086/write?db=mydb&precision=s"
--]]

local table = require "table"
local ts_line_protocol = require "ts_line_protocol"

local flush_count = tonumber(read_config("flush_count")) or 0
local config = ts_line_protocol.set_config({
    decimal_precision = read_config("decimal_precision") or "6",
    name_prefix = read_config("name_prefix"),
    name_prefix_delimiter = read_config("name_prefix_delimiter"),
    skip_fields_str = read_config("skip_fields"),
    source_value_field = read_config("source_value_field"),
    tag_fields_str = read_config("tag_fields") or "**all_base**",
    timestamp_precision = read_config("timestamp_precision") or "ms",
    value_field_key = read_config("value_field_key") or "value",
})

local pending = 0

local function flush()
    if pending > 0 then inject_payload("txt", "influx_line") end
    pending = 0
end

function process_message()
    local lines = ts_line_protocol.influxdb_line_msg(config)
    add_to_payload(table.concat(lines, "\n"), "\n")
    pending = pending + 1
    if flush_count > 0 and pending >= flush_count then flush() end
    return 0
end

function timer_event(ns)
    flush()
end
