package bloom

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/modutil"
	"github.com/hekad-go/hekad/internal/lua/oracle"
)

// TestXXH32 checks the hash against xxHash's published values.
func TestXXH32(t *testing.T) {
	for _, tc := range []struct {
		in   string
		seed uint32
		want uint32
	}{
		{"", 0, 0x02CC5D05},
		{"abc", 0, 0x32D153FF},
		{"Nobody inspects the spammish repetition", 0, 0xE2293B2F},
	} {
		if got := XXH32([]byte(tc.in), tc.seed); got != tc.want {
			t.Errorf("XXH32(%q, %d) = %#08x, want %#08x", tc.in, tc.seed, got, tc.want)
		}
	}
}

// TestSizing: the filter's size and hash count follow Heka's formulas
// (computed by hand: 1000 items at 1%: 9586 bits in 1199 bytes, 7 hashes).
func TestSizing(t *testing.T) {
	f := New(1000, 0.01)
	if f.bits != 9586 || len(f.data) != 1199 || f.hashes != 7 {
		t.Errorf("bits %d bytes %d hashes %d, want 9586 1199 7", f.bits, len(f.data), f.hashes)
	}
}

func TestModule(t *testing.T) {
	got := modutil.Run(t, Name, Open, nil, `require "bloom_filter"
local bf = bloom_filter.new(1000, 0.01)
print(bloom_filter.version(), bf:count(), bf:query("a"), bf:add("a"), bf:add("a"), bf:query("a"), bf:count())
print(bf:add(1), bf:query(1), bf:query(2), bf:query("1"), bf:count())
local fp = 0
for i = 1, 1000 do bf:add("item" .. i) end
for i = 1001, 11000 do if bf:query("item" .. i) then fp = fp + 1 end end
print(fp > 0 and fp < 200)
bf:clear()
print(bf:count(), bf:query("a"), bf:query("item1"))
print(pcall(bloom_filter.new, 1, 0.5))
print(pcall(bloom_filter.new, 10, 1))
print(pcall(bloom_filter.new, 10))
print(pcall(bf.add, bf, {}))
print(pcall(bf.add, bf))
print(pcall(bf.fromstring, bf, 1, "xx"))
`)
	want := `1.0.0	0	false	true	false	true	1
true	true	false	false	2
true
0	false	false
false	bad argument #1 to '?' (items must be > 1)
false	bad argument #2 to '?' (probability must be between 0 and 1)
false	bad argument #0 to '?' (incorrect number of arguments)
false	bad argument #2 to '?' (must be a string or number)
false	bad argument #0 to '?' (incorrect number of arguments)
false	fromstring() bytes found: 2, expected 1199
`
	oracle.CompareLines(t, got, want)
}

// TestPreserve: what PreserveTo writes rebuilds the same bits and count.
func TestPreserve(t *testing.T) {
	f := New(100, 0.05)
	for _, s := range []string{"a", "b", "c\n\"\\\x00"} {
		f.Add([]byte(s))
	}
	var src strings.Builder
	if err := f.PreserveTo(&src, `_G["bf"]`); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(src.String(), `if _G["bf"] == nil then _G["bf"] = bloom_filter.new(100, 0.05) end`+"\n"+`_G["bf"]:fromstring(3, "`) {
		t.Errorf("preserved:\n%s", src.String())
	}
	L := lua.NewState()
	defer L.Close()
	L.PreloadModule(Name, Open)
	if err := L.DoString(`require "bloom_filter"` + "\n" + src.String()); err != nil {
		t.Fatal(err)
	}
	g := L.GetGlobal("bf").(*lua.LUserData).Value.(*Filter)
	if g.count != 3 || string(g.data) != string(f.data) || !g.Query([]byte("c\n\"\\\x00")) {
		t.Errorf("restored count %d, data equal %v", g.count, string(g.data) == string(f.data))
	}
}

// TestHekaCase is lua_sandbox's own bloom filter test: 0, 1 and 2 added to
// a (20, 0.01) filter count 3, and adding 0 again changes nothing.
func TestHekaCase(t *testing.T) {
	got := modutil.Run(t, Name, Open, nil, `require "bloom_filter"
local bf = bloom_filter.new(20, 0.01)
local function process(ts) if not bf:query(ts) then assert(bf:add(ts), "key existed") end end
for i = 0, 2 do process(i) print(bf:count()) end
process(0) print(bf:count())
bf:clear() process(0) print(bf:count())`)
	oracle.CompareLines(t, got, "1\n2\n3\n3\n1\n")
}
