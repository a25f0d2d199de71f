--[[
nginx stub_status decoder.

Parses the page of nginx's stub_status module
(http://nginx.org/en/docs/http/ngx_http_stub_status_module.html), as
fetched by an HttpInput:

    Active connections: 291
    server accepts handled requests
     16630948 16630948 31070465
    Reading: 6 Writing: 179 Waiting: 106

and injects a message with the double Fields connections, accepts,
handled, requests, reading, writing and waiting. A Payload that is not
such a page fails to decode (-1).

Config:
- type (string, optional, default "nginx_stub_status")
    Value of the message Type header.
- payload_keep (bool, optional, default false)
    Keep the page as the Payload.

*Example Heka Configuration*

    [NginxStatus]
    type = "HttpInput"
    url = "http://localhost:8090/nginx_status"
    ticker_interval = 1
    decoder = "NginxStubStatusDecoder"

    [NginxStubStatusDecoder]
    type = "SandboxDecoder"
    filename = "lua_decoders/nginx_stub_status.lua"
--]]

local lpeg = require "lpeg"
local P, R, S, Ct, Cg = lpeg.P, lpeg.R, lpeg.S, lpeg.Ct, lpeg.Cg

local space = S(" \t\n")^0
local function value(name) return space * Cg(R("09")^1 / tonumber, name) end
local grammar = Ct(space * "Active connections:" * value("connections")
                   * space * "server accepts handled requests"
                   * value("accepts") * value("handled") * value("requests")
                   * space * "Reading:" * value("reading")
                   * space * "Writing:" * value("writing")
                   * space * "Waiting:" * value("waiting"))

local msg_type = read_config("type") or "nginx_stub_status"
local payload_keep = read_config("payload_keep")

function process_message()
    local page = read_message("Payload")
    if type(page) ~= "string" then return -1 end
    local fields = grammar:match(page)
    if fields == nil then return -1 end
    local msg = {Type = msg_type, Fields = fields}
    if payload_keep then msg.Payload = page end
    inject_message(msg)
    return 0
end
