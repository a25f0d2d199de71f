-- Errors: when patterns are built, when they are compiled and when they
-- match, with LPeg's messages.
local P, V, C = lpeg.P, lpeg.V, lpeg.C
e("empty loop", function() return (P"a"^0)^1 end)
e("empty loop opt", function() return (P"a"^-1)^0 end)
e("empty loop pred", function() return (#P"a")^0 end)
e("loop ok", function() return (P"a"^1)^0 end)
e("undefined rule", function() return P{"a", a = V"b"} end)
e("left recursive", function() return P{"a", a = V"a" * "x"} end)
e("left recursive choice", function() return P{"a", a = P"x" + V"a"} end)
e("left recursive nullable", function() return P{"a", a = P"x"^0 * V"a"} end)
e("left recursive mutual", function() return P{"a", a = V"b" * "x", b = V"a"} end)
e("not left recursive", function() return P{"a", a = "x" * V"a" + ""} end)
e("empty loop in rule", function() return P{"a", a = V"b"^0, b = P"x"^-1} end)
e("no initial rule", function() return P{} end)
e("initial rule not pattern", function() return P{"a", a = {}} end)
e("initial not pattern", function() return P{"a"} end)
e("rule not pattern", function() return P{"a", a = "x", b = nil, c = io.stdout} end)
e("outside grammar", function() return lpeg.match(V"a", "x") end)
e("outside grammar seq", function() return lpeg.match(P"x" * V"a", "x") end)
e("B variable", function() return lpeg.B(P"a"^1) end)
e("B captures", function() return lpeg.B(C"a") end)
e("B too long", function() return lpeg.B(P(300)) end)
e("R bad range", function() return lpeg.R("abc") end)
e("P nil", function() return lpeg.P(nil) end)
e("V nil", function() return lpeg.V() end)
e("Carg 0", function() return lpeg.Carg(0) end)
e("div bad", function() return P"a" / true end)
e("div negative", function() return P"a" / -1 end)
e("Cf no function", function() return lpeg.Cf(P"a", 1) end)
e("Cmt no function", function() return lpeg.Cmt(P"a", "x") end)
e("stack overflow", lpeg.match, P{"a", a = "(" * V"a" * ")" + ""}, string.rep("(", 500))
e("stack ok", lpeg.match, P{"a", a = "(" * V"a" * ")" + ""}, string.rep("(", 300) .. string.rep(")", 300))
e("choice overflow", lpeg.match, P{"a", a = P"x" * V"a" + "x"}, string.rep("x", 1000))
lpeg.setmaxstack(2000)
e("setmaxstack", lpeg.match, P{"a", a = "(" * V"a" * ")" + ""}, string.rep("(", 500) .. string.rep(")", 500))
e("setmaxstack overflow", lpeg.match, P{"a", a = "(" * V"a" * ")" + ""}, string.rep("(", 2500))
lpeg.setmaxstack(10)
e("setmaxstack below 400", lpeg.match, P{"a", a = "(" * V"a" * ")" + ""}, string.rep("(", 300) .. string.rep(")", 300))
e("setmaxstack bad", function() lpeg.setmaxstack(0) end)
lpeg.setmaxstack(400)
e("no rep overflow", function() return #lpeg.match(C(P"a"^0), string.rep("a", 100000) .. "b") end)
e("invalid position", lpeg.match, lpeg.Cmt(1, function() return 10 end), "abc")
e("invalid position back", lpeg.match, P(2) * lpeg.Cmt(0, function() return 1 end), "abc")
e("no fold init", lpeg.match, lpeg.Cf(P"a", print), "a")
e("no fold init group", lpeg.match, lpeg.Cf(lpeg.Cg(P"a", "n"), print), "a")
e("no capture n", lpeg.match, C(1) / 2, "a")
e("invalid capture index", lpeg.match, C(1) / "%2", "a")
e("no values in capture index", lpeg.match, (C(1) / function() end) / "%1", "a")
e("invalid replacement", lpeg.match, lpeg.Cs(C(1) / function() return {} end), "a")
e("invalid capture value", lpeg.match, (lpeg.Cc(true)) / "%1", "a")
e("backref not found", lpeg.match, lpeg.Cb"x", "a")
e("backref nested not visible", lpeg.match, lpeg.C(lpeg.Cg(C(1), "x")) * lpeg.Cb"x", "ab")
e("absent argument", lpeg.match, lpeg.Carg(2), "a", 1, "x")
e("match bad subject", function() return lpeg.match(P"a", nil) end)
e("error in function capture", lpeg.match, C(1) / function() error("boom", 0) end, "a")
e("error in Cmt", lpeg.match, lpeg.Cmt(1, function() error("cmt boom", 0) end), "a")
-- too many values at once for C Lua's stack (a table capture has no limit)
e("many captures", function() return select("#", lpeg.match(C(1)^0, string.rep("a", 7991))) end)
e("too many captures", function() return select("#", lpeg.match(C(1)^0, string.rep("a", 7992))) end)
e("many in a table", function() return #lpeg.match(lpeg.Ct(C(1)^0), string.rep("a", 100000)) end)
-- the deepest subject each grammar matches before the backtrack stack
-- overflows: the machine's stack use is C LPeg's, entry for entry
local function deepest(p, subject)
  local lo, hi = 0, 2000
  while lo < hi do
    local mid = math.floor((lo + hi + 1) / 2)
    if pcall(lpeg.match, p, subject(mid)) then lo = mid else hi = mid - 1 end
  end
  return lo
end
local V = lpeg.V
local balanced = P{"(" * ((1 - lpeg.S"()") + V(1))^0 * ")"}
print("deepest balanced", deepest(balanced, function(n) return ("("):rep(n) .. (")"):rep(n) end))
local nested = P{"a", a = "x" * V"a" + "y"}
print("deepest right recursion", deepest(nested, function(n) return ("x"):rep(n) .. "y" end))
local choices = P{"a", a = P"x" * V"a" * "z" + P"x" * V"a" * "w" + "y"}
print("deepest choices", deepest(choices, function(n) return ("x"):rep(n) .. "y" .. ("z"):rep(n) end))
local opt = P{"a", a = (P"x" * V"a")^-1 * "y"}
print("deepest optional", deepest(opt, function(n) return ("x"):rep(n) .. ("y"):rep(n + 1) end))
local list = P{"l", l = V"item" * ("," * V"item")^0, item = P"[" * V"l" * "]" + lpeg.R"az"^1}
print("deepest list", deepest(list, function(n) return ("["):rep(n) .. "a,b" .. ("]"):rep(n) end))
lpeg.setmaxstack(1000)
print("deepest balanced 1000", deepest(balanced, function(n) return ("("):rep(n) .. (")"):rep(n) end))
lpeg.setmaxstack(400)
-- capture nesting: 201 levels are fine, 202 are too deep
for _, n in ipairs{199, 200, 201, 202} do
  local p = C(1)
  for i = 1, n do p = lpeg.Ct(p) end
  e("nesting " .. n, function() return type(lpeg.match(p, "x")) end)
end
-- boundaries of the constructors' limits
e("B 255", function() return lpeg.type(lpeg.B(P(255))) end)
e("B 256", function() return lpeg.type(lpeg.B(P(256))) end)
local function rules(n)
  local g = {"r1"}
  for i = 1, n do g["r" .. i] = P"x" * (i < n and lpeg.V("r" .. (i + 1)) or P"") end
  return g
end
e("250 rules", function() return lpeg.match(P(rules(250)), string.rep("x", 250)) end)
e("251 rules", function() return lpeg.match(P(rules(251)), string.rep("x", 251)) end)
e("Carg 32767", function() return lpeg.type(lpeg.Carg(32767)) end)
e("Carg 32768", function() return lpeg.type(lpeg.Carg(32768)) end)
e("div 32767", function() return lpeg.type(P"a" / 32767) end)
e("div 32768", function() return lpeg.type(P"a" / 32768) end)
e("setmaxstack max", function() return lpeg.setmaxstack(21474836) end)
e("setmaxstack max+1", function() return lpeg.setmaxstack(21474837) end)
lpeg.setmaxstack(400)
e("ten string captures", lpeg.match, (C(1) * C(1) * C(1) * C(1) * C(1) * C(1) * C(1) * C(1) * C(1) * C(1)) / "%9%8%1%0", "abcdefghijk")
e("eleven string captures", lpeg.match, (C(1) * C(1) * C(1) * C(1) * C(1) * C(1) * C(1) * C(1) * C(1) * C(1) * C(1)) / "%9", "abcdefghijk")
e("nested simple flattened", lpeg.match, C(C(C(1) * C(1)) * C(1)) / "%1|%2|%3|%4|%5", "abc")
