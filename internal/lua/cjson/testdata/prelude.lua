-- Shared by the differential scripts: run under C Lua 5.1 with Debian's
-- lua-cjson and under gopher-lua with internal/lua/cjson. Heka's build
-- drops nulls by default; decode_null(true) gives upstream's behaviour.
local cjson = require "cjson"
if cjson.decode_null then cjson.decode_null(true) end
_G.cjson = cjson

-- show prints a value deterministically (sorted keys).
function show(v, seen)
    if type(v) ~= "table" then
        if v == cjson.null then return "null" end
        if type(v) == "string" then return string.format("%q", v) end
        return tostring(v)
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
        if type(a) == type(b) then return a < b end
        return type(a) < type(b)
    end)
    local parts = {}
    for _, k in ipairs(keys) do
        parts[#parts + 1] = "[" .. show(k) .. "]=" .. show(v[k])
    end
    return "{" .. table.concat(parts, ",") .. "}"
end

-- try prints what f(...) returns or the error it raises.
function try(label, f, ...)
    local r = {pcall(f, ...)}
    if r[1] then
        local out = {}
        for i = 2, #r do out[#out + 1] = show(r[i]) end
        print(label, "ok", table.concat(out, " "))
    else
        print(label, "error", r[2])
    end
end
