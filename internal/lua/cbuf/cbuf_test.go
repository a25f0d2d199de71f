package cbuf

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/modutil"
	"github.com/hekad-go/hekad/internal/lua/oracle"
	"github.com/hekad-go/hekad/internal/lua/sandbox"
)

// run runs script with circular_buffer preloaded, a print that formats as
// C Lua, and output(cb) that prints what add_to_payload would append.
func run(t *testing.T, script string) string {
	t.Helper()
	return modutil.Run(t, Name, Open, func(L *lua.LState, out *strings.Builder) {
		L.SetGlobal("output", L.NewFunction(func(L *lua.LState) int {
			o, ok := L.CheckUserData(1).Value.(sandbox.Outputter)
			if !ok {
				L.ArgError(1, "not an output")
			}
			b, err := o.AppendOutput(nil)
			if err != nil {
				L.RaiseError("%v", err)
			}
			out.Write(b)
			out.WriteString("--\n")
			return 0
		}))
	}, script)
}

// The expected values below are derived by hand from the specification of
// Heka's circular buffer (rows of seconds_per_row seconds, the newest row
// at current_time, new rows cleared to nan, start time = current_time -
// seconds_per_row*(rows-1)).
func TestBuffer(t *testing.T) {
	got := run(t, `require "circular_buffer"
local cb = circular_buffer.new(3, 2, 1)
print(cb:get_configuration())
print(cb:current_time(), cb:add(0, 1, 1), cb:add(1e9, 1, 5), cb:set(2e9, 2, 7), cb:get(2e9, 1))
output(cb)
print(cb:add(3e9, 1, 2), cb:current_time(), cb:get(0, 1), cb:get(4e9, 1), cb:add(0, 1, 1))
output(cb)
for _, f in ipairs({"sum", "avg", "variance", "sd", "min", "max"}) do print(f, cb:compute(f, 1)) end
print(cb:compute("max", 2), cb:compute("sum", 1, 2e9, 3e9), cb:compute("sum", 1, 0, 3e9))
local r = cb:get_range(1)
print(#r, r[1], r[2], r[3], cb:get_range(1, 0, 1e9), #cb:get_range(2, 3e9))
print(cb:set_header(1, "HTTP 200 status code", "m/s*x!", "max"), cb:get_header(1))
print(cb:set(3e9, 1, 1), cb:set(3e9, 1, 9), cb:set(3e9, 1, 4))
print(cb:set_header(2, "Min", "B", "min"), cb:set(3e9, 2, 5), cb:set(3e9, 2, 6), cb:set(3e9, 2, -1))
output(cb)
print(cb:add(10e9, 1, 1), cb:get(10e9, 2), cb:compute("sum", 2))
local n = circular_buffer.new(2, 1, 60)
n:set(0, 1, -5)
print(n:compute("max", 1), n:compute("min", 1), n:add(59e9, 1, 1), n:add(60e9, 1, 1), n:current_time())
for _, args in ipairs({{1, 1, 1}, {2, 1, 0}, {2, 0, 1}, {"2", "1", 1}, {2, 1}}) do
    local ok, v = pcall(circular_buffer.new, unpack(args))
    print(ok, type(v) == "string" and v or type(v))
end
print(pcall(cb.add, cb, 0, 3, 1))
print(pcall(cb.compute, cb, "median", 1))
print(pcall(cb.compute, cb, "sum", 1, 2e9, 1e9))
print(pcall(cb.format, cb, "csv"))
print(pcall(cb.add, {}, 0, 1, 1))
`)
	want := `3	2	1
2000000000	1	5	7	nan
{"time":0,"rows":3,"columns":2,"seconds_per_row":1,"column_info":[{"name":"Column_1","unit":"count","aggregation":"sum"},{"name":"Column_2","unit":"count","aggregation":"sum"}]}
1	nan
5	nan
nan	7
--
2	3000000000	nil	nil	nil
{"time":1,"rows":3,"columns":2,"seconds_per_row":1,"column_info":[{"name":"Column_1","unit":"count","aggregation":"sum"},{"name":"Column_2","unit":"count","aggregation":"sum"}]}
5	nan
nan	7
2	nan
--
sum	7	2
avg	3.5	2
variance	2.25	2
sd	1.5	2
min	2	2
max	5	2
7	2	nil	0
3	5	nan	2	nil	1
1	HTTP_200_status	m/s*x_	max
2	9	9
2	5	5	-1
{"time":1,"rows":3,"columns":2,"seconds_per_row":1,"column_info":[{"name":"HTTP_200_status","unit":"m/s*x_","aggregation":"max"},{"name":"Min","unit":"B","aggregation":"min"}]}
5	nan
nan	7
9	-1
--
1	nan	0	0
nan	-5	-4	1	60000000000
false	bad argument #1 to '?' (rows must be > 1)
false	bad argument #3 to '?' (seconds_per_row is out of range)
false	bad argument #2 to '?' (columns must be > 0)
true	userdata
false	bad argument #0 to '?' (incorrect number of arguments)
false	bad argument #3 to '?' (column out of range)
false	bad argument #2 to '?' (invalid option 'median')
false	bad argument #5 to '?' (end must be >= start)
false	bad argument #2 to '?' (invalid option 'csv')
false	bad argument #1 to '?' (mozsvc.circular_buffer expected, got table)
`
	oracle.CompareLines(t, got, want)
}

