--[[
Message schema discovery.

Describes the messages it sees, for exploring a data stream (not meant to
run in production): a tree of Logger, Type and EnvVersion with the number
of messages of each, and under each EnvVersion the message fields with
their type ("string" for string and bytes, "number" for integer and
double, "bool", "mismatch" when the type varied) and, for a field not in
every message, "optional [<count>]". Sent on every timer event as text
(inject_payload "txt" named "Message Schema"), names sorted; empty names
are shown as -no logger-, -no type-, -no version-:

    Logger -> Type -> EnvVersion -> Field Attributes.
    The number in brackets is the number of occurrences of each logger/type/attribute.

    Sync-1_5-Webserver [54600]
        nginx.access [54600]
             -no version- [54600]
                body_bytes_sent (number)
                upstream_status (mismatch - optional [12])

Config: none.

*Example Heka Configuration*

    [MessageSchema]
    type = "SandboxFilter"
    filename = "lua_filters/heka_message_schema.lua"
    ticker_interval = 60
    preserve_data = false
    message_matcher = "Logger != 'MessageSchema' && Logger =~ /^Sync/"
--]]

local table = require "table"

schema = {}

local COUNT = "_cnt_"
local type_names = {[-1] = "mismatch", [0] = "string", [1] = "string", [2] = "number",
                    [3] = "number", [4] = "bool"}

-- child returns t's entry for key (counting one more message in it)
local function child(t, key)
    if key == nil then key = "" end
    local c = t[key]
    if not c then
        c = {[COUNT] = 0}
        t[key] = c
    end
    c[COUNT] = c[COUNT] + 1
    return c
end

function process_message()
    local version = child(child(child(schema, read_message("Logger")), read_message("Type")),
                          read_message("EnvVersion"))
    while true do
        local vtype, name = read_next_field()
        if not vtype then break end
        local f = version[name]
        if f then
            f[COUNT] = f[COUNT] + 1
            if f.type ~= vtype then f.type = -1 end
        else
            version[name] = {[COUNT] = 1, type = vtype}
        end
    end
    return 0
end

local function sorted_keys(t)
    local keys = {}
    for k, v in pairs(t) do
        if k ~= COUNT and type(v) == "table" then keys[#keys + 1] = k end
    end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    return keys
end

local function label(k, empty)
    if k == "" then return empty end
    return k
end

function timer_event(ns)
    add_to_payload("Logger -> Type -> EnvVersion -> Field Attributes.\n",
                   "The number in brackets is the number of occurrences of each logger/type/attribute.\n\n")
    for _, lk in ipairs(sorted_keys(schema)) do
        local logger = schema[lk]
        add_to_payload(label(lk, "-no logger-"), " [", logger[COUNT], "]\n")
        for _, tk in ipairs(sorted_keys(logger)) do
            local mtype = logger[tk]
            add_to_payload("    ", label(tk, "-no type-"), " [", mtype[COUNT], "]\n")
            for _, vk in ipairs(sorted_keys(mtype)) do
                local version = mtype[vk]
                local n = version[COUNT]
                add_to_payload("         ", label(vk, "-no version-"), " [", n, "]\n")
                for _, fk in ipairs(sorted_keys(version)) do
                    local f = version[fk]
                    add_to_payload("            ", fk, " (", type_names[f.type] or "unknown")
                    if f[COUNT] ~= n then add_to_payload(" - optional [", f[COUNT], "]") end
                    add_to_payload(")\n")
                end
            end
        end
    end
    inject_payload("txt", "Message Schema")
end
