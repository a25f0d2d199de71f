package cbuf

import (
	"testing"

	"github.com/hekad-go/hekad/internal/lua/oracle"
)

// The cases below are those of lua_sandbox's own circular buffer tests
// (test_lua_sandbox.c and lua/circular_buffer*.lua, before the module left
// the tree), written again here: the same calls, Heka's expected outputs.

const hekaHeader3 = `{"time":0,"rows":3,"columns":3,"seconds_per_row":1,"column_info":[{"name":"Add_column","unit":"count","aggregation":"sum"},{"name":"Set_column","unit":"count","aggregation":"sum"},{"name":"Get_column","unit":"count","aggregation":"sum"}]}` + "\n"

const hekaPrelude = `require "circular_buffer"
data = circular_buffer.new(3, 3, 1, DELTA)
local ADD, SET, GET = data:set_header(1, "Add column"), data:set_header(2, "Set column", "count"), data:set_header(3, "Get column", "count", "sum")
function process(ts)
    if data:add(ts, ADD, 1) then data:set(ts, GET, data:get(ts, ADD)) end
    data:set(ts, SET, 1)
end
`

func TestHekaCbuf(t *testing.T) {
	got := run(t, "DELTA = false\n"+hekaPrelude+`
output(data)
for _, ts in ipairs({0, 1e9, 1e9, 2e9, 2e9, 2e9}) do process(ts) end
output(data)
process(4e9) output(data)
process(10e9) output(data)
`)
	h2 := `{"time":2` + hekaHeader3[len(`{"time":0`):]
	h8 := `{"time":8` + hekaHeader3[len(`{"time":0`):]
	want := hekaHeader3 + "nan\tnan\tnan\nnan\tnan\tnan\nnan\tnan\tnan\n--\n" +
		hekaHeader3 + "1\t1\t1\n2\t1\t2\n3\t1\t3\n--\n" +
		h2 + "3\t1\t3\nnan\tnan\tnan\n1\t1\t1\n--\n" +
		h8 + "nan\tnan\tnan\nnan\tnan\tnan\n1\t1\t1\n--\n"
	oracle.CompareLines(t, got, want)
}

func TestHekaCbufd(t *testing.T) {
	got := run(t, "DELTA = true\n"+hekaPrelude+`
for _, ts in ipairs({0, 1e9, 1e9, 2e9, 2e9, 2e9}) do process(ts) end
output(data)
output(data:format("cbufd"))
output(data:format("cbuf"))
output(data:format("cbufd"))
if data:add(2e9, ADD, 0/0) then data:set(2e9, GET, data:get(2e9, ADD)) end
output(data)
local cb = circular_buffer.new(2, 2, 1, true)
local SUM, MIN = cb:set_header(1, "Sum column"), cb:set_header(2, "Min", "count", "min")
cb:format("cbufd")
cb:set(0, SUM, 3) cb:set(0, MIN, 6) output(cb)
cb:set(0, SUM, 5) cb:set(0, MIN, 5) output(cb)
cb:add(0, SUM, 3) cb:add(0, MIN, 3) output(cb)
cb:add(0, SUM, 1) cb:set(0, SUM, 0/0) cb:add(0, MIN, 1) output(cb)
cb:add(0, SUM, 1) cb:add(0, SUM, 0/0) cb:add(0, MIN, 1) output(cb)
cb:add(0, SUM, 1) cb:set(0, MIN, 0/0) output(cb)
`)
	h2 := `{"time":0,"rows":2,"columns":2,"seconds_per_row":1,"column_info":[{"name":"Sum_column","unit":"count","aggregation":"sum"},{"name":"Min","unit":"count","aggregation":"min"}]}` + "\n"
	want := hekaHeader3 + "1\t1\t1\n2\t1\t2\n3\t1\t3\n--\n" +
		hekaHeader3 + "0\t1\t1\t1\n1\t2\t1\t2\n2\t3\t1\t3\n--\n" + // Heka: in its hash order
		hekaHeader3 + "1\t1\t1\n2\t1\t2\n3\t1\t3\n--\n" +
		"--\n" +
		hekaHeader3 + "2\tnan\tnan\tnan\n--\n" +
		h2 + "0\t3\t6\n--\n" +
		h2 + "0\t2\t5\n--\n" +
		h2 + "0\t3\t8\n--\n" +
		h2 + "0\tnan\t9\n--\n" +
		h2 + "0\tnan\t10\n--\n" +
		h2 + "0\t1\tnan\n--\n"
	oracle.CompareLines(t, got, want)
}

