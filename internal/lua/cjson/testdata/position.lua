-- Errors raised by a direct call carry the caller's position, as
-- luaL_error's do; under pcall(f, ...) they carry none.
local ok, e = pcall(function()
    cjson.encode(print)
end)
print(e)
ok, e = pcall(function() return cjson.decode("[") end)
print(e)
ok, e = pcall(function() return cjson.encode_max_depth(0) end)
print(e)
ok, e = pcall(function() return cjson.encode({[true] = 1}) end)
print(e)
print(pcall(cjson.decode, "{"))
