--[[
MySQL slow query graph.

Graphs the mysql.slow-query (or mariadb.slow-query) messages of
lua_decoders/mysql_slow_query.lua: per row of `sec_per_row` seconds (by
message Timestamp) the average Query Time and Lock Time (unit "s"), the
average Rows Examined and Rows Sent (whole numbers) and the Count of slow
queries. On every timer event the buffer is sent as a graph
(inject_payload "cbuf" named "Statistics"); with anomaly_config an anomaly
is also sent as an alert and annotated on the graph. A message missing one
of the fields Query_time, Lock_time, Rows_examined, Rows_sent is a
processing failure (-1; it is still counted); a message older than the
buffer is ignored.

Config:
- sec_per_row (uint, optional, default 60)
    Seconds per row.
- rows (uint, optional, default 1440)
    Rows in the buffer.
- anomaly_config (string, optional, default nil)
    Anomaly detection specification (see the anomaly module).
- preservation_version (uint, optional, default 0)
    With preserve_data, increase it whenever rows or sec_per_row change.

*Example Heka Configuration*

    [SlowQueryGraph]
    type = "SandboxFilter"
    filename = "lua_filters/mysql_slow_query.lua"
    ticker_interval = 60
    preserve_data = true
    message_matcher = "Type == 'mysql.slow-query'"

    [SlowQueryGraph.config]
    anomaly_config = 'mww_nonparametric("Statistics", 5, 15, 10, 0.8)'
--]]

_PRESERVATION_VERSION = read_config("preservation_version") or 0

local math = require "math"
local circular_buffer = require "circular_buffer"
local annotation = require "annotation"
local anomaly = require "anomaly"

local title = "Statistics"
local rows = read_config("rows") or 1440
local sec_per_row = read_config("sec_per_row") or 60
local anomaly_config = anomaly.parse_config(read_config("anomaly_config"))
annotation.set_prune(title, rows * sec_per_row * 1e9)

-- data holds the graph (averages and count), sums the running totals
data = circular_buffer.new(rows, 5, sec_per_row)
sums = circular_buffer.new(rows, 4, sec_per_row)
local QUERY_TIME = data:set_header(1, "Query Time", "s", "none")
local LOCK_TIME = data:set_header(2, "Lock Time", "s", "none")
local ROWS_EXAMINED = data:set_header(3, "Rows Examined", "count", "none")
local ROWS_SENT = data:set_header(4, "Rows Sent", "count", "none")
local COUNT = data:set_header(5, "Count")

local columns = {{QUERY_TIME, "Fields[Query_time]", false},
                 {LOCK_TIME, "Fields[Lock_time]", false},
                 {ROWS_EXAMINED, "Fields[Rows_examined]", true},
                 {ROWS_SENT, "Fields[Rows_sent]", true}}

function process_message()
    local ts = read_message("Timestamp")
    local n = data:add(ts, COUNT, 1)
    if not n then return 0 end
    local values = {}
    for i, c in ipairs(columns) do
        local v = read_message(c[2])
        if type(v) ~= "number" then return -1 end
        values[i] = v
    end
    for i, c in ipairs(columns) do
        local avg = sums:add(ts, c[1], values[i]) / n
        if c[3] then avg = math.floor(avg) end
        data:set(ts, c[1], avg)
    end
    return 0
end

function timer_event(ns)
    anomaly.inject_graph(ns, title, data, anomaly_config)
end