func TestHekaCompute(t *testing.T) {
	got := run(t, `require "circular_buffer"
local s = circular_buffer.new(5, 1, 1)
for i = 1, 4 do s:set(i * 1e9, 1, i) end
for _, f in ipairs({"sum", "avg", "variance", "sd", "min", "max"}) do print(f, s:compute(f, 1)) end
print(s:compute("sd", 1) == math.sqrt(1.25), s:compute("sum", 1, 3e9, 4e9), s:compute("avg", 1, 3e9, 4e9), s:compute("sd", 1, 3e9, 4e9))
print(s:compute("sum", 1, 3e9), s:compute("sum", 1, 3e9, nil), s:compute("sum", 1, nil, 2e9), s:compute("sum", 1, 11e9, 14e9))
local a = circular_buffer.new(4, 1, 1)
a:set(1e9, 1, 0/0) a:set(2e9, 1, 8) a:set(3e9, 1, 8)
print(a:compute("avg", 1))
local n = circular_buffer.new(2, 1, 1)
print(n:get(0, 1), n:set(0, 1, 1), n:add(0, 1, 0/0), n:current_time())
n = circular_buffer.new(2, 1, 1)
n:set(0, 1, 1) n:fromstring("1 1 nan 99")
print(n:get(0, 1), n:get(1e9, 1))
local e = circular_buffer.new(4, 1, 1)
-- (C Lua prints 0/0 as -nan on amd64; the sign of a NaN is not part of
-- Heka's answer, which its tests check with x ~= x.)
print(e:compute("avg", 1), e:compute("sd", 1), e:compute("max", 1), e:compute("min", 1))
print(circular_buffer.new(20, 1, 1):mannwhitneyu(1, 0, 9e9, 10e9, 19e9))
local data = {15309,14092,13661,13412,14205,15042,14142,13820,14917,13953,14320,14472,15133,13790,14539,14129,14363,14202,13841,13610,13759,14428,14851,13838,13819,14468,14989,15557,14380,13500,14818,14632,13631,14663,14532,14188,14537,14109,13925,15022}
local cb = circular_buffer.new(40, 1, 1)
for i, v in ipairs(data) do cb:set(i * 1e9, 1, v) end
local u, p = cb:mannwhitneyu(1, 1e9, 20e9, 21e9, 40e9) print(u, math.floor(p * 100000))
u, p = cb:mannwhitneyu(1, 1e9, 20e9, 21e9, 40e9, false) print(u, math.floor(p * 100000))
cb:set(40e9, 1, 15309)
u, p = cb:mannwhitneyu(1, 1e9, 20e9, 21e9, 40e9) print(u, math.floor(p * 100000))
print(circular_buffer.new(40, 1, 1):mannwhitneyu(1, 41e9, 60e9, 61e9, 80e9))
local same = circular_buffer.new(10, 1, 1)
for i = 1, 10 do same:set(i * 1e9, 1, 1) end
print(same:mannwhitneyu(1, 1e9, 5e9, 6e9, 10e9))
local g = circular_buffer.new(10, 1, 1)
print(g:get_configuration())
print(g:set_header(1, "widget", "count", "max"), g:get_header(1))
print(g:get(10e9, 1)) g:set(20e9, 1, 1) print(g:get(10e9, 1))
local nan = 0/0
local d = {1,1,1,2,1,3,3,6,4,nan,nan,nan,1,nan,2,nan,nan,nan,nan,nan,1,5,1,nan,1,1,nan,nan,3,4,1,1,1,nan,7,1,nan,6,nan,nan,1,3,4,3,nan,1,5,nan,1,nan,nan,1,6,4,nan,4,2,6,4,3,2,6,2,11,2,nan,2,nan,2,nan,nan,nan,4,nan,3,2,nan,nan,1,2,2,2,1,1,nan,3,nan,4,nan,nan,2,3,5,6,3,1,nan,nan,3,2,nan,4,1,2,1,1,nan,nan,nan,nan,nan,nan,nan,7,1,1,2,1,nan,nan}
local m = circular_buffer.new(120, 1, 1)
for i, v in ipairs(d) do m:set(i * 1e9, 1, v) end
print(m:mannwhitneyu(1, 61e9, 120e9, 1e9, 60e9) + m:mannwhitneyu(1, 1e9, 60e9, 61e9, 120e9))
`)
	want := `sum	10	4
avg	2.5	4
variance	1.25	4
sd	1.1180339887499	4
min	1	4
max	4	4
true	7	3.5	0.5	2
7	7	3	nil	0
8	2
nan	1	-nan	1000000000
nan	99
-nan	-nan	nan	nan	0

171	22037
171	21638
168.5	20084


10	1	1
1	widget	count	max
nil
nil
3600
`
	oracle.CompareLines(t, got, want)
}
