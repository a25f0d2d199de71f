package cjson

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
	"github.com/hekad-go/hekad/internal/lua/oracle"
)

// testState is a gopher-lua state with hekad's compat library (Lua 5.1
// number formatting, print to out) and cjson preloaded with opts.
func testState(out *strings.Builder, opts Options) *lua.LState {
	L := lua.NewState(lua.Options{RegistrySize: 2048, RegistryMaxSize: 1 << 20, RegistryGrowStep: 4096, CallStackSize: 4096})
	compat.Open(L, compat.Options{Stdout: out})
	L.PreloadModule("cjson", Loader(opts))
	return L
}

// runGo runs script under gopher-lua with this package.
func runGo(t testing.TB, script string, opts Options) (string, error) {
	t.Helper()
	var out strings.Builder
	L := testState(&out, opts)
	defer L.Close()
	fn, err := compat.Compile(strings.NewReader(script), "stdin")
	if err == nil {
		L.Push(L.NewFunctionFromProto(fn))
		err = L.PCall(0, lua.MultRet, nil)
	}
	return out.String(), err
}

// TestDifferential runs each testdata script (after testdata/prelude.lua)
// under C Lua 5.1 with Debian's lua-cjson and under gopher-lua with this
// package, and compares what they print.
func TestDifferential(t *testing.T) {
	files, err := filepath.Glob("testdata/*.lua")
	if err != nil || len(files) < 2 {
		t.Fatalf("no scripts: %v", err)
	}
	prelude, err := os.ReadFile("testdata/prelude.lua")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f) == "prelude.lua" {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			script := string(prelude) + string(src)
			want := oracle.MustRun(t, script)
			if !want.OK {
				t.Fatalf("C Lua failed: %s", want.Stderr)
			}
			got, err := runGo(t, script, Options{})
			if err != nil {
				t.Fatalf("gopher-lua failed: %v\noutput so far:\n%s", err, got)
			}
			compareLines(t, got, want.Stdout)
		})
	}
}

func compareLines(t *testing.T, got, want string) {
	t.Helper()
	oracle.CompareLines(t, got, want)
}
