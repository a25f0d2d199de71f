--[[
HTTP status graph.

Counts the messages of web server access logs by HTTP status class (1xx,
2xx, 3xx, 4xx, 5xx, and anything else) in a circular buffer of `rows` rows
of `sec_per_row` seconds each, by message Timestamp, and on every timer
event sends the buffer as a graph (inject_payload "cbuf" named
"HTTP Status", columns HTTP_100, HTTP_200, HTTP_300, HTTP_400, HTTP_500,
HTTP_UNKNOWN). With anomaly_config the columns are watched and an anomaly
is sent as an alert (inject_payload "alert"), at most once per
alert_throttle, and annotated on the graph. A message whose status field is
not a number is a processing failure (-1).

Config:
- sec_per_row (uint, optional, default 60)
    Seconds per row (the graph's resolution).
- rows (uint, optional, default 1440)
    Rows in the buffer: 1440 rows of 60 s is a sliding 24 hour window.
- status_field (string, optional, default "status")
    The message field holding the numeric HTTP status code.
- anomaly_config (string, optional, default nil)
    Anomaly detection specification (see the anomaly module), e.g.
    'roc("HTTP Status", 2, 15, 0, 1.5, true, false)'.
- alert_throttle (uint, optional, default 3600)
    Minimum seconds between two anomaly alerts.
- preservation_version (uint, optional, default 0)
    With preserve_data, increase it whenever rows or sec_per_row change,
    so that the saved buffer of the old shape is discarded.

*Example Heka Configuration*

    [HttpStatus]
    type = "SandboxFilter"
    filename = "lua_filters/http_status.lua"
    ticker_interval = 60
    preserve_data = true
    message_matcher = "Type == 'nginx.access'"

    [HttpStatus.config]
    sec_per_row = 60
    rows = 1440
    anomaly_config = 'roc("HTTP Status", 2, 15, 0, 1.5, true, false) mww_nonparametric("HTTP Status", 5, 15, 10, 0.8)'
    alert_throttle = 300
--]]

-- one more than the configured version, as Heka's (whose internal layout
-- changed once), so that both restore the same saved data
_PRESERVATION_VERSION = (read_config("preservation_version") or 0) + 1

local math = require "math"
local string = require "string"
local circular_buffer = require "circular_buffer"
local alert = require "alert"
local annotation = require "annotation"
local anomaly = require "anomaly"

local title = "HTTP Status"
local rows = read_config("rows") or 1440
local sec_per_row = read_config("sec_per_row") or 60
local status_field = "Fields[" .. (read_config("status_field") or "status") .. "]"
local anomaly_config = anomaly.parse_config(read_config("anomaly_config"))
alert.set_throttle((read_config("alert_throttle") or 3600) * 1e9)
annotation.set_prune(title, rows * sec_per_row * 1e9)

status = circular_buffer.new(rows, 6, sec_per_row)
for class = 1, 5 do status:set_header(class, string.format("HTTP_%d00", class)) end
local UNKNOWN = status:set_header(6, "HTTP_UNKNOWN")

function process_message()
    local code = read_message(status_field)
    if type(code) ~= "number" then return -1 end
    local class = math.floor(code / 100)
    if class < 1 or class > 5 then class = UNKNOWN end
    status:add(read_message("Timestamp"), class, 1)
    return 0
end

function timer_event(ns)
    anomaly.inject_graph(ns, title, status, anomaly_config)
end
