--[[
/proc/stat deltas and CPU utilisation.

Takes the stats.procstat messages of lua_decoders/linux_procstat.lua and,
from the second one on, injects for each a message of Type "procstat"
(heka.sandbox.procstat once injected) with the original Payload and the
changes since the previous message:
- <cpu>_percent: busy share of each cpu line (cpu, cpu0, ...), 1 - idle
  ticks / all ticks, as a whole percentage (or a fraction 0..1 when
  percent_integer is false)
- with extras: <cpu>_delta_<user|nice|system|idle|iowait|irq|softirq|steal|
  guest|guestnice> and <cpu>_delta_ticks (tick deltas),
  <cpu>_percent_<user|nice|system|idle> (and _iowait when the kernel
  reports it), softirq_delta_<n> for each softirq column, and
  <name>_delta for the single-number lines (ctxt, processes, ...).
Only the lines whose name matches the whitelist Lua pattern are used. A
line whose column count changed between two messages is skipped.

Config:
- whitelist (string, optional, default "": every line)
    Lua pattern the line names must match, e.g. "cpu$".
- extras (bool, optional, default false)
    Add the extra fields listed above.
- percent_integer (bool, optional, default true)
    Percentages as whole numbers (rounded) instead of fractions.

*Example Heka Configuration*

    [ProcStat]
    type = "FilePollingInput"
    ticker_interval = 1
    file_path = "/proc/stat"
    decoder = "ProcStatDecoder"

    [ProcStatDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/linux_procstat.lua"

    [ProcStatFilter]
    type = "SandboxFilter"
    filename = "lua_filters/procstat.lua"
    preserve_data = true
    message_matcher = "Type == 'stats.procstat'"

    [ProcStatFilter.config]
    whitelist = "cpu$"
    extras = false
    percent_integer = true
--]]

local math = require "math"
local string = require "string"

local cpu_columns = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
                     "guest", "guestnice"}

local whitelist = read_config("whitelist")
if whitelist == "" then whitelist = nil end
local extras = read_config("extras") or false
local percent_integer = read_config("percent_integer")
if percent_integer == nil then percent_integer = true end

local previous = nil

-- read_fields returns the message's fields: name -> number, or array of
-- numbers for the fields with more than one value
local function read_fields()
    local data = {}
    while true do
        local vtype, name, value, _, count = read_next_field()
        if not vtype then break end
        if count == 1 then
            data[name] = value
        else
            local values = {value}
            local var = "Fields[" .. name .. "]"
            for i = 1, count - 1 do values[i + 1] = read_message(var, 0, i) end
            data[name] = values
        end
    end
    return data
end

-- delta returns new - old, element by element for arrays of the same
-- length; nil when the shapes differ
local function delta(new, old)
    if type(new) ~= type(old) then return nil end
    if type(new) ~= "table" then return new - old end
    if #new ~= #old then return nil end
    local d = {}
    for i, v in ipairs(old) do d[i] = delta(new[i], v) end
    return d
end

local function percent(fraction)
    if percent_integer then return math.ceil(fraction * 100 - 0.5) end
    return fraction
end

local function cpu_fields(fields, name, d)
    local ticks = 0
    for i, v in ipairs(d) do
        if extras and cpu_columns[i] then fields[name .. "_delta_" .. cpu_columns[i]] = v end
        ticks = ticks + v
    end
    if extras then fields[name .. "_delta_ticks"] = ticks end
    if ticks <= 0 then return end
    if extras then
        for i = 1, math.min(#d, 5) do
            fields[name .. "_percent_" .. cpu_columns[i]] = percent(d[i] / ticks)
        end
    end
    fields[name .. "_percent"] = percent(1 - d[4] / ticks)
end

local function delta_fields(deltas)
    local fields = {}
    for name, d in pairs(deltas) do
        if not whitelist or string.match(name, whitelist) then
            if string.match(name, "^cpu") then
                if type(d) == "table" then cpu_fields(fields, name, d) end
            elseif extras and name == "softirq" and type(d) == "table" then
                for i, v in ipairs(d) do fields["softirq_delta_" .. i] = v end
            elseif extras and type(d) == "number" then
                fields[name .. "_delta"] = d
            end
        end
    end
    return fields
end

function process_message()
    local data = read_fields()
    local old = previous
    previous = data
    if not old then return 0 end
    local deltas = {}
    for name, v in pairs(old) do deltas[name] = delta(data[name], v) end
    inject_message({Type = "procstat", Payload = read_message("Payload"),
                    Fields = delta_fields(deltas)})
    return 0
end
