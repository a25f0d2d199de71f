package lpeg

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/internal/lua/oracle"
	lua "github.com/yuin/gopher-lua"
)

// runGo runs script under gopher-lua with lpeg and re preloaded and
// returns what it printed (and the error, if any).
func runGo(t testing.TB, script string) (string, error) {
	t.Helper()
	var out strings.Builder
	L := testState(&out)
	defer L.Close()
	fn, err := L.Load(strings.NewReader(script), "stdin")
	if err == nil {
		L.Push(fn)
		err = L.PCall(0, lua.MultRet, nil)
	}
	return out.String(), err
}

// testState is a gopher-lua state with lpeg and re preloaded, Lua 5.1's
// rawset, and a print that writes to out.
func testState(out *strings.Builder) *lua.LState {
	// A registry that grows, as in hekad's sandbox (the default one is
	// fixed at 5,120 slots, fewer than C Lua's stack).
	L := lua.NewState(lua.Options{RegistrySize: 2048, RegistryMaxSize: 1 << 20, RegistryGrowStep: 4096})
	L.PreloadModule("lpeg", Open)
	L.PreloadModule("re", OpenRe)
	// gopher-lua's rawset returns nothing; Lua 5.1's returns the table,
	// which LPeg folds such as Cf(Ct"" * ..., rawset) rely on. hekad's
	// sandbox replaces it the same way.
	L.SetGlobal("rawset", L.NewFunction(func(L *lua.LState) int {
		t := L.CheckTable(1)
		t.RawSet(L.CheckAny(2), L.CheckAny(3))
		L.SetTop(1)
		return 1
	}))
	L.SetGlobal("print", L.NewFunction(func(L *lua.LState) int {
		for i := 1; i <= L.GetTop(); i++ {
			if i > 1 {
				out.WriteByte('\t')
			}
			out.WriteString(L.ToStringMeta(L.Get(i)).String())
		}
		out.WriteByte('\n')
		return 0
	}))
	return L
}

// TestDifferential runs each testdata/*.lua script under gopher-lua with
// this package and under C Lua 5.1 with C LPeg, and compares the output.
func TestDifferential(t *testing.T) {
	files, err := filepath.Glob("testdata/*.lua")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	prelude, err := os.ReadFile("testdata/lib/prelude.lua")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			src = append(append([]byte{}, prelude...), src...)
			want := oracle.MustRun(t, string(src))
			if !want.OK {
				t.Fatalf("C Lua failed: %s", want.Stderr)
			}
			got, err := runGo(t, string(src))
			if err != nil {
				t.Fatalf("gopher-lua failed: %v\noutput so far:\n%s", err, got)
			}
			oracle.CompareLines(t, got, want.Stdout)
		})
	}
}
