--[[
Linux /proc/net/netstat and /proc/net/snmp decoder.

Both files hold pairs of lines, a line of names and a line of values, each
starting with the protocol ("Ip: Forwarding DefaultTTL ..." then
"Ip: 1 64 ..."). Parses a Payload holding either file and injects one
message of Type "stats.netstat" with an integer field <Protocol>_<Name> per
value (Ip_Forwarding, TcpExt_SyncookiesSent, Tcp_MaxConn, ...), plus
FilePath copied from the input message's Fields[FilePath]. A Payload that
is not in this form fails to decode (-1, "Failed to match grammar").

Config:
- payload_keep (bool, optional, default false)
    Keep the file contents as the Payload.

*Example Heka Configuration*

    [NetSnmp]
    type = "FilePollingInput"
    ticker_interval = 1
    file_path = "/proc/net/snmp"
    decoder = "NetstatDecoder"

    [NetNetstat]
    type = "FilePollingInput"
    ticker_interval = 1
    file_path = "/proc/net/netstat"
    decoder = "NetstatDecoder"

    [NetstatDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/linux_netstat.lua"
--]]

local lpeg = require "lpeg"
local P, R, C, Ct = lpeg.P, lpeg.R, lpeg.C, lpeg.Ct

local word = C(R("az", "AZ", "09")^1)
local value = P("-")^-1 * R("09")^1 / tonumber
local names = Ct(word * ":" * Ct((P(" ") * word)^1) * P(" ")^0 * "\n")
local values = Ct(word * ":" * Ct((P(" ") * value)^1) * P(" ")^0 * "\n")
local grammar = Ct(Ct(names * values)^1) * P(-1)

local payload_keep = read_config("payload_keep")

function process_message()
    local data = read_message("Payload")
    if type(data) ~= "string" then return -1, "Failed to match grammar" end
    local pairs_ = grammar:match(data)
    if pairs_ == nil then return -1, "Failed to match grammar" end
    local fields = {}
    for _, pair in ipairs(pairs_) do
        local proto, keys, vals = pair[1][1], pair[1][2], pair[2][2]
        if pair[2][1] ~= proto or #keys ~= #vals then return -1, "Failed to match grammar" end
        for i, key in ipairs(keys) do
            fields[proto .. "_" .. key] = {value = vals[i], value_type = 2}
        end
    end
    fields.FilePath = read_message("Fields[FilePath]")
    local msg = {Type = "stats.netstat", Fields = fields}
    if payload_keep then msg.Payload = data end
    inject_message(msg)
    return 0
end
