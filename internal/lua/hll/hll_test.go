package hll

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/modutil"
)

// TestHeka is lua_hyperloglog's own test script (its expected counts are
// Heka's answers for these elements), with the function names of the
// argument errors (C Lua writes '?' under pcall).
func TestHeka(t *testing.T) {
	got := modutil.Run(t, Name, Open, nil, `require "hyperloglog"
assert(hyperloglog.version() == "1.0.0", hyperloglog.version())
local function check(got, expected) assert(got == expected, string.format("expected %d, received %d", expected, got)) end
local hll = hyperloglog.new()
local hll1 = hyperloglog.new()
local hll2 = hyperloglog.new()
local base = hyperloglog.new()
for i=1, 110000 do base:add(string.format("%08d", i)) end
check(base:count(), 110505)
check(hll:count(), 0)
for i=1, 50000 do hll:add(string.format("%08d", i)) end
check(hll:count(), 49932)
hll1:merge(hll)
check(hll1:count(), 49932)
local hll_str = tostring(hll)
assert(#hll_str == 12304, #hll_str)
local hll_restored = hyperloglog.new()
hll_restored:fromstring(hll_str)
check(hll_restored:count(), 49932)
for i=100001, 110000 do hll1:add(string.format("%08d", i)) end
check(hyperloglog.count(hll, hll1), 59872)
for i=50001, 100000 do hll2:add(string.format("%08d", i)) end
check(hll2:count(), 50151)
check(hyperloglog.count(hll, hll1, hll2), 110383)
hll:clear()
assert(#tostring(hll) == 12304)
check(hll:count(), 0)
print(pcall(hyperloglog.new, 2))
print(pcall(hyperloglog.count))
print(pcall(hll.add, hll, {}))
print(pcall(hll.fromstring, hll, {}))
print(pcall(hll.fromstring, hll, "      "))
print(pcall(hll.add, hll))
print(pcall(hll.count, hll, 1))
print(pcall(hll.clear, hll, 1))
print(pcall(hll.merge))
print(pcall(hll.merge, hll, {}))
print(hll:add(1), hll:add(1), hll:count())
`)
	want := `false	bad argument #1 to '?' (incorrect number of arguments)
false	bad argument #0 to '?' (incorrect number of arguments)
false	bad argument #2 to '?' (must be a string or number)
false	bad argument #2 to '?' (string expected, got table)
false	fromstring() bytes found: 6, expected 12304
false	bad argument #1 to '?' (incorrect number of arguments)
false	bad argument #2 to '?' (incorrect number of arguments)
false	bad argument #2 to '?' (incorrect number of arguments)
false	bad argument #0 to '?' (incorrect number of arguments)
false	bad argument #2 to '?' (mozsvc.hyperloglog expected, got table)
true	false	1
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestPreserve: what PreserveTo writes rebuilds the same image.
func TestPreserve(t *testing.T) {
	h := New()
	for _, s := range []string{"a", "b", "c"} {
		h.Add([]byte(s))
	}
	h.Count()
	var src strings.Builder
	if err := h.PreserveTo(&src, `_G["h"]`); err != nil {
		t.Fatal(err)
	}
	L := lua.NewState()
	defer L.Close()
	L.PreloadModule(Name, Open)
	if err := L.DoString(`require "hyperloglog"` + "\n" + src.String()); err != nil {
		t.Fatal(err)
	}
	g, _ := toHLL(L.GetGlobal("h"))
	if string(g.Bytes()) != string(h.Bytes()) || g.Count() != 3 {
		t.Errorf("restored count %d", g.Count())
	}
}
