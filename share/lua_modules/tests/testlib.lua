-- testlib: the few helpers the module test scripts share. A script calls
-- the checks and ends with T.done(), which prints "ok" when every check
-- passed; a failed check raises an error naming the case, so the script
-- exits with a Lua error. Numbers are compared in Lua, never by their
-- printed form (float formatting differs between Lua implementations).

local string = require "string"
local table = require "table"
local math = require "math"

local T = {}

local function show(v)
    if type(v) == "string" then return string.format("%q", v) end
    return tostring(v)
end

-- deep compares got with want; returns nil when equal, else a description
-- of the first difference
local function diff(got, want, path)
    if type(want) ~= "table" then
        if got ~= want then
            return string.format("%s: got %s (%s), want %s (%s)", path, show(got), type(got),
                                 show(want), type(want))
        end
        return nil
    end
    if type(got) ~= "table" then
        return string.format("%s: got %s (%s), want a table", path, show(got), type(got))
    end
    local keys = {}
    for k in pairs(want) do keys[#keys + 1] = k end
    for k in pairs(got) do
        if want[k] == nil then keys[#keys + 1] = k end
    end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do
        local d = diff(got[k], want[k], path .. "." .. tostring(k))
        if d then return d end
    end
    return nil
end

T.diff = diff

-- eq fails the script when got and want differ (tables compared deeply).
function T.eq(name, got, want)
    local d = diff(got, want, name)
    if d then error(d, 2) end
end

-- near fails the script when number got is farther than tol from want.
function T.near(name, got, want, tol)
    if type(got) ~= "number" or math.abs(got - want) > tol then
        error(string.format("%s: got %s, want %s (within %s)", name, show(got), show(want),
                            show(tol)), 2)
    end
end

-- raises fails the script unless f() raises an error whose message contains
-- the plain text want.
function T.raises(name, f, want)
    local ok, err = pcall(f)
    if ok then error(name .. ": no error, want one containing " .. show(want), 2) end
    if not string.find(tostring(err), want, 1, true) then
        error(string.format("%s: error %s, want one containing %s", name, show(err), show(want)), 2)
    end
end

-- globals returns the set of global names, to check that requiring a module
-- defines none.
function T.globals()
    local g = {}
    for k in pairs(_G) do g[k] = true end
    return g
end

-- no_new_globals fails the script if a global exists that was not in before.
function T.no_new_globals(name, before)
    for k in pairs(_G) do
        if not before[k] then error(name .. ": global " .. tostring(k) .. " leaked", 2) end
    end
end

-- stub_message defines the sandbox's read_message as a global reading the
-- message msg: {Type = ..., Timestamp = ..., Fields = {name = value}}.
-- Only Fields[name] with the default field and array indices is supported.
function T.stub_message(msg)
    read_message = function(var)
        local name = string.match(var, "^Fields%[(.*)%]$")
        if name then return (msg.Fields or {})[name] end
        return msg[var]
    end
end

-- json is a deterministic JSON encoder for the tests (object keys sorted;
-- a table with keys 1..n is an array, an empty table an object, as cjson
-- encodes them).
function T.json(v)
    local t = type(v)
    if t == "string" then
        return '"' .. string.gsub(v, '[%c"\\]', function(c)
            return string.format("\\u%04x", string.byte(c))
        end) .. '"'
    elseif t == "number" then
        if v == math.floor(v) and math.abs(v) < 2^53 then return string.format("%d", v) end
        return string.format("%.14g", v)
    elseif t ~= "table" then
        return tostring(v)
    end
    local n = 0
    for _ in pairs(v) do n = n + 1 end
    if n > 0 and n == #v then
        local parts = {}
        for i = 1, n do parts[i] = T.json(v[i]) end
        return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    local parts = {}
    for _, k in ipairs(keys) do
        local val = v[k]
        if val == nil then val = v[tonumber(k)] end
        parts[#parts + 1] = T.json(k) .. ":" .. T.json(val)
    end
    return "{" .. table.concat(parts, ",") .. "}"
end

-- stub_cjson makes require "cjson" return {encode = T.json} where C Lua
-- has no cjson; false where package is hidden (hekad's sandbox, whose cjson
-- is real).
function T.stub_cjson()
    if type(package) ~= "table" or type(package.preload) ~= "table" then return false end
    package.preload.cjson = function() return {encode = T.json} end
    return true
end

-- done prints the line the Go test looks for.
function T.done()
    print("ok")
end

return T
