-- Prepended to every testdata/*.lua script: deterministic printing of
-- match results under both C Lua and gopher-lua.
lpeg = require "lpeg"
re = require "re"
function show(...)
  local n = select("#", ...)
  local out = {}
  for i = 1, n do
    local v = select(i, ...)
    local t = type(v)
    if t == "number" then
      if v == math.floor(v) then out[#out+1] = string.format("%d", v) else out[#out+1] = string.format("%.6f", v) end
    elseif t == "string" then out[#out+1] = string.format("%q", v)
    elseif t == "table" then
      local keys = {}
      for k in pairs(v) do keys[#keys+1] = k end
      table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
      local parts = {}
      for _, k in ipairs(keys) do parts[#parts+1] = show(k) .. "=" .. show(v[k]) end
      out[#out+1] = "{" .. table.concat(parts, ",") .. "}"
    elseif t == "userdata" and lpeg.type(v) then out[#out+1] = "<pattern>"
    else out[#out+1] = tostring(v) end
  end
  return table.concat(out, " ")
end
-- t prints the results of lpeg.match(p, s, ...).
function t(name, p, s, ...)
  print(name, show(lpeg.match(p, s, ...)))
end
-- e prints whether f(...) raised, and the message without the
-- "file:line: " prefix (re.lua's is a path under C Lua).
function e(name, f, ...)
  local res = {pcall(f, ...)}
  if res[1] then
    print(name, "ok", show(unpack(res, 2)))
  else
    local msg = tostring(res[2]):gsub("^[^:]*:%d+: ", "")
    print(name, "error", msg)
  end
end
