-- The re module: syntax, captures, definitions, find/gsub/match, errors.
local function r(name, pat, s, defs, ...)
  local p = re.compile(pat, defs)
  print(name, show(p:match(s, ...)))
end
r("string", "'ab'", "abc")
r("dquote", '"ab" "c"', "abc")
r("any", ". .", "ab")
r("class", "[a-c]+", "abcd")
r("class neg", "[^a-c]+", "xyzab")
r("class items", "[_x-z%d]+", "12_xyz-")
r("class bracket", "[]a]+", "]a]b")
r("class dash", "[a-]+", "-a-b")
r("predef", "%d+ %s* %a+", "12  ab")
r("predef upper", "%D+", "ab1")
r("predef nl", "%nl", "\n")
r("predef full", "%alpha+", "abc1")
r("seq alt", "'a' / 'b' 'c'", "bc")
r("and", "&'a' .", "ab")
r("not", "!'a' .", "ba")
r("opt", "'a'? 'b'", "b")
r("star", "{'a'*}", "aaab")
r("plus", "{'a'+}", "aab")
r("pow exact", "{'a'^2}", "aaaa")
r("pow plus", "{'a'^+2}", "aaaa")
r("pow minus", "{'a'^-2}", "aaaa")
r("capture", "{.} {.}", "ab")
r("pos", "{} 'a' {}", "ab")
r("table", "{| {.} {.} |}", "ab")
r("subst", "{~ ('a' -> 'b' / .)* ~}", "banana")
r("group named", "{| {:k: . :} {:v: . :} |}", "ab")
r("group anon", "{: {.} {.} :}", "ab")
r("backref", "{:q: ['\"] :} (!=q .)* =q", "'abc'x")
r("arrow string", "{.} -> '<%1>'", "a")
r("arrow num", "({.} {.}) -> 2", "ab")
r("arrow table", "({.} {.}) -> {}", "ab")
r("arrow def", "{%d+} -> tonumber", "42", {tonumber = tonumber})
r("arrow deftable", ". -> map", "a", {map = {a = "A"}})
r("match time", "{.} => yes", "ab", {yes = function(s, i, c) return i, c .. "!" end})
r("fold", "({%d} (',' {%d})*) ~> add", "1,2,3", {add = function(a, b) return a + b end})
r("def pattern", "%num+", "123", {num = lpeg.R"09"})
r("grammar", "S <- '(' S* ')'", "(()())")
r("grammar2", [[
  list <- item (',' item)*  -- a comment
  item <- {[a-z]+}
]], "ab,cd,ef")
r("grammar angle", "A <- 'a' <B> B <- 'b'", "ab")
r("comment", "'a' -- comment\n 'b'", "ab")
r("init", "{.}", "abc", nil, 2)
print("match", show(re.match("hello world", "{%a+} ' ' {%a+}")))
print("match init", show(re.match("hello world", "{%a+}", 7)))
print("find", show(re.find("hello world", "'o w'")))
print("find none", show(re.find("hello", "'x'")))
print("find init", show(re.find("abcabc", "'b'", 3)))
print("find caps", show(re.find("abc", "{.}")))
print("gsub", show(re.gsub("hello world", "'o'", "0")))
print("gsub fn", show(re.gsub("abc", "{.}", function(c) return c:upper() end)))
print("gsub table", show(re.gsub("abc", "{.}", {a = 1, b = true and "B"})))
print("gsub %0", show(re.gsub("abc", ".", "%0%0")))
print("compile pattern", show(re.compile(lpeg.P"x"):match("x")))
print(lpeg.type(re.compile("'a'")))
print(pcall(re.updatelocale))
-- re compile errors: {name, pattern}
for _, c in ipairs{
  {"err syntax", "'a' )"},
  {"err syntax long", "'a' @@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@"},
  {"err undefined name", "%foo"},
  {"err undefined def", ". -> foo"},
  {"err outside grammar", "a"},
  {"err dup rule", "a <- 'x' a <- 'y'"},
  {"err undefined rule", "a <- b"},
  {"err left rec", "a <- a 'x'"},
  {"err empty loop", "('a'?)*"},
  {"err unclosed", "('a'"},
  {"err unclosed class", "[abc"},
  {"err bad pow", "'a'^x"},
  {"err near 20", "@" .. string.rep("x", 19)},
  {"err near 21", "@" .. string.rep("x", 20)},
  {"err near 22", "@" .. string.rep("x", 21)},
} do e(c[1], re.compile, c[2]) end
