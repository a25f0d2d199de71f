-- gopher-lua miscompiles multiple assignment (lua-notes §4 #1)
local x, y = 1, 2
x, y = y, x
print(x, y)
local a, b = 0, 1
a, b = a + 1, a + b
print(a, b)
local p, q, r = 1, 2, 3
p, q, r = r, p, q
print(p, q, r)
local t = {}
G, t.k = "x", "v"
print(G, t.k)
local total = 0
for k, v in ipairs({"a", "b"}) do total, t[v] = total + 1, k end
print(total, t.a, t.b)
local i = 3
local arr = {}
i, arr[i] = i + 1, 20
print(i, arr[3], arr[4])
local m, n = 1
m, n = n, m
print(m, n)
local function f() return 7, 8, 9 end
local u, v, w = 0, 0, 0
u, v, w = f()
print(u, v, w)
u, v, w = 1, f()
print(u, v, w)
u, v = f(), 5
print(u, v)
local z = 1
z, z = 2, 3
print(z)
local s1, s2 = "a", "b"
s1, s2 = s1 .. s2, s2 .. s1
print(s1, s2)
