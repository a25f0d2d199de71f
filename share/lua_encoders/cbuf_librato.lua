--[[
Circular buffer to Librato encoder.

Encodes the cbuf graphs filters send (heka.sandbox-output messages with
payload_type "cbuf") as the JSON body of Librato's metrics POST API:
{"gauges":[{"name":<column>,"source":<Hostname>,"value":<v>,
"measure_time":<seconds>},...]}, one gauge per non-NaN cell. The last row
of a buffer (possibly incomplete) is never sent. The time of the last
buffer seen is kept per message key: the first buffer of a key sends all
its complete rows; a later one only the rows completed since. A buffer of
the same time as the last one is skipped (-2), as is one with no values; a
payload that is not a cbuf (at least 3 rows), an older one, or one whose
time moved by a fraction of a row fails (-1). Use preserve_data so that a
restart does not send the same rows again.

Config:
- message_key (string, optional, default "%{Logger}:%{payload_name}")
    What identifies a series of buffers; may interpolate message variables.

*Example Heka Configuration*

    [LibratoEncoder]
    type = "SandboxEncoder"
    filename = "lua_encoders/cbuf_librato.lua"
    preserve_data = true

    [LibratoEncoder.config]
    message_key = "%{Logger}:%{Hostname}:%{payload_name}"

    [Librato]
    type = "HttpOutput"
    message_matcher = "Type == 'heka.sandbox-output' && Fields[payload_type] == 'cbuf'"
    encoder = "LibratoEncoder"
    address = "https://metrics-api.librato.com/v1/metrics"
    username = "user@example.com"
    password = "SECRET"
--]]

local cjson = require "cjson"
local string = require "string"
local interp = require "msg_interpolate"

local key_template = read_config("message_key") or "%{Logger}:%{payload_name}"

last_times = {}

local function valid_header(h)
    return type(h) == "table" and type(h.time) == "number" and type(h.rows) == "number"
        and type(h.seconds_per_row) == "number" and type(h.columns) == "number"
        and type(h.column_info) == "table" and h.columns == #h.column_info
end

-- parse returns the cbuf header and its rows (text lines); an annotations
-- line before the header is skipped
local function parse(text)
    if type(text) ~= "string" then return nil end
    local header, rows = nil, {}
    for line in string.gmatch(text, "[^\n]+") do
        if header then
            rows[#rows + 1] = line
        else
            local ok, h = pcall(cjson.decode, line)
            if not ok or type(h) ~= "table" then return nil end
            if not h.annotations then
                if not valid_header(h) then return nil end
                header = h
            end
        end
    end
    if not header or #rows < 3 or #rows ~= header.rows then return nil end
    return header, rows
end

-- gauges returns the gauges of rows first..rows-1, nil on a bad value
local function gauges(source, h, rows, first)
    local list = {}
    local time = h.time + (first - 1) * h.seconds_per_row
    for r = first, h.rows - 1 do
        local cells = {}
        for cell in string.gmatch(rows[r], "[^\t]+") do cells[#cells + 1] = cell end
        for c, info in ipairs(h.column_info) do
            local cell = cells[c]
            if cell ~= "nan" then
                local v = tonumber(cell)
                if not v then return nil end
                list[#list + 1] = {name = info.name, source = source, value = v, measure_time = time}
            end
        end
        time = time + h.seconds_per_row
    end
    return list
end

function process_message()
    local h, rows = parse(read_message("Payload"))
    if not h then return -1 end
    local key = interp.interpolate_from_msg(key_template)
    local last = last_times[key]
    local first = 1
    if last then
        if last > h.time then return -1 end
        if last == h.time then return -2 end
        local elapsed = h.time - last
        if elapsed % h.seconds_per_row ~= 0 then return -1 end
        local passed = elapsed / h.seconds_per_row
        if passed < h.rows - 1 then first = h.rows - passed end
    end
    local list = gauges(read_message("Hostname"), h, rows, first)
    if not list then return -1 end
    if #list == 0 then return -2 end
    inject_payload("json", "output", cjson.encode({gauges = list}))
    last_times[key] = h.time
    return 0
end
