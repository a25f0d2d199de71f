-- Constructors, operators and simple captures.
local lpeg = require "lpeg"
dofile_helpers = nil
local function show(...)
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
      for _, k in ipairs(keys) do parts[#parts+1] = tostring(k) .. "=" .. show(v[k]) end
      out[#out+1] = "{" .. table.concat(parts, ",") .. "}"
    else out[#out+1] = tostring(v) end
  end
  return table.concat(out, " ")
end
local function t(name, p, s, ...)
  print(name, show(lpeg.match(p, s, ...)))
end
local P, R, S, C = lpeg.P, lpeg.R, lpeg.S, lpeg.C
t("P str", P"ab", "abc")
t("P str fail", P"ab", "ax")
t("P num", P(2), "abc")
t("P num neg", P(-2), "a")
t("P num neg fail", P(-2), "ab")
t("P true", P(true), "x")
t("P false", P(false), "x")
t("R", R("az", "09")^1, "ab12Z")
t("S", S"+-"^0, "+-+x")
t("seq", P"a" * "b", "abc")
t("choice", P"x" + "a", "abc")
t("diff", (R"az" - "c")^1, "abcd")
t("not", -P"a" * 1, "ba")
t("and", #P"a" * C(1), "ab")
t("pow n", P"a"^2, "aaab")
t("pow n fail", P"a"^2, "ab")
t("pow -n", C(P"a"^-2), "aaaa")
t("C", C(P"a"^1) * C(P"b"^1), "aabbc")
t("Cc", lpeg.Cc(1, "x", true) * "a", "a")
t("Cp", lpeg.Cp() * "a" * lpeg.Cp(), "ab")
t("Ct", lpeg.Ct(C(1) * C(1) * lpeg.Cg(C(1), "k")), "abc")
t("Cg anon", lpeg.Cg(C(1) * C(1)), "ab")
t("Cg named", lpeg.Cg(C(1), "x"), "ab")
t("Cs", lpeg.Cs((P"a" / "b" + 1)^0), "banana")
t("div str", C(R"09"^1) / "<%1|%0>", "123")
t("div num", (C(1) * C(1)) / 2, "xy")
t("div table", C(1) / {a = "A"}, "a")
t("div table miss", C(1) / {a = "A"}, "b")
t("div fn", (C(1) * C(1)) / function(a, b) return b .. a, 7 end, "xy")
t("Cf", lpeg.Cf(C(R"09") * (P"," * C(R"09"))^0, function(a, b) return a + b end), "1,2,3")
t("Cb", lpeg.Cg(C(1), "q") * lpeg.Cb("q"), "ab")
t("Cmt", lpeg.Cmt(C(1), function(s, i, c) return i + 1, c:upper() end), "abc")
t("Cmt fail", lpeg.Cmt(1, function() return false end), "abc")
t("Carg", lpeg.Carg(1) * lpeg.Carg(2), "a", 1, "x", "y")
t("init", C(1), "abc", 2)
t("init neg", C(1), "abc", -1)
t("init 0", lpeg.Cp(), "abc", 0)
t("init big", lpeg.Cp(), "abc", 10)
t("B", P"a" * lpeg.B"a" * C(1), "ab")
t("B fail", lpeg.B"a" * C(1), "ab")
t("grammar", P{"S", S = "(" * lpeg.V"S" ^ 0 * ")"}, "(()())x")
t("fn pattern", P(function(s, i) return i end) * C(1), "ab")
t("locale", lpeg.locale().digit^1, "123a")
print(lpeg.type(P"a"), lpeg.type("a"), lpeg.version())
print(pcall(function() return (P"a"^0)^0 end))
print(pcall(lpeg.P, {lpeg.V"a", a = lpeg.V"b"}))
print(pcall(lpeg.P, {"a", a = lpeg.V"a" * "x"}))
print(pcall(lpeg.P, {"a", a = (P"x" + lpeg.V"b")^0, b = P"y"^-1 }))
print(pcall(lpeg.match, lpeg.V"x", "a"))
