--[[
Linux block device statistics decoder.

Parses a Payload holding the contents of /sys/block/<disk>/stat and injects
a message of Type "stats.diskstats" with the double Fields, in the file's
column order: ReadsCompleted, ReadsMerged, SectorsRead, TimeReading,
WritesCompleted, WritesMerged, SectorsWritten, TimeWriting,
NumIOInProgress, TimeDoingIO, WeightedTimeDoingIO (times in ms). The
discard and flush columns newer kernels append are ignored. FilePath and
TickerInterval are copied from the input message's fields of those names
(set by FilePollingInput). A Payload that is not in this form fails to
decode (-1).

Config:
- payload_keep (bool, optional, default false)
    Keep the file contents as the Payload.

*Example Heka Configuration*

    [DiskStats]
    type = "FilePollingInput"
    ticker_interval = 1
    file_path = "/sys/block/sda/stat"
    decoder = "DiskStatsDecoder"

    [DiskStatsDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/linux_diskstats.lua"
--]]

local lpeg = require "lpeg"
local P, R, S, Ct, Cg = lpeg.P, lpeg.R, lpeg.S, lpeg.Ct, lpeg.Cg

local columns = {"ReadsCompleted", "ReadsMerged", "SectorsRead", "TimeReading",
                 "WritesCompleted", "WritesMerged", "SectorsWritten", "TimeWriting",
                 "NumIOInProgress", "TimeDoingIO", "WeightedTimeDoingIO"}
local space = S(" \t")^0
local number = R("09")^1
local row = P(true)
for _, name in ipairs(columns) do
    row = row * space * Cg(number / tonumber, name)
end
local grammar = Ct(row * (space * number)^0 * space * "\n")

local payload_keep = read_config("payload_keep")

function process_message()
    local data = read_message("Payload")
    if type(data) ~= "string" then return -1 end
    local fields = grammar:match(data)
    if fields == nil then return -1 end
    fields.FilePath = read_message("Fields[FilePath]")
    fields.TickerInterval = read_message("Fields[TickerInterval]")
    local msg = {Type = "stats.diskstats", Fields = fields}
    if payload_keep then msg.Payload = data end
    inject_message(msg)
    return 0
end
