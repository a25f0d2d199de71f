-- table.concat (lua-notes §4 #9), missing 5.1 functions (#17), call depth (#10)
local acc = {}
local function W(...) for i = 1, select("#", ...) do acc[#acc + 1] = tostring((select(i, ...))) end end
local function P() print(table.concat(acc)) acc = {} end
local t = {}
for i = 1, 10000 do t[i] = i end
local s = table.concat(t, ",")
print(#s, s:sub(1, 20), s:sub(-11))
print(table.concat({}, ","), table.concat({"a"}, ","), table.concat({"a", "b", "c"}, ", ", 2, 3))
print((select(2, pcall(table.concat, {"a", {}, "c"})):gsub("^[^:]*:%d+: ", "")))
table.foreach({10, 20}, function(k, v) W(k, "=", v, " ") end) P()
table.foreachi({"x", "y", "z"}, function(i, v) W(i, v, " ") end) P()
print(table.foreachi({1, 2, 3}, function(i, v) if v == 2 then return "stop" .. i end end))
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
print(depth(10000))
local big = {}
for i = 1, 7000 do big[i] = i end
print(select("#", unpack(big)))
print(math.huge, -math.huge, math.huge > 1e308)
-- a call (or ...) as the value of a keyed last field gives one value, not
-- an array item (lpeg grammars are written {"S", S = ..., A = lpeg.P"a"})
local function two() return "x", "y" end
local tk = {"a", k = two()}
print(#tk, tk[2], tk.k)
local function va(...) return {"a", k = ...} end
local tv = va(1, 2, 3)
print(#tv, tv[2], tv.k)
