--[[
Circular buffer delta per-host aggregator.

Collects the cbufd (circular buffer delta) payloads of the same filter
running on several hosts and turns each column of the source buffer into
its own graph with one column per host: "Error Count" from hosts a and b
becomes the graph "<payload_name> (Error Count)" with the columns a and b.
Hosts are told apart by the message Hostname and get a column in the order
they appear, up to max_hosts; a new host then takes the column of a host
silent for host_expiration seconds (its data is kept, as for a
replacement instance), and when there is none the plugin stops with the
error "The number of hosts exceeds the 'max_hosts' configuration". A
payload that is not a cbufd delta is a processing failure (-1).

On every timer event each graph is sent (inject_payload "cbuf" named
"<payload_name> (<column>)", with the dashboard options line
{"options":{"stackedGraph":true,"fillGraph":true}} before the buffer).

Config:
- max_hosts (uint, required)
    Host columns of each graph.
- rows (uint, required)
    Rows kept of the source buffers.
- host_expiration (uint, optional, default 120)
    Seconds a host must be silent before its column can be reused.
- preservation_version (uint, optional, default 0)
    With preserve_data, increase it whenever max_hosts or rows change.

*Example Heka Configuration*

    [RequestStatsPerHost]
    type = "SandboxFilter"
    message_matcher = "Logger == 'RequestStats' && Fields[payload_type] == 'cbufd'"
    ticker_interval = 60
    filename = "lua_filters/cbufd_host_aggregator.lua"
    preserve_data = true

    [RequestStatsPerHost.config]
    max_hosts = 5
    rows = 60
    host_expiration = 120
--]]

_PRESERVATION_VERSION = read_config("preservation_version") or 0

local string = require "string"
local cjson = require "cjson"
local circular_buffer = require "circular_buffer"
local cbufd = require "cbufd"

local host_expiration = (read_config("host_expiration") or 120) * 1e9
local rows = read_config("rows") or error("rows configuration must be specified")
local max_hosts = read_config("max_hosts") or error("max_host configuration must be specified")

hosts = {}
hosts_size = 0
payloads = {}

-- new_payload makes the graphs of payload name from its first delta
local function new_payload(name, header)
    local ok, h = pcall(cjson.decode, header)
    if not ok or type(h) ~= "table" or type(h.column_info) ~= "table" then return nil end
    local pl = {header = h, cbufs = {}}
    for i, info in ipairs(h.column_info) do
        local cb = circular_buffer.new(rows, max_hosts, h.seconds_per_row)
        for host, hi in pairs(hosts) do cb:set_header(hi.index, host, info.unit, info.aggregation) end
        pl.cbufs[i] = cb
    end
    payloads[name] = pl
    return pl
end

-- host_column returns the host's entry, giving a new host a column
local function host_column(hostname, ts)
    local host = hosts[hostname]
    if host then return host end
    if hosts_size < max_hosts then
        hosts_size = hosts_size + 1
        host = {last_update = ts, index = hosts_size}
    else
        for old, h in pairs(hosts) do
            if ts - h.last_update >= host_expiration then
                hosts[old] = nil
                h.last_update = ts
                host = h
                break
            end
        end
        if not host then error("The number of hosts exceeds the 'max_hosts' configuration") end
    end
    hosts[hostname] = host
    for _, pl in pairs(payloads) do
        for i, cb in ipairs(pl.cbufs) do
            local info = pl.header.column_info[i]
            cb:set_header(host.index, hostname, info.unit, info.aggregation)
        end
    end
    return host
end

function process_message()
    local ts = read_message("Timestamp")
    local payload = read_message("Payload")
    if type(payload) ~= "string" then return -1 end
    local name = read_message("Fields[payload_name]") or ""
    local delta = cbufd.grammar:match(payload)
    if not delta then return -1 end
    local host = host_column(read_message("Hostname") or "", ts)
    local pl = payloads[name] or new_payload(name, delta.header)
    if not pl then return -1 end
    if ts > host.last_update then host.last_update = ts end
    for _, row in ipairs(delta) do
        for col, v in ipairs(row) do
            local info = pl.header.column_info[col]
            if v == v and info then
                if info.aggregation == "sum" then
                    pl.cbufs[col]:add(row.time, host.index, v)
                elseif info.aggregation == "min" or info.aggregation == "max" then
                    pl.cbufs[col]:set(row.time, host.index, v)
                end
            end
        end
    end
    return 0
end

local options = '{"options":{"stackedGraph":true,"fillGraph":true}}\n'

function timer_event(ns)
    for name, pl in pairs(payloads) do
        for i, cb in ipairs(pl.cbufs) do
            inject_payload("cbuf", string.format("%s (%s)", name, pl.header.column_info[i].name),
                           options, cb)
        end
    end
end
