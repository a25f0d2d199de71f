package sandbox

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// FuzzPreserveRoundTrip preserves globals holding fuzzed strings (any
// bytes) and numbers, as values and as keys, and restores them in a new
// sandbox: every value must come back equal.
func FuzzPreserveRoundTrip(f *testing.F) {
	f.Add("plain", "a \"quoted\"\n\\ \x00 \xff line", 1.0/3, -0.0)
	f.Add("", "\r\n\t\x1b]", 1e300, math.Inf(-1))
	f.Add("k\x00ey", "]]", 1462827600000000000.0, math.NaN())
	dir := f.TempDir()
	script := filepath.Join(dir, "s.lua")
	writeFile(f, script, "function process_message() return 0 end")
	f.Fuzz(func(t *testing.T, key, value string, n1, n2 float64) {
		if key == "value" {
			return // the two entries would be one
		}
		data := filepath.Join(t.TempDir(), "data")
		open := func() *Sandbox {
			sb, err := New(Config{Name: "rt", Script: script, PreservationFile: data})
			if err != nil {
				t.Fatal(err)
			}
			if err := sb.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			return sb
		}
		sb := open()
		L := sb.State()
		tbl := L.NewTable()
		tbl.RawSetString("value", lua.LString(value))
		tbl.RawSet(lua.LString(key), lua.LNumber(n1))
		if !math.IsNaN(n2) && !math.IsInf(n2, 0) {
			tbl.RawSet(lua.LNumber(n2), lua.LString(key))
		}
		L.SetGlobal("t", tbl)
		L.SetGlobal("n", lua.LNumber(n2))
		L.SetGlobal("s", lua.LString(key+value))
		if err := sb.Close(); err != nil {
			t.Fatal(err)
		}
		sb = open()
		defer sb.Close()
		L = sb.State()
		same := func(a, b lua.LValue) bool {
			x, xok := a.(lua.LNumber)
			y, yok := b.(lua.LNumber)
			if xok && yok && math.IsNaN(float64(x)) {
				return math.IsNaN(float64(y))
			}
			return a == b
		}
		got, ok := L.GetGlobal("t").(*lua.LTable)
		if !ok {
			t.Fatalf("t not restored")
		}
		checks := []struct{ got, want lua.LValue }{
			{got.RawGetString("value"), lua.LString(value)},
			{got.RawGet(lua.LString(key)), lua.LNumber(n1)},
			{L.GetGlobal("n"), lua.LNumber(n2)},
			{L.GetGlobal("s"), lua.LString(key + value)},
		}
		if !math.IsNaN(n2) && !math.IsInf(n2, 0) {
			checks = append(checks, struct{ got, want lua.LValue }{got.RawGet(lua.LNumber(n2)), lua.LString(key)})
		}
		for i, c := range checks {
			if !same(c.got, c.want) {
				t.Errorf("check %d: restored %q, want %q", i, c.got, c.want)
			}
		}
	})
}
