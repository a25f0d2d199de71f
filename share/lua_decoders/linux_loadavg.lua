--[[
Linux /proc/loadavg decoder.

Parses a Payload holding the contents of /proc/loadavg
("0.21 0.07 0.02 1/235 4321") and injects a message of Type
"stats.loadavg" with the double Fields 1MinAvg, 5MinAvg, 15MinAvg (the load
averages) and NumProcesses (the number of runnable entities, before the
slash), plus FilePath copied from the input message's Fields[FilePath]
(set by FilePollingInput). A Payload that is not in this form fails to
decode (-1).

Config:
- payload_keep (bool, optional, default false)
    Keep the file contents as the Payload.

*Example Heka Configuration*

    [LoadAvg]
    type = "FilePollingInput"
    ticker_interval = 1
    file_path = "/proc/loadavg"
    decoder = "LoadAvgDecoder"

    [LoadAvgDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/linux_loadavg.lua"
--]]

local lpeg = require "lpeg"
local P, R, S, Ct, Cg = lpeg.P, lpeg.R, lpeg.S, lpeg.Ct, lpeg.Cg

local digits = R("09")^1
local space = S(" \t")
local average = digits * "." * digits / tonumber
local grammar = Ct(Cg(average, "1MinAvg") * space * Cg(average, "5MinAvg") * space
                   * Cg(average, "15MinAvg") * space
                   * Cg(digits / tonumber, "NumProcesses") * "/" * digits
                   * space * digits)

local payload_keep = read_config("payload_keep")

function process_message()
    local data = read_message("Payload")
    if type(data) ~= "string" then return -1 end
    local fields = grammar:match(data)
    if fields == nil then return -1 end
    fields.FilePath = read_message("Fields[FilePath]")
    local msg = {Type = "stats.loadavg", Fields = fields}
    if payload_keep then msg.Payload = data end
    inject_message(msg)
    return 0
end
