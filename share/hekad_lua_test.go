package share

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/cjson"
	"github.com/hekad-go/hekad/internal/lua/compat"
	"github.com/hekad-go/hekad/internal/lua/lpeg"
	"github.com/hekad-go/hekad/internal/lua/oracle"
)

// The test scripts of share/ run twice: under C Lua 5.1 with C LPeg
// (TestLuaModules, TestLuaPlugins) and, here, under hekad's Lua: gopher-lua
// with the gaps closed by package compat (every chunk compiled through its
// AST pass, its library replacements) and hekad's Go modules (lpeg, re,
// cjson). A script prints "ok" last when all
// its checks passed; under both it must, and print the same.

// runHekadLua runs the script at path with require searching dirs (for
// <name>.lua, compiled as hekad's sandbox compiles) after hekad's Go
// modules, and returns what it printed.
func runHekadLua(t *testing.T, path string, dirs []string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	L := lua.NewState(lua.Options{RegistrySize: 2048, RegistryMaxSize: 1 << 20, RegistryGrowStep: 4096})
	defer L.Close()
	compat.Open(L, compat.Options{Stdout: &out})
	// circular_buffer and hyperloglog stay the tests' Lua stand-ins: the
	// stand-in host functions (lua_decoders/tests/sandbox.lua) write only
	// those to the payload (hekad's own are run by examples/analyzer_test.go
	// through a real hekad).
	for name, open := range map[string]lua.LGFunction{"lpeg": lpeg.Open, "re": lpeg.OpenRe, "cjson": cjson.Open} {
		L.PreloadModule(name, open)
	}
	// A loader that compiles module files as the sandbox does, before
	// gopher-lua's own (which would skip compat's AST pass).
	loaders := L.GetField(L.GetGlobal("package"), "loaders").(*lua.LTable)
	loaders.Insert(2, L.NewFunction(func(L *lua.LState) int {
		name := L.CheckString(1)
		rel := strings.ReplaceAll(name, ".", "/") + ".lua"
		for _, dir := range dirs {
			p := filepath.Join(dir, rel)
			src, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			proto, err := compat.Compile(bytes.NewReader(src), p)
			if err != nil {
				L.RaiseError("%v", err)
			}
			L.Push(L.NewFunctionFromProto(proto))
			return 1
		}
		L.Push(lua.LString("\n\tno file for " + name + " in hekad's search path"))
		return 1
	}))
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	proto, err := compat.Compile(bytes.NewReader(src), path)
	if err != nil {
		return out.String(), err
	}
	L.Push(L.NewFunctionFromProto(proto))
	err = L.PCall(0, lua.MultRet, nil)
	return out.String(), err
}

// TestLuaScriptsUnderHekad runs every module and plugin test script under
// hekad's Lua and under C Lua, and compares what they print.
func TestLuaScriptsUnderHekad(t *testing.T) {
	abs := func(d string) string {
		a, err := filepath.Abs(d)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	var runs []struct{ name, script string }
	for _, tc := range moduleTests {
		runs = append(runs, struct{ name, script string }{tc.name, filepath.Join("lua_modules", "tests", tc.script)})
	}
	for _, tc := range pluginTests {
		runs = append(runs, struct{ name, script string }{tc.plugin, tc.script})
	}
	dirs := []string{abs("lua_modules"), abs("lua_modules/tests"), abs("lua_decoders/tests"), abs("lua_filters/tests")}
	modulePath := "LUA_PATH=" + filepath.Join(dirs[0], "?.lua") + ";" + filepath.Join(dirs[1], "?.lua")
	pluginPath := pluginLuaPath(t)
	for _, tc := range runs {
		t.Run(tc.name, func(t *testing.T) {
			got, err := runHekadLua(t, tc.script, dirs)
			if err != nil || !strings.HasSuffix(got, "ok\n") {
				t.Fatalf("under hekad's Lua: error %v, printed:\n%s", err, got)
			}
			script, err := os.ReadFile(tc.script)
			if err != nil {
				t.Fatal(err)
			}
			path := pluginPath
			if strings.HasPrefix(tc.script, "lua_modules") {
				path = modulePath
			}
			want := oracle.MustRun(t, string(script), path)
			oracle.CompareLines(t, got, want.Stdout)
		})
	}
}
