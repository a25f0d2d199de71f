-- The classic uses of LPeg: balanced parentheses, CSV, splitting,
-- substitution, name=value lists, arithmetic evaluation, and a Heka-style
-- access-log grammar (named groups in a table, / tonumber, Cf with rawset).
local P, R, S, C, Ct, Cg, Cc, Cf, Cs, V = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Ct, lpeg.Cg, lpeg.Cc, lpeg.Cf, lpeg.Cs, lpeg.V
local l = lpeg.locale()

-- balanced parentheses
local bal = P{"(" * ((1 - S"()") + V(1))^0 * ")"}
for _, s in ipairs{"(a(b)c)", "((x)", "()()", "(a(b(c)d)e)f"} do t("balanced " .. s, bal, s) end

-- CSV with quoted fields
local field = '"' * Cs(((P(1) - '"') + P'""' / '"')^0) * '"' + C((1 - S',\n"')^0)
local record = Ct(field * (',' * field)^0) * (P'\n' + -1)
t("csv", record, 'a,"b,c",,"d""e"\n')
t("csv empty", record, '')

-- splitting
local function split(s, sep)
  sep = P(sep)
  local elem = C((1 - sep)^0)
  return lpeg.match(Ct(elem * (sep * elem)^0), s)
end
print("split", show(split("a,b,,c", ",")))
print("split multi", show(split("a::b::c", "::")))

-- global substitution
local function gsub(s, patt, repl)
  patt = P(patt)
  return lpeg.match(Cs((patt / repl + 1)^0), s)
end
print("gsub", show(gsub("hello world", "o", "0")))

-- name=value lists
local space = l.space^0
local name = C(l.alpha^1) * space
local sep = S(",;") * space
local pair = Cg(name * "=" * space * name) * sep^-1
local list = Cf(Ct("") * pair^0, rawset)
t("name=value", list, "a=b, c = hi; next = pi")

-- arithmetic evaluation
local function eval(v1, op, v2)
  if op == "+" then return v1 + v2
  elseif op == "-" then return v1 - v2
  elseif op == "*" then return v1 * v2
  else return v1 / v2 end
end
local Space = S" \n\t"^0
local Number = C(P"-"^-1 * R"09"^1) * Space / tonumber
local TermOp = C(S"+-") * Space
local FactorOp = C(S"*/") * Space
local Open = "(" * Space
local Close = ")" * Space
local G = P{"Exp",
  Exp = Cf(V"Term" * Cg(TermOp * V"Term")^0, eval),
  Term = Cf(V"Factor" * Cg(FactorOp * V"Factor")^0, eval),
  Factor = Number + Open * V"Exp" * Close,
}
G = Space * G * -1
for _, s in ipairs{"3 + 5*9 / (1+1) - 12", "2*(3+4)", "1 +", "-4 * -2"} do t("arith " .. s, G, s) end

-- a Heka-style access-log grammar
local digit = l.digit
local int = digit^1 / tonumber
local ip = C(digit^1 * ("." * digit^1)^3)
local month = P"Jan" * Cc(1) + P"Feb" * Cc(2) + P"Mar" * Cc(3) + P"Dec" * Cc(12)
local ts = "[" * Cg(digit^1 / tonumber, "day") * "/" * Cg(month, "month") * "/" * Cg(int, "year") * ":" *
  Cg(int, "hour") * ":" * Cg(int, "min") * ":" * Cg(int, "sec") * " " * Cg(C(S"+-" * digit^4), "offset") * "]"
local quoted = '"' * C((1 - P'"')^0) * '"'
local request = '"' * Cg(C(l.upper^1), "method") * " " * Cg(C((1 - S' "')^1), "path") * " " * Cg(C((1 - P'"')^1), "proto") * '"'
local line = Ct(Cg(ip, "remote_addr") * " - " * Cg(C((1 - P" ")^1), "user") * " " * Cg(Ct(ts), "time") * " " * request *
  " " * Cg(int, "status") * " " * Cg(int + P"-" * Cc(0), "bytes") * " " * Cg(quoted, "referer") * " " * Cg(quoted, "agent"))
t("access log", line, '192.168.1.10 - alice [10/Dec/2025:13:55:36 +0000] "GET /index.html?q=1 HTTP/1.1" 200 2326 "http://example.com/" "Mozilla/5.0 (X11)"')
t("access log dash", line, '10.0.0.1 - - [01/Jan/2026:00:00:00 -0700] "POST /api HTTP/2.0" 404 - "-" "curl/8.0"')
t("access log bad", line, '10.0.0.1 - - [01/Xyz/2026:00:00:00 -0700] "POST /api HTTP/2.0" 404 - "-" "curl/8.0"')

-- lpeg.locale into the lpeg table, as Heka's modules do
lpeg.locale(lpeg)
t("locale in lpeg", C(lpeg.digit^1) * lpeg.space * C(lpeg.alpha^1), "12 ab")
for _, k in ipairs{"alnum", "alpha", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit"} do
  local n = 0
  for i = 0, 255 do if lpeg.match(lpeg[k], string.char(i)) then n = n + 1 end end
  print("locale " .. k, n)
end
