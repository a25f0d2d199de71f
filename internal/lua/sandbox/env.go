package sandbox

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
)

// stateOptions are the LState options of every sandbox: C Lua's call depth
// (LUAI_MAXCALLS), a data stack that grows as needed (unpack of thousands of
// values, deep recursion) and shrinks back.
var stateOptions = lua.Options{
	SkipOpenLibs:        true,
	CallStackSize:       20000,
	MinimizeStackMemory: true,
	RegistrySize:        2048,
	RegistryMaxSize:     1 << 20,
	RegistryGrowStep:    4096,
}

// removed lists, per profile, the globals and os functions a script must not
// have (heka-reference §6.3), plus gopher-lua's own additions (module,
// _printregs, os.setenv, _GOPHER_LUA_VERSION).
var removed = map[Profile]struct{ base, os []string }{
	Restricted: {
		base: []string{"collectgarbage", "coroutine", "dofile", "load", "loadfile", "loadstring",
			"newproxy", "print", "module", "_printregs", "_GOPHER_LUA_VERSION"},
		os: []string{"getenv", "execute", "exit", "remove", "rename", "setlocale", "tmpname", "setenv"},
	},
	Relaxed: {
		base: []string{"dofile", "load", "loadfile", "loadstring", "print", "module", "_printregs",
			"_GOPHER_LUA_VERSION"},
		os: []string{"exit", "setlocale", "setenv"},
	},
}

// moduleName is what require accepts for a file module: dotted identifiers,
// so that no name reaches outside the module directories.
var moduleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// openLib runs one of gopher-lua's library openers.
func openLib(L *lua.LState, name string, open lua.LGFunction) {
	L.Push(L.NewFunction(open))
	L.Push(lua.LString(name))
	L.Call(1, 0)
}

// newState builds the LState of s with the environment of its profile.
func (s *Sandbox) newState() *lua.LState {
	L := lua.NewState(stateOptions)
	openLib(L, lua.BaseLibName, lua.OpenBase)
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.StringLibName, lua.OpenString}, {lua.TabLibName, lua.OpenTable},
		{lua.MathLibName, lua.OpenMath}, {lua.OsLibName, lua.OpenOs}} {
		openLib(L, lib.name, lib.open)
		s.libs[lib.name] = L.GetGlobal(lib.name)
	}
	if s.cfg.Profile == Relaxed {
		openLib(L, lua.CoroutineLibName, lua.OpenCoroutine)
		s.libs[lua.CoroutineLibName] = L.GetGlobal(lua.CoroutineLibName)
	}
	opts := compat.Options{}
	if s.cfg.MemoryLimit > 0 {
		opts.MaxString = int(min(s.cfg.MemoryLimit, 1<<40))
	}
	opts.Alloc = func(L *lua.LState, n int) {
		if s.mem != nil {
			s.mem.allocate(L, n)
		}
	}
	compat.Open(L, opts)
	rm := removed[s.cfg.Profile]
	for _, name := range rm.base {
		L.SetGlobal(name, lua.LNil)
	}
	if osTable, ok := L.GetGlobal(lua.OsLibName).(*lua.LTable); ok {
		for _, name := range rm.os {
			osTable.RawSetString(name, lua.LNil)
		}
	}
	// gopher-lua's library openers fill the registry's _LOADED table, which
	// the script cannot reach; require keeps its own.
	s.loaded = L.NewTable()
	L.SetGlobal("require", L.NewFunction(s.require))
	L.SetGlobal("read_config", L.NewFunction(s.readConfig))
	return L
}

// require loads a module once: a library of the profile, a Go module of
// Config.Modules (both also become globals), or <dir>/<name>.lua from the
// module directories (not a global: it returns its table).
func (s *Sandbox) require(L *lua.LState) int {
	name := L.CheckString(1)
	if v := s.loaded.RawGetString(name); v != lua.LNil {
		if v == lua.LFalse {
			L.RaiseError("loop or previous error loading module '%s'", name)
		}
		L.Push(v)
		return 1
	}
	if lib, ok := s.libs[name]; ok {
		L.SetGlobal(name, lib)
		s.loaded.RawSetString(name, lib)
		L.Push(lib)
		return 1
	}
	var mod lua.LValue
	if open, ok := s.builtin(name); ok {
		mod = callLoader(L, L.NewFunction(open), name)
		L.SetGlobal(name, mod)
		s.libs[name] = mod
	} else {
		path := s.findModule(L, name)
		proto, err := s.cfg.Cache.compileFile(path)
		if err != nil {
			L.RaiseError("error loading module '%s': %v", name, err)
		}
		s.loaded.RawSetString(name, lua.LFalse)
		mod = callLoader(L, L.NewFunctionFromProto(proto), name)
	}
	s.loaded.RawSetString(name, mod)
	L.Push(mod)
	return 1
}

// callLoader calls a module's loader with the module's name and returns the
// module: what the loader returned, or true when it returned nothing.
func callLoader(L *lua.LState, loader *lua.LFunction, name string) lua.LValue {
	L.Push(loader)
	L.Push(lua.LString(name))
	L.Call(1, 1)
	mod := L.Get(-1)
	L.Pop(1)
	if mod == lua.LNil {
		return lua.LTrue
	}
	return mod
}

// builtin is the opener of a library that require loads on demand.
func (s *Sandbox) builtin(name string) (lua.LGFunction, bool) {
	if open, ok := s.cfg.Modules[name]; ok {
		return open, true
	}
	if s.cfg.Profile == Relaxed && name == lua.IoLibName {
		return lua.OpenIo, true
	}
	return nil, false
}

// findModule is the path of the file module name, or raises the error
// require gives when there is none.
func (s *Sandbox) findModule(L *lua.LState, name string) string {
	if !moduleName.MatchString(name) {
		L.RaiseError("module '%s' not found: invalid module name", name)
	}
	rel := strings.ReplaceAll(name, ".", string(filepath.Separator)) + ".lua"
	var tried []string
	for _, dir := range s.cfg.ModuleDirs {
		path := filepath.Join(dir, rel)
		if _, err := os.Stat(path); err == nil {
			return path
		} else if !errors.Is(err, fs.ErrNotExist) {
			L.RaiseError("module '%s': %v", name, err)
		}
		tried = append(tried, "\n\tno file '"+path+"'")
	}
	L.RaiseError("module '%s' not found (not built into hekad):%s", name, strings.Join(tried, ""))
	return ""
}

// readConfig is read_config(name): a string, number or boolean of the
// plugin's config table, else nil.
func (s *Sandbox) readConfig(L *lua.LState) int {
	if L.GetTop() != 1 {
		L.RaiseError("read_config() must have a single argument")
	}
	name := L.CheckString(1)
	L.Push(settingValue(s.cfg.Settings[name]))
	return 1
}

// settingValue converts a config value to Lua: strings, booleans and numbers;
// anything else is nil.
func settingValue(v any) lua.LValue {
	switch x := v.(type) {
	case string:
		return lua.LString(x)
	case bool:
		return lua.LBool(x)
	case int:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	}
	return lua.LNil
}