// TestDelta: cbufd writes the rows changed since the last cbufd output
// (sum columns: the sum of the changes; min and max columns: the value set),
// then nothing until the next change.
func TestDelta(t *testing.T) {
	got := run(t, `require "circular_buffer"
local cb = circular_buffer.new(3, 2, 1, true)
cb:set_header(2, "Max", "count", "max")
cb:add(0, 1, 1) cb:add(0, 1, 2) cb:set(1e9, 2, 4) cb:set(1e9, 2, 3) cb:add(0, 1, 0)
output(cb:format("cbufd"))
output(cb)
cb:set(0, 1, 10)
output(cb)
output(cb:format("cbuf"))
`)
	const header = `{"time":0,"rows":3,"columns":2,"seconds_per_row":1,"column_info":[{"name":"Column_1","unit":"count","aggregation":"sum"},{"name":"Max","unit":"count","aggregation":"max"}]}` + "\n"
	want := header + "0\t3\tnan\n1\tnan\t4\n--\n--\n" + header + "0\t7\tnan\n--\n" + header + "10\tnan\nnan\t4\nnan\tnan\n--\n"
	oracle.CompareLines(t, got, want)
}

// TestMannWhitneyU: x = 1..5 against y = 6..10: U1 = 0, and the one-sided
// p-value of the normal approximation z = (25 - 0.5 - 12.5)/sqrt(25*11/12)
// (0.5*erfc(z/sqrt 2), computed independently with Python's math.erfc).
func TestMannWhitneyU(t *testing.T) {
	got := run(t, `require "circular_buffer"
local cb = circular_buffer.new(10, 1, 1)
for i = 0, 9 do cb:set(i * 1e9, 1, i + 1) end
local u, p = cb:mannwhitneyu(1, 0, 4e9, 5e9, 9e9)
print(u, string.format("%.15f", p))
u, p = cb:mannwhitneyu(1, 0, 4e9, 5e9, 9e9, false)
print(u, string.format("%.15f", p))
u, p = cb:mannwhitneyu(1, 5e9, 9e9, 0, 4e9)
print(u, string.format("%.15f", p))
local same = circular_buffer.new(10, 1, 1)
for i = 0, 9 do same:set(i * 1e9, 1, 3) end
print(same:mannwhitneyu(1, 0, 4e9, 5e9, 9e9))
print(pcall(cb.mannwhitneyu, cb, 1, 0, 5e9, 5e9, 9e9))
print(cb:mannwhitneyu(1, 0, 4e9, 5e9, 20e9))
`)
	want := "0\t0.006092890177672\n0\t0.004511719409040\n25\t0.006092890177672\n\n" +
		"false\tbad argument #4 to '?' (ranges must not overlap)\n\n"
	oracle.CompareLines(t, got, want)
}

// TestFromString: what PreserveTo writes rebuilds the buffer (values,
// headers, time, pending deltas) when run as Lua. As in Heka, a column
// without a delta is written as 0, so it comes back as a delta of 0.
func TestFromString(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	L.PreloadModule(Name, Open)
	if err := L.DoString(`require "circular_buffer"
data = circular_buffer.new(3, 2, 60, true)
data:set_header(1, "Requests", "count", "sum")
data:set_header(2, "Max ms", "ms", "max")
data:add(120e9, 1, 5) data:set(120e9, 2, 0.25) data:add(180e9, 1, 1/3)`); err != nil {
		t.Fatal(err)
	}
	b := L.GetGlobal("data").(*lua.LUserData).Value.(*Buffer)
	var src strings.Builder
	if err := b.PreserveTo(&src, `_G["data"]`); err != nil {
		t.Fatal(err)
	}
	want := `if _G["data"] == nil then _G["data"] = circular_buffer.new(3, 2, 60, true) end
_G["data"]:set_header(1, "Requests", "count", "sum")
_G["data"]:set_header(2, "Max_ms", "ms", "max")
_G["data"]:fromstring("180 0 0.33333333 nan nan nan 5 0.25 120 5 0.25 180 0.33333333 0")
`
	if src.String() != want {
		t.Fatalf("preserved\n%s\nwant\n%s", src.String(), want)
	}
	L2 := lua.NewState()
	defer L2.Close()
	L2.PreloadModule(Name, Open)
	if err := L2.DoString(`require "circular_buffer"` + "\n" + src.String()); err != nil {
		t.Fatal(err)
	}
	b2 := L2.GetGlobal("data").(*lua.LUserData).Value.(*Buffer)
	b2.cbufd = true
	out, _ := b2.AppendOutput(nil)
	if !strings.HasSuffix(string(out), "]}\n120\t5\t0.25\n180\t0.33333333\t0\n") {
		t.Errorf("restored deltas:\n%s", out)
	}
	b2.cbufd = false
	out, _ = b2.AppendOutput(nil)
	if !strings.HasSuffix(string(out), "]}\nnan\tnan\n5\t0.25\n0.33333333\tnan\n") || !strings.Contains(string(out), `{"time":60,`) {
		t.Errorf("restored values:\n%s", out)
	}
	for _, bad := range []string{"180 0 1 2 3", "180 0 1 2 3 4 5 6 7", "180 0 1 2 3 4 5 6 180 1"} {
		nb := New(3, 2, 60, bad == "180 0 1 2 3 4 5 6 180 1")
		if err := nb.FromString(bad); err == nil {
			t.Errorf("fromstring(%q) accepted", bad)
		}
	}
}
