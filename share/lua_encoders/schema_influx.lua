--[=[
InfluxDB (before 0.9) JSON encoder.

Encodes a message as the JSON body of the old InfluxDB HTTP API
(/db/<database>/series), a list of series:

    [{"name":"heka.MyLogger","columns":["time","Type","Payload","Hostname","Pid","Logger","Severity","EnvVersion","status"],"points":[[1409378221000,"log","text","web1",123,"MyLogger",6,"",200]]}]

"time" is the message Timestamp in milliseconds; then the headers Type,
Payload, Hostname, Pid, Logger, Severity, EnvVersion (unless skipped or
exclude_base_fields); then one column per message field (a field repeated
in the message gets columns name, name2, name3, ...; a field with several
values gives an array; bytes fields are left out). With multi_series each
field becomes its own series "<series>.<field>" with the header columns and
a "value" column (its first value). For InfluxDB 0.9 and later use
schema_influx_line.lua.

Config:
- series (string, optional, default "series")
    Series name; may interpolate message variables, "heka.%{Logger}"
    (headers Type, Payload, Hostname, Pid, Logger, Severity, EnvVersion;
    other names are message fields; an unknown name is left as written).
- skip_fields (string, optional, default nil)
    Space separated headers and fields to leave out.
- multi_series (bool, optional, default false)
    One series per field, as described above.
- exclude_base_fields (bool, optional, default false)
    Leave out all the header columns.

*Example Heka Configuration*

    [InfluxEncoder]
    type = "SandboxEncoder"
    filename = "lua_encoders/schema_influx.lua"

    [InfluxEncoder.config]
    series = "heka.%{Logger}"
    skip_fields = "Pid EnvVersion"

    [InfluxOutput]
    type = "HttpOutput"
    message_matcher = "Type == 'influxdb'"
    encoder = "InfluxEncoder"
    address = "http://influxdb.example.com:8086/db/databasename/series"
--]=]

local cjson = require "cjson"
local string = require "string"

local series_template = read_config("series") or "series"
local interpolate = string.find(series_template, "%%{[%w%p]-}") ~= nil
local multi_series = read_config("multi_series") or false
local exclude_base = read_config("exclude_base_fields") or false

local headers = {"Type", "Payload", "Hostname", "Pid", "Logger", "Severity", "EnvVersion"}
local is_header = {}
for _, h in ipairs(headers) do is_header[h] = true end

local skip = {}
for name in string.gmatch(read_config("skip_fields") or "", "%S+") do skip[name] = true end
local used_headers = {}
for _, h in ipairs(headers) do
    if not skip[h] then used_headers[#used_headers + 1] = h end
end

local BYTES = 1

local function variable(name)
    if is_header[name] then return read_message(name) end
    local v = read_message("Fields[" .. name .. "]")
    if v ~= nil then return v end
    return "%{" .. name .. "}"
end

local function series_name()
    if not interpolate then return series_template end
    return (string.gsub(series_template, "%%{([%w%p]-)}", function(name)
        return tostring(variable(name))
    end))
end

-- fields returns the message fields as {name, value (first), count, index
-- of this occurrence} in message order, bytes fields and skipped ones left out
local function fields()
    local list, seen = {}, {}
    while true do
        local vtype, name, value, _, count = read_next_field()
        if not vtype then break end
        local n = (seen[name] or 0) + 1
        seen[name] = n
        if vtype ~= BYTES and name ~= "Timestamp" and not skip[name] then
            list[#list + 1] = {name = name, value = value, count = count, occurrence = n}
        end
    end
    return list
end

local function all_values(f)
    local values = {}
    for i = 1, f.count do
        values[i] = read_message("Fields[" .. f.name .. "]", f.occurrence - 1, i - 1)
    end
    return values
end

function process_message()
    local columns, point = {"time"}, {read_message("Timestamp") / 1e6}
    if not exclude_base then
        for _, h in ipairs(used_headers) do
            columns[#columns + 1] = h
            point[#point + 1] = read_message(h)
        end
    end
    local name = series_name()
    local output = {}
    if multi_series then
        for _, f in ipairs(fields()) do
            local c, p = {}, {}
            for i, v in ipairs(columns) do c[i] = v end
            for i, v in ipairs(point) do p[i] = v end
            c[#c + 1], p[#p + 1] = "value", f.value
            output[#output + 1] = {name = name .. "." .. f.name, columns = c, points = {p}}
        end
    else
        for _, f in ipairs(fields()) do
            local column = f.name
            if f.occurrence > 1 then column = column .. f.occurrence end
            columns[#columns + 1] = column
            if f.count == 1 then
                point[#point + 1] = f.value
            else
                point[#point + 1] = all_values(f)
            end
        end
        output[1] = {name = name, columns = columns, points = {point}}
    end
    inject_payload("json", "influx_message", cjson.encode(output))
    return 0
end
