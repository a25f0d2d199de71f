--[[
Disk statistics graphs.

Graphs the stats.diskstats messages of lua_decoders/linux_diskstats.lua in
two circular buffers whose row length is the input's ticker interval (the
message's Fields[TickerInterval], taken from the first message):
- "Disk Stats": the change since the previous message of WritesCompleted,
  ReadsCompleted, SectorsWritten, SectorsRead, WritesMerged, ReadsMerged
  (unit "per_<interval>_s", aggregation "none"; the first message only sets
  the starting point)
- "Time doing IO": TimeWriting, TimeReading, TimeDoingIO,
  WeightedTimeDoingIO as read (unit "ms", aggregation "max")
each in the row of the message's Timestamp. On every timer event each
buffer that has data is sent as a graph (inject_payload "cbuf", Disk Stats
first); with anomaly_config the anomalies of both are sent together as one
alert and annotated on the graphs. A message missing one of the fields or
TickerInterval is a processing failure (-1).

Config:
- rows (uint, optional, default 1440)
    Rows in each buffer.
- anomaly_config (string, optional, default nil)
    Anomaly detection specification (see the anomaly module).

*Example Heka Configuration*

    [DiskStats]
    type = "FilePollingInput"
    ticker_interval = 60
    file_path = "/sys/block/sda/stat"
    decoder = "DiskStatsDecoder"

    [DiskStatsDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/linux_diskstats.lua"

    [DiskStatsFilter]
    type = "SandboxFilter"
    filename = "lua_filters/diskstats.lua"
    ticker_interval = 60
    preserve_data = true
    message_matcher = "Type == 'stats.diskstats'"
--]]

local circular_buffer = require "circular_buffer"
local alert = require "alert"
local annotation = require "annotation"
local anomaly = require "anomaly"

local rows = read_config("rows") or 1440
local anomaly_config = anomaly.parse_config(read_config("anomaly_config"))

-- the shape the buffers were made with, kept by preserve_data: a restart
-- with other rows or another interval remakes the Disk Stats buffer
last_run = {rows = nil, sec_per_row = nil}

local function stat_fields(names)
    local list = {}
    for i, name in ipairs(names) do list[i] = {name = name, key = "Fields[" .. name .. "]"} end
    return list
end

stats = {
    disk_stats = {title = "Disk Stats", unit = nil, aggregation = "none", cbuf = nil,
                  fields = stat_fields({"WritesCompleted", "ReadsCompleted", "SectorsWritten",
                                        "SectorsRead", "WritesMerged", "ReadsMerged"})},
    time_stats = {title = "Time doing IO", unit = "ms", aggregation = "max", cbuf = nil,
                  fields = stat_fields({"TimeWriting", "TimeReading", "TimeDoingIO",
                                        "WeightedTimeDoingIO"})},
}
local order = {"disk_stats", "time_stats"}

local sec_per_row = nil

local function make_cbuf(stat)
    local cb = circular_buffer.new(rows, #stat.fields, sec_per_row)
    for col, f in ipairs(stat.fields) do cb:set_header(col, f.name, stat.unit, stat.aggregation) end
    annotation.set_prune(stat.title, rows * sec_per_row * 1e9)
    stat.cbuf = cb
    last_run.rows, last_run.sec_per_row = rows, sec_per_row
end

-- read_all returns the values of stat's fields, nil when one is missing
local function read_all(stat)
    local values = {}
    for i, f in ipairs(stat.fields) do
        local v = read_message(f.key)
        if type(v) ~= "number" then return nil end
        values[i] = v
    end
    return values
end

function process_message()
    if sec_per_row == nil then
        local interval = read_message("Fields[TickerInterval]")
        if type(interval) ~= "number" or interval <= 0 then return -1 end
        sec_per_row = interval
        stats.disk_stats.unit = "per_" .. interval .. "_s"
    end
    local ts = read_message("Timestamp")

    local times, disk = stats.time_stats, stats.disk_stats
    local tv, dv = read_all(times), read_all(disk)
    if not tv or not dv then return -1 end
    if not times.cbuf then make_cbuf(times) end
    for col, v in ipairs(tv) do times.cbuf:set(ts, col, v) end

    if not disk.cbuf or last_run.rows ~= rows or last_run.sec_per_row ~= sec_per_row then
        make_cbuf(disk)
    end
    for col, f in ipairs(disk.fields) do
        if f.last_value ~= nil then disk.cbuf:set(ts, col, dv[col] - f.last_value) end
        f.last_value = dv[col]
    end
    return 0
end

function timer_event(ns)
    for _, key in ipairs(order) do
        local stat = stats[key]
        local cb = stat.cbuf
        if cb then
            if anomaly_config then
                if not alert.throttled(ns) then
                    local msg, annos = anomaly.detect(ns, stat.title, cb, anomaly_config)
                    if msg then
                        annotation.concat(stat.title, annos)
                        alert.queue(ns, msg)
                    end
                end
                inject_payload("cbuf", stat.title, annotation.prune(stat.title, ns), cb)
            else
                inject_payload("cbuf", stat.title, cb)
            end
        end
    end
    alert.send_queue(ns)
end
