--[=[
StatAccumInput metrics to InfluxDB (before 0.9) JSON encoder.

Encodes a heka.statmetric message (from a StatAccumInput with
emit_in_fields = true) as the JSON body of the old InfluxDB HTTP API: one
series per stat field, named after the field, with the columns time (the
message's Fields[timestamp], seconds, written in milliseconds) and value:

    [{"name":"stats.counters.hits.count","columns":["time","value"],"points":[[1408404848000,78271]]},...]

Bytes fields and the timestamp field itself are left out.

Config: none.

*Example Heka Configuration*

    [StatmetricInfluxEncoder]
    type = "SandboxEncoder"
    filename = "lua_encoders/statmetric_influx.lua"

    [InfluxOutput]
    type = "HttpOutput"
    message_matcher = "Type == 'heka.statmetric'"
    address = "http://influxdb.example.com:8086/db/stats/series"
    encoder = "StatmetricInfluxEncoder"
--]=]

local cjson = require "cjson"

local BYTES = 1

function process_message()
    local ts = tonumber(read_message("Fields[timestamp]"))
    if not ts then return -1, "no numeric Fields[timestamp]" end
    ts = ts * 1000
    local output = {}
    while true do
        local vtype, name, value = read_next_field()
        if not vtype then break end
        if name ~= "timestamp" and vtype ~= BYTES then
            output[#output + 1] = {name = name, columns = {"time", "value"}, points = {{ts, value}}}
        end
    end
    inject_payload("json", "influx_stats", cjson.encode(output))
    return 0
end
