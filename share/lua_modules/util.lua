-- util: helpers for decoders that turn nested data into message fields.
-- hekad's implementation of Heka's lua_modules/util.lua (same functions).
--
-- table_to_fields(t, fields, parent, char, max_depth)
--     Flattens the nested table t into fields, a flat table suitable as the
--     Fields of inject_message: a value at t.a.b is stored as
--     fields["a.b"]. parent (optional) prefixes every key; char (default
--     ".") separates the parts of a key; with max_depth a table found at
--     depth max_depth or deeper (a key with max_depth - 1 separators or
--     more) is stored as its JSON text (cjson.encode) instead. Userdata
--     values are left out.
-- behead_array(idx, array)
--     Removes the elements before index idx from the array in place, moving
--     the rest to the front: behead_array(3, {"a", "b", "c", "d"}) leaves
--     {"c", "d"}. Does nothing when idx <= 1; empties the array when idx is
--     past its end.
-- unescape(text, escapes)
--     hekad's: text with its backslash escapes replaced, as in a log format
--     string: \ followed by one to three digits is that byte (modulo 256);
--     \ followed by a key of escapes is escapes' value; any other \ is
--     kept. Used by common_log_format and syslog, each with its own table.
--
-- Example:
--   local util = require "util"
--   local fields = {}
--   util.table_to_fields({a = {b = 1, c = {d = "x"}}}, fields)
--   -- fields = {["a.b"] = 1, ["a.c.d"] = "x"}

local string = require "string"
local table = require "table"

local pairs, type, require = pairs, type, require

local M = {}

-- the number of times the plain text sep occurs in s
local function count(s, sep)
    local n, pos = 0, 1
    while true do
        local _, e = string.find(s, sep, pos, true)
        if not e then return n end
        n, pos = n + 1, e + 1
    end
end

function M.table_to_fields(t, fields, parent, char, max_depth)
    if type(char) ~= "string" then char = "." end
    for k, v in pairs(t) do
        local key = k
        if parent then key = string.format("%s%s%s", parent, char, k) end
        if type(v) == "table" then
            if type(max_depth) == "number" and count(key, char) + 1 >= max_depth then
                -- cjson is loaded only when a depth limit needs it
                fields[key] = require("cjson").encode(v)
            else
                M.table_to_fields(v, fields, key, char, max_depth)
            end
        elseif type(v) ~= "userdata" then
            fields[key] = v
        end
    end
end

function M.behead_array(idx, array)
    if idx <= 1 then return end
    local n = #array
    local shift = idx - 1
    for i = 1, n do
        if i + shift <= n then
            array[i] = array[i + shift]
        else
            array[i] = nil
        end
    end
end

function M.unescape(text, escapes)
    local out, i, n = {}, 1, #text
    while i <= n do
        local c = string.sub(text, i, i)
        local num = c == "\\" and string.match(text, "^%d%d?%d?", i + 1)
        local e = c == "\\" and escapes[string.sub(text, i + 1, i + 1)]
        if num then
            out[#out + 1] = string.char(tonumber(num) % 256)
            i = i + 1 + #num
        elseif e then
            out[#out + 1] = e
            i = i + 2
        else -- an unknown escape keeps its backslash
            out[#out + 1] = c
            i = i + 1
        end
    end
    return table.concat(out)
end

return M
