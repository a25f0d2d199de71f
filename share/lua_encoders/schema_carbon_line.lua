--[[
Carbon (Graphite plaintext) encoder.

Encodes a message as Carbon plaintext lines, "<name> <value> <seconds>\n",
one per numeric value of each message field (see the ts_line_protocol
module): the name is name_prefix, name_prefix_delimiter and the field name
(characters other than letters, digits, '_', '-' and '.' become '_'); the
time is the message Timestamp in seconds. Fields that are not numbers are
left out. A message with no numeric field produces nothing (skipped, -2).

Config:
- name_prefix (string, optional, default nil)
    Prefix of the metric names; may interpolate message variables:
    "%{Environment}.%{Hostname}.%{Type}" (Type, Payload, Hostname, Pid,
    Logger, Severity, EnvVersion are the headers, other names the first
    value of a message field; an unknown name is left as written).
- name_prefix_delimiter (string, optional, default ".")
    Put between the prefix and the field name.
- skip_fields (string, optional, default nil)
    Space separated fields not to write ("**all_base**": the headers).
- source_value_field (string, optional, default nil)
    Write only this field, under the bare name_prefix.

*Example Heka Configuration*

    [LoadAvgPoller]
    type = "FilePollingInput"
    ticker_interval = 5
    file_path = "/proc/loadavg"
    decoder = "LoadAvgDecoder"

    [LoadAvgDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/linux_loadavg.lua"

    [CarbonLineEncoder]
    type = "SandboxEncoder"
    filename = "lua_encoders/schema_carbon_line.lua"

    [CarbonLineEncoder.config]
    name_prefix = "%{Hostname}.%{Type}"
    skip_fields = "**all_base** FilePath NumProcesses"

    [CarbonOutput]
    type = "TcpOutput"
    message_matcher = "Type == 'stats.loadavg'"
    encoder = "CarbonLineEncoder"
    address = "127.0.0.1:2003"

Output: "myhost.stats.loadavg.1MinAvg 0.12 1434932023\n..."
--]]

local table = require "table"
local ts_line_protocol = require "ts_line_protocol"

local config = ts_line_protocol.set_config({
    carbon_format = true,
    timestamp_precision = "s",
    name_prefix = read_config("name_prefix"),
    name_prefix_delimiter = read_config("name_prefix_delimiter") or ".",
    skip_fields_str = read_config("skip_fields"),
    source_value_field = read_config("source_value_field"),
})

function process_message()
    local lines = ts_line_protocol.carbon_line_msg(config)
    if #lines == 0 then return -2 end
    inject_payload("txt", "carbon_line", table.concat(lines, "\n"), "\n")
    return 0
end
