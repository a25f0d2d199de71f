package compat

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/oracle"
)

// run runs script on gopher-lua with the replacements and returns what it
// printed, and the error text if it failed.
func run(t testing.TB, script string) (string, string) {
	t.Helper()
	var out bytes.Buffer
	L := lua.NewState(lua.Options{SkipOpenLibs: true, CallStackSize: 20000, MinimizeStackMemory: true,
		RegistrySize: 2048, RegistryMaxSize: 1 << 20, RegistryGrowStep: 4096})
	defer L.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath}, {lua.OsLibName, lua.OpenOs}, {lua.IoLibName, lua.OpenIo}} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	Open(L, Options{Stdout: &out, MaxString: 1 << 20})
	proto, err := Compile(strings.NewReader(script), "stdin")
	if err != nil {
		return out.String(), err.Error()
	}
	L.Push(L.NewFunctionFromProto(proto))
	if err := L.PCall(0, 0, nil); err != nil {
		return out.String(), err.Error()
	}
	return out.String(), ""
}

// TestOracle runs every testdata/*.lua script on gopher-lua with this
// package's fixes and on C Lua 5.1, and wants the same output.
func TestOracle(t *testing.T) {
	files, err := filepath.Glob("testdata/*.lua")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test scripts: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".lua"), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want := oracle.MustRun(t, string(src))
			if !want.OK {
				t.Fatalf("C Lua failed: %s", want.Stderr)
			}
			got, errText := run(t, string(src))
			if errText != "" {
				t.Errorf("gopher-lua failed: %s", errText)
			}
			oracle.CompareLines(t, got, want.Stdout)
		})
	}
}

func TestMaxString(t *testing.T) {
	tests := []struct{ name, script string }{
		{"concat", "local s = 'x' for i = 1, 30 do s = s .. s end"},
		{"rep", "local s = string.rep('x', 1e7)"},
		{"format", "local s = string.rep('x', 1e5) s = string.format('%s%s%s%s%s%s%s%s%s%s%s', s,s,s,s,s,s,s,s,s,s,s)"},
		{"table.concat", "local t = {} for i = 1, 2e4 do t[i] = string.rep('y', 100) end local s = table.concat(t)"},
		{"gsub", "local s = string.rep('x', 1e5) s = s:gsub('x', 'yyyyyyyyyyyy')"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errText := run(t, tc.script)
			if !strings.Contains(errText, MemoryError) {
				t.Errorf("error %q, want %q", errText, MemoryError)
			}
		})
	}
}
