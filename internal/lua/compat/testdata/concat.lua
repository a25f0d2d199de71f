-- `..` goes through a Go function (AST pass): metamethods, errors, order
local mt = {__concat = function(a, b)
  local x = type(a) == "table" and a.name or a
  local y = type(b) == "table" and b.name or b
  return "<" .. x .. "+" .. y .. ">"
end}
local t = setmetatable({name = "T"}, mt)
print("a" .. t, t .. "b", "a" .. t .. "c", 1 .. t, t .. t)
print("x" .. 1 .. 2.5 .. "y" .. -0.0 .. 1e100)
local function f() return "r1", "r2" end
print("f:" .. f(), (f()) .. "!")
local function g(...) return "v:" .. ... end
print(g("one", "two"))
local ok, e = pcall(function() return "a" .. nil end)
print(ok, (e:gsub("^[^:]*:%d+: ", ""):gsub("global 'x' ", "")))
ok, e = pcall(function() local x = {} return x .. "a" end)
print(ok)
local s = ""
for i = 1, 5 do s = s .. i .. "," end
print(s, #s)
print(("%d"):format(3) .. ("x"):rep(3))
