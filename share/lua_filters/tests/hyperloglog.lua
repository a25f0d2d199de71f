-- hyperloglog: a Lua stand-in for the sandbox's hyperloglog module (a C
-- module in Heka's lua_sandbox) for the filter tests under C Lua: the
-- same API (new, add, count, clear) with an exact count, so that the
-- expected results are exact. add returns true when the count changed.
local M = {}
local H = {}
H.__index = H

function M.new() return setmetatable({seen = {}, n = 0}, H) end

function H:add(item)
    local key = type(item) .. ":" .. tostring(item)
    if self.seen[key] then return false end
    self.seen[key], self.n = true, self.n + 1
    return true
end

function H:count() return self.n end

function H:clear() self.seen, self.n = {}, 0 end

hyperloglog = M
return M
