-- Times C LPeg on the benchmark grammar: lua5.1 bench_c.lua N
-- (run from this directory). Prints ns per match.
dofile("nginx.lua")
local n = tonumber(arg and arg[1]) or 200000
assert(lpeg.match(grammar, line))
local t0 = os.clock()
for i = 1, n do lpeg.match(grammar, line) end
local match_ns = (os.clock() - t0) / n * 1e9
assert(lpeg.match(plain, line))
t0 = os.clock()
for i = 1, n do lpeg.match(plain, line) end
local plain_ns = (os.clock() - t0) / n * 1e9
local m = 2000
t0 = os.clock()
for i = 1, m do dofile("nginx.lua"); lpeg.match(grammar, "") end
local build_ns = (os.clock() - t0) / m * 1e9
print(string.format("grammar %d ns/op (%d lines/s); plain %d ns/op; build+compile %d ns/op",
  match_ns, 1e9 / match_ns, plain_ns, build_ns))
