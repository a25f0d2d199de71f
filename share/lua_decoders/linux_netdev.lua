--[[
Linux /proc/net/dev decoder.

Parses a Payload holding the contents of /proc/net/dev and injects one
message of Type "stats.netdev" per interface, with Fields:
- netdevice: the interface name
- receive_<column> and transmit_<column> for each column the header names
  (bytes packets errs drop fifo frame compressed multicast / bytes packets
  errs drop fifo colls carrier compressed): integers
- FilePath: copied from the input message's Fields[FilePath]
A Payload that is not in this form fails to decode (-1, "Failed to match
grammar").

Config:
- payload_keep (bool, optional, default false)
    Keep the file contents as the Payload of every message.

*Example Heka Configuration*

    [NetDev]
    type = "FilePollingInput"
    ticker_interval = 1
    file_path = "/proc/net/dev"
    decoder = "NetDevDecoder"

    [NetDevDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/linux_netdev.lua"
--]]

local lpeg = require "lpeg"
local P, R, S, C, Ct = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Ct

local blank = P(" ")^0
local word = C(R("az", "AZ", "09")^1)
local names = Ct((word * blank)^1)
local header = blank * "Inter-" * blank * "|" * blank * "Receive" * blank * "|" * blank
    * "Transmit" * blank * "\n" * blank * "face" * blank * "|" * blank * names * "|" * blank
    * names * "\n"
local counter = R("09")^1 / tonumber
local iface = Ct(blank * C((1 - S(" :\n"))^1) * ":" * blank * Ct((counter * blank)^1) * "\n")
local grammar = Ct(header * Ct(iface^1)) * P(-1)

local payload_keep = read_config("payload_keep")

function process_message()
    local data = read_message("Payload")
    if type(data) ~= "string" then return -1, "Failed to match grammar" end
    local t = grammar:match(data)
    if t == nil then return -1, "Failed to match grammar" end
    local receive, transmit, ifaces = t[1], t[2], t[3]
    local path = read_message("Fields[FilePath]")
    for _, line in ipairs(ifaces) do
        local fields = {netdevice = line[1], FilePath = path}
        local counters = line[2]
        for i, v in ipairs(counters) do
            local name
            if i <= #receive then
                name = "receive_" .. receive[i]
            elseif transmit[i - #receive] then
                name = "transmit_" .. transmit[i - #receive]
            end
            if name then fields[name] = {value = v, value_type = 2} end
        end
        local msg = {Type = "stats.netdev", Fields = fields}
        if payload_keep then msg.Payload = data end
        inject_message(msg)
    end
    return 0
end
