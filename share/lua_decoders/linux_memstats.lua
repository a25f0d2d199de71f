--[[
Linux /proc/meminfo decoder.

Parses a Payload holding the contents of /proc/meminfo and injects a
message of Type "stats.memstats" with one double field per line, named as
in the file (MemTotal, MemFree, Buffers, Cached, SwapTotal, Active(anon),
HugePages_Total, ...; see `man proc`), with representation "kB" for the
values given in kB and "" for the counts (HugePages_*), plus FilePath
copied from the input message's Fields[FilePath] (set by
FilePollingInput). A Payload that is not in this form fails to decode (-1).

Config:
- payload_keep (bool, optional, default false)
    Keep the file contents as the Payload.

*Example Heka Configuration*

    [MemInfo]
    type = "FilePollingInput"
    ticker_interval = 1
    file_path = "/proc/meminfo"
    decoder = "MemStatsDecoder"

    [MemStatsDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/linux_memstats.lua"
--]]

local lpeg = require "lpeg"
local P, R, S, C, Cc, Ct, Cf, Cg = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Ct, lpeg.Cf,
    lpeg.Cg

local name = C((1 - S(":\n"))^1) * ":"
local value = Cg(R("09")^1 / tonumber, "value")
local representation = Cg(P(" ")^1 * C("kB") + Cc(""), "representation")
local line = Cg(name * P(" ")^1 * Ct(value * representation)) * "\n"
local grammar = Cf(Ct("") * line^1, rawset)

local payload_keep = read_config("payload_keep")

function process_message()
    local data = read_message("Payload")
    if type(data) ~= "string" then return -1 end
    local fields = grammar:match(data)
    if fields == nil then return -1 end
    fields.FilePath = read_message("Fields[FilePath]")
    local msg = {Type = "stats.memstats", Fields = fields}
    if payload_keep then msg.Payload = data end
    inject_message(msg)
    return 0
end
