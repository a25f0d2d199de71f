// Package modutil holds what hekad's Go Lua modules (cjson, circular_buffer,
// struct, bloom_filter, hyperloglog) share: errors worded as the C Lua API
// words them, argument checks with Lua 5.1's conversions, and a test runner.
package modutil

import (
	"fmt"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
)

// Raise raises a Lua error without a position, as luaL_error does from a C
// function.
func Raise(L *lua.LState, format string, args ...any) {
	L.Error(lua.LString(fmt.Sprintf(format, args...)), 0)
}

// ArgError raises luaL_argerror's message for argument i of function fname.
func ArgError(L *lua.LState, fname string, i int, msg string) {
	Raise(L, "bad argument #%d to '%s' (%s)", i, fname, msg)
}

// TypeName is the type name of v in luaL_typerror's messages ("no value"
// for nil).
func TypeName(v lua.LValue) string {
	if v == lua.LNil {
		return "no value"
	}
	return v.Type().String()
}

// ToNumber is lua_tonumber: a number, or a string that reads as one.
func ToNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		return compat.ParseNumber(string(x))
	}
	return 0, false
}

// CheckNumber is luaL_checknumber.
func CheckNumber(L *lua.LState, fname string, i int) float64 {
	if n, ok := ToNumber(L.Get(i)); ok {
		return n
	}
	ArgError(L, fname, i, "number expected, got "+TypeName(L.Get(i)))
	return 0
}

// CheckString is luaL_checkstring (a number becomes its Lua 5.1 text).
func CheckString(L *lua.LState, fname string, i int) string {
	switch v := L.Get(i).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return compat.FormatNumber(float64(v))
	}
	ArgError(L, fname, i, "string expected, got "+TypeName(L.Get(i)))
	return ""
}

// Run runs script in a gopher-lua state with the compat library (print
// writes as C Lua's does) and the module open preloaded as name, after
// setup (which may be nil) has run; it returns what the script printed.
func Run(t testing.TB, name string, open lua.LGFunction, setup func(L *lua.LState, out *strings.Builder), script string) string {
	t.Helper()
	var out strings.Builder
	L := lua.NewState()
	defer L.Close()
	compat.Open(L, compat.Options{Stdout: &out})
	L.PreloadModule(name, open)
	if setup != nil {
		setup(L, &out)
	}
	proto, err := compat.Compile(strings.NewReader(script), "test")
	if err == nil {
		L.Push(L.NewFunctionFromProto(proto))
		err = L.PCall(0, 0, nil)
	}
	if err != nil {
		t.Fatalf("%v\noutput so far:\n%s", err, out.String())
	}
	return out.String()
}
