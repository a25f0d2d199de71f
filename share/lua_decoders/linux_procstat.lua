--[[
Linux /proc/stat decoder.

Parses a Payload holding the contents of /proc/stat (as read by a
FilePollingInput) and injects one message of Type "stats.procstat" whose
Fields are the lines of the file: the first word of a line is the field
name and the numbers after it its value, an array of doubles (one element
for the single-number lines).
- cpu, cpu0, cpu1, ...: user nice system idle [iowait irq softirq steal
  guest guest_nice] (in USER_HZ; the columns after idle depend on the kernel)
- intr: the total of all interrupts, then one count per interrupt number
- ctxt, btime, processes, procs_running, procs_blocked
- softirq: the total, then one count per softirq type
A Payload that is not in this form fails to decode (-1).

Config:
- payload_keep (bool, optional, default false)
    Keep the file contents as the Payload.

*Example Heka Configuration*

    [ProcStat]
    type = "FilePollingInput"
    ticker_interval = 1
    file_path = "/proc/stat"
    decoder = "ProcStatDecoder"

    [ProcStatDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/linux_procstat.lua"
--]]

local lpeg = require "lpeg"
local P, R, S, C, Ct, Cf, Cg = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Ct, lpeg.Cf, lpeg.Cg

local blank = P(" ")^1
local number = R("09")^1 / tonumber
local name = C((R("az", "AZ", "09") + "_")^1)
local values = Ct(number * (blank * number)^0) * P(" ")^0
local line = Cg(name * blank * values) * P("\n")^0
local grammar = Cf(Ct("") * line^1, rawset) * P(-1)

local payload_keep = read_config("payload_keep")

function process_message()
    local data = read_message("Payload")
    if type(data) ~= "string" then return -1 end
    local fields = grammar:match(data)
    if fields == nil then return -1 end
    local msg = {Type = "stats.procstat", Fields = fields}
    if payload_keep then msg.Payload = data end
    inject_message(msg)
    return 0
end
