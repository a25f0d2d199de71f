-- Matches inside the functions of other matches (a function capture, a
-- match-time capture, a fold), and patterns and results used across them.
local P, C, Ct, Cmt, Cf = lpeg.P, lpeg.C, lpeg.Ct, lpeg.Cmt, lpeg.Cf
local word = C(lpeg.R"az"^1)
local inner = Ct((word * P" "^-1)^0)
t("function capture", C(P(1)^0) / function(s) return inner:match(s) end, "ab cd ef")
t("match-time capture", Cmt(C(P(1)^0), function(s, i, c) local r = inner:match(c); return #r > 0, #r end), "ab cd")
t("fold", Cf(C(1) * C(1)^0, function(acc, c) return acc .. (lpeg.match(C(1) / string.upper, c)) end), "abc")
t("nested re", C(P(1)^0) / function(s) return re.match(s, "{%a+} ' ' {%a+}") end, "hi there")
local depth = 0
local rec
rec = P"(" * Cmt(C((1 - P")")^0), function(s, i, c) depth = depth + 1; return depth < 5 and lpeg.match(rec, "(" .. c .. ")") ~= nil or true end) * ")"
t("recursive Cmt", rec, "(x)")
print("depth", depth)
-- errors inside nested matches surface through the outer one
e("nested error", lpeg.match, C(1) / function() return lpeg.match(lpeg.Cb"nope", "x") end, "a")
-- the outer match's captures survive a nested match that overflows
e("nested overflow", lpeg.match, C(1) * (C(1) / function() return pcall(lpeg.match, P{"(" * lpeg.V(1) * ")" + ""}, ("("):rep(1000)) end) * C(1), "abc")
-- init positions
for _, init in ipairs{-10, -3, -1, 0, 1, 3, 4, 5, 100} do t("init " .. init, lpeg.Cp() * C(P(1)^0), "abc", init) end
print("find neg", show(re.find("abcabc", "'c'", -2)))
print("gsub caps", show(re.gsub("a1b2", "{%a} {%d}", "%2%1")))
print("gsub nomatch", show(re.gsub("xyz", "'q'", "Q")))
print("match num subject", show(lpeg.match(C(P(1)^0), 123)))
print("compile defs number", show(re.compile("({.} {.}) -> n", {n = 2}):match("ab")))
