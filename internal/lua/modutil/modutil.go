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

// Raise raises a Lua error as luaL_error does from a C function: prefixed
// with the position of the Lua code that called the function ("f.lua:3: "),
// or with nothing when a Go function (pcall) called it.
func Raise(L *lua.LState, format string, args ...any) {
	L.Error(lua.LString(where(L)+fmt.Sprintf(format, args...)), 0)
}

// where is luaL_where(L, 1) from a Go function: the position of its caller
// when that is Lua code, else "".
func where(L *lua.LState) string {
	dbg, ok := L.GetStack(1)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.CurrentLine <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", dbg.Source, dbg.CurrentLine)
}

// ArgError raises luaL_argerror's message for argument i of function fname.
// The function is named as C Lua names it: as the calling Lua code
// called it ("encode" for cjson.encode(...)), '?' when a Go function
// (pcall) called it; fname when gopher-lua knows no better.
func ArgError(L *lua.LState, fname string, i int, msg string) {
	Raise(L, "bad argument #%d to '%s' (%s)", i, callName(L, fname), msg)
}

// callName is the name the caller of the running Go function used for it.
func callName(L *lua.LState, fname string) string {
	caller, ok := L.GetStack(1)
	if !ok {
		return fname
	}
	if _, err := L.GetInfo("l", caller, lua.LNil); err != nil || caller.CurrentLine <= 0 {
		return "?"
	}
	self, ok := L.GetStack(0)
	if !ok {
		return fname
	}
	if _, err := L.GetInfo("n", self, lua.LNil); err != nil || self.Name == "" || strings.HasPrefix(self.Name, "<") || self.Name == "(anonymous)" {
		return fname
	}
	return self.Name
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

// Type describes a module whose values are userdata of one Go type T: its
// metatable's name, its methods (which get the checked receiver) and its
// module functions.
type Type[T any] struct {
	Name     string // the module's name and global
	Version  string // what version() returns
	TypeName string // the metatable's name in the registry ("mozsvc.circular_buffer")
	Methods  map[string]func(*lua.LState, T) int
	Funcs    map[string]lua.LGFunction           // new, ...
	Meta     map[string]func(*lua.LState, T) int // metamethods (__tostring)
}

// Open registers the metatable, builds the module table, sets the global
// of the module's name and pushes the table: the body of a loader.
func (ty *Type[T]) Open(L *lua.LState) int {
	mt := L.NewTypeMetatable(ty.TypeName)
	methods := L.NewTable()
	for name, fn := range ty.Methods {
		methods.RawSetString(name, L.NewFunction(ty.Method(name, fn)))
	}
	mt.RawSetString("__index", methods)
	for name, fn := range ty.Meta {
		mt.RawSetString(name, L.NewFunction(ty.Method(name, fn)))
	}
	mod := L.NewTable()
	for name, fn := range ty.Funcs {
		mod.RawSetString(name, L.NewFunction(fn))
	}
	version := ty.Version
	mod.RawSetString("version", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(version))
		return 1
	}))
	L.SetGlobal(ty.Name, mod)
	L.Push(mod)
	return 1
}

// Push pushes v as a userdata of the type.
func (ty *Type[T]) Push(L *lua.LState, v T) {
	ud := L.NewUserData()
	ud.Value = v
	ud.Metatable = L.GetTypeMetatable(ty.TypeName)
	L.Push(ud)
}

// Check is argument i as the type's value, or raises luaL_checkudata's
// error.
func (ty *Type[T]) Check(L *lua.LState, fname string, i int) T {
	if ud, ok := L.Get(i).(*lua.LUserData); ok {
		if v, ok := ud.Value.(T); ok {
			return v
		}
	}
	ArgError(L, fname, i, ty.TypeName+" expected, got "+TypeName(L.Get(i)))
	var zero T
	return zero
}

// Method binds fn to the checked receiver (argument 1).
func (ty *Type[T]) Method(name string, fn func(*lua.LState, T) int) lua.LGFunction {
	return func(L *lua.LState) int { return fn(L, ty.Check(L, name, 1)) }
}

// memoryKey is the registry key of the memory limit the modules check
// single allocations against.
const memoryKey = "hekad.modutil.memory_limit"

// SetMemoryLimit tells the modules of L the sandbox's memory_limit (0:
// none): a single value larger than it (a circular buffer's cells, a bloom
// filter's bits, a packed string) is refused before it is allocated, as
// Heka's allocator refused it.
func SetMemoryLimit(L *lua.LState, n int64) {
	L.G.Registry.RawSetString(memoryKey, lua.LNumber(n))
}

// CheckAlloc raises compat.MemoryError when n bytes exceed the memory limit
// set with SetMemoryLimit.
func CheckAlloc(L *lua.LState, n float64) {
	if limit, ok := L.G.Registry.RawGetString(memoryKey).(lua.LNumber); ok && limit > 0 && n > float64(limit) {
		Raise(L, compat.MemoryError)
	}
}
