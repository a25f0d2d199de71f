--[[
InfluxDB line protocol encoder.

Encodes a message as InfluxDB (0.9 and later) line protocol points, one per
value of each message field (see the ts_line_protocol module):
"<name>[,<tag>=<value>...] <value_field_key>=<value> <time>\n". Numbers are
written as floats with decimal_precision decimals, strings quoted,
booleans as true/false. A message with no field to write produces nothing
(skipped, -2). For batches of many messages per request see
lua_filters/influx_batch.lua.

Config:
- decimal_precision (string, optional, default "6")
    Digits after the decimal point of numbers.
- name_prefix (string, optional, default nil)
    Prefix of the measurement names; may interpolate message variables,
    "%{Hostname}.%{Type}".
- name_prefix_delimiter (string, optional, default nil)
    Put between the prefix and the field name.
- skip_fields (string, optional, default nil)
    Space separated fields not to write ("**all_base**": the headers).
- source_value_field (string, optional, default nil)
    Write only this field, under the bare name_prefix.
- tag_fields (string, optional, default "**all_base**")
    Space separated fields written as tags ("**all**": every field,
    "**all_base**": Hostname, Logger, Severity, Type).
- timestamp_precision (string, optional, default "ms")
    "ms", "s", "m" or "h".
- value_field_key (string, optional, default "value")
    The InfluxDB field name of each point's value.

*Example Heka Configuration*

    [InfluxLineEncoder]
    type = "SandboxEncoder"
    filename = "lua_encoders/schema_influx_line.lua"

    [InfluxLineEncoder.config]
    skip_fields = "**all_base** FilePath NumProcesses"
    tag_fields = "Hostname"
    timestamp_precision = "s"

    [InfluxOutput]
    type = "HttpOutput"
    message_matcher = "Type =~ /^stats/"
    encoder = "InfluxLineEncoder"
    address = "http://influxdb.example.com:8086/write?db=mydb&precision=s"

Output: "1MinAvg,Hostname=myhost value=0.110000 1434932024\n..."
--]]

local table = require "table"
local ts_line_protocol = require "ts_line_protocol"

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

function process_message()
    local lines = ts_line_protocol.influxdb_line_msg(config)
    if #lines == 0 then return -2 end
    inject_payload("txt", "influx_line", table.concat(lines, "\n"), "\n")
    return 0
end
