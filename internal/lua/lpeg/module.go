package lpeg

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"
)

// Version is what lpeg.version() returns: the LPeg release whose
// semantics this package follows.
const Version = "1.0.2"

// typeName names the patterns' metatable in the registry.
const typeName = "lpeg-pattern"

// Pattern is the value of a pattern userdata: a tree, compiled to a
// program on first use.
type Pattern struct {
	tree *node
	prog *program
}

// module is the state of one LState's lpeg module.
type module struct {
	mt  *lua.LTable // the patterns' metatable
	lib *lua.LTable // the module table
	m   machine
	re  reCache
	eq  *lua.LFunction // re's equality check of a back reference (=name)
}

// Open is the loader of the lpeg module: L.PreloadModule("lpeg", Open).
// It returns the module table and also sets it as the global lpeg, as
// Lua 5.1's LPeg does.
func Open(L *lua.LState) int {
	mod := moduleOf(L)
	L.SetGlobal("lpeg", mod.lib)
	L.Push(mod.lib)
	return 1
}

// SetMatchLimit bounds the work of each match of the lpeg and re
// modules in L: a match that fails and backtracks more than maxFails
// times raises the Lua error "match limit exceeded (N failures)". C LPeg
// has no such limit (the default here is none, 0): it is for hosts that
// must bound the time of one lpeg.match call, which a grammar with
// exponential backtracking can make unbounded while its backtrack stack
// stays small. Backtracking is where such time goes, so counting
// failures costs nothing on the matching path.
func SetMatchLimit(L *lua.LState, maxFails int) {
	moduleOf(L).m.maxFails = max(maxFails, 0)
}

// registryKey holds the module state in the registry, so that re (and a
// second require) find the same one.
const registryKey = "hekad.lpeg.module"

func moduleOf(L *lua.LState) *module {
	if ud, ok := L.GetField(L.Get(lua.RegistryIndex), registryKey).(*lua.LUserData); ok {
		if m, ok := ud.Value.(*module); ok {
			return m
		}
	}
	return newModule(L)
}

func newModule(L *lua.LState) *module {
	mod := &module{mt: L.NewTable(), lib: L.NewTable()}
	mod.m.maxStack = initBack
	// In a fixed order, so that pairs(lpeg) is the same on every run
	// (gopher-lua's tables iterate in insertion order).
	fns := []struct {
		name string
		fn   func(*module, *lua.LState) int
	}{
		{"B", (*module).lB}, {"C", (*module).lC}, {"Carg", (*module).lCarg},
		{"Cb", (*module).lCb}, {"Cc", (*module).lCc}, {"Cf", (*module).lCf},
		{"Cg", (*module).lCg}, {"Cmt", (*module).lCmt}, {"Cp", (*module).lCp},
		{"Cs", (*module).lCs}, {"Ct", (*module).lCt}, {"P", (*module).lP},
		{"R", (*module).lR}, {"S", (*module).lS}, {"V", (*module).lV},
		{"locale", (*module).lLocale}, {"match", (*module).lMatch},
		{"pcode", (*module).lPcode}, {"print", (*module).lPrint}, {"ptree", (*module).lPrint},
		{"setmaxstack", (*module).lSetMaxStack}, {"type", (*module).lType},
		{"version", (*module).lVersion},
		{"__add", (*module).lAdd}, {"__div", (*module).lDiv}, {"__len", (*module).lLen},
		{"__mul", (*module).lMul}, {"__pow", (*module).lPow}, {"__sub", (*module).lSub},
		{"__unm", (*module).lUnm},
	}
	for _, f := range fns {
		fn := L.NewFunction(mod.guard(f.fn))
		if f.name[0] == '_' {
			mod.mt.RawSetString(f.name, fn)
		} else {
			mod.lib.RawSetString(f.name, fn)
		}
	}
	mod.mt.RawSetString("__index", mod.lib)
	L.SetField(L.Get(lua.RegistryIndex), typeName, mod.mt)
	ud := L.NewUserData()
	ud.Value = mod
	L.SetField(L.Get(lua.RegistryIndex), registryKey, ud)
	return mod
}

// guard wraps a module function: a panic in it that is not a Lua error
// (a bug) becomes a Lua error, so that it never crashes the host.
func (mod *module) guard(fn func(*module, *lua.LState) int) lua.LGFunction {
	return func(L *lua.LState) (n int) {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(*lua.ApiError); ok {
					panic(r)
				}
				L.Error(lua.LString(fmt.Sprintf("lpeg: internal error: %v", r)), 0)
			}
		}()
		return fn(mod, L)
	}
}

// raise raises err as a Lua error. Its message starts with the position
// of the caller when the caller is a Lua function, as luaL_error's do.
func raise(L *lua.LState, err error) {
	L.Error(lua.LString(where(L)+err.Error()), 0)
}

// where is the "source:line: " of the function that called the running
// Go function, or "" when that is not a Lua function.
func where(L *lua.LState) string {
	dbg, ok := L.GetStack(1)
	if !ok {
		return ""
	}
	if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil || dbg.What == "G" || dbg.CurrentLine <= 0 {
		return ""
	}
	return fmt.Sprintf("%s:%d: ", dbg.Source, dbg.CurrentLine)
}

// newPattern pushes a new pattern userdata holding t.
func (mod *module) push(L *lua.LState, t *node) int {
	ud := L.NewUserData()
	ud.Value = &Pattern{tree: t}
	ud.Metatable = mod.mt
	L.Push(ud)
	return 1
}

// pattern returns the tree of argument arg, converted as LPeg converts
// values to patterns.
func (mod *module) pattern(L *lua.LState, arg int, fn string) *node {
	v := L.Get(arg)
	switch v := v.(type) {
	case *lua.LUserData:
		if p, ok := v.Value.(*Pattern); ok {
			return p.tree
		}
	case lua.LString:
		return newString(string(v))
	case lua.LNumber:
		if n := int(v); n > maxAnyN || n < -maxAnyN {
			raise(L, errTooBig())
		}
		return newAnyN(int(v))
	case lua.LBool:
		if v {
			return nodeTrue
		}
		return nodeFalse
	case *lua.LTable:
		return mod.grammar(L, v)
	case *lua.LFunction:
		return &node{tag: tRunTime, p1: nodeTrue, val: v}
	}
	raise(L, argErrorf(arg, fn, "lpeg-pattern expected, got %s", argType(L, arg)))
	return nil
}

// argType names the type of argument arg as luaL_typerror does.
func argType(L *lua.LState, arg int) string {
	if arg > L.GetTop() {
		return "no value"
	}
	return L.Get(arg).Type().String()
}

// checkString is luaL_checkstring (numbers are converted).
func checkString(L *lua.LState, arg int, fn string) string {
	switch v := L.Get(arg).(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return numberString(float64(v))
	}
	raise(L, argErrorf(arg, fn, "string expected, got %s", argType(L, arg)))
	return ""
}

// checkInt is luaL_checkinteger (numeric strings are converted).
func checkInt(L *lua.LState, arg int, fn string) int {
	n, ok := toInteger(L.Get(arg))
	if !ok {
		raise(L, argErrorf(arg, fn, "number expected, got %s", argType(L, arg)))
	}
	return n
}

// optInt is luaL_optinteger.
func optInt(L *lua.LState, arg int, fn string, def int) int {
	if L.Get(arg) == lua.LNil {
		return def
	}
	return checkInt(L, arg, fn)
}

// isPattern reports whether v is a pattern userdata (what a grammar's
// rules must be).
func isPattern(v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	if ok {
		_, ok = ud.Value.(*Pattern)
	}
	return ok
}

// grammar builds the grammar of table t: t[1] is the start rule, or the
// name of the start rule.
func (mod *module) grammar(L *lua.LState, t *lua.LTable) *node {
	first := t.RawGetInt(1)
	var start lua.LValue = lua.LNumber(1)
	if s, ok := first.(lua.LString); ok {
		start = s
		first = L.GetTable(t, s)
	}
	if !isPattern(first) {
		if first == lua.LNil {
			raise(L, errorf("grammar has no initial rule"))
		}
		raise(L, errorf("initial rule '%s' is not a pattern", nameString(start)))
	}
	defs := []ruleDef{{name: start, body: mod.value(L, first, 1)}}
	t.ForEach(func(k, v lua.LValue) {
		if k == lua.LNumber(1) || k == start {
			return
		}
		if !isPattern(v) {
			raise(L, errorf("rule '%s' is not a pattern", nameString(k)))
		}
		defs = append(defs, ruleDef{name: k, body: mod.value(L, v, 1)})
	})
	g, err := newGrammar(defs)
	if err != nil {
		raise(L, err)
	}
	return g
}

// value converts v to a pattern (as argument arg).
func (mod *module) value(L *lua.LState, v lua.LValue, arg int) *node {
	top := L.GetTop()
	L.Push(v)
	t := mod.pattern(L, top+1, "P")
	L.SetTop(top)
	return t
}

// compiled returns the program of argument arg, compiling it once for
// pattern userdata.
func (mod *module) compiled(L *lua.LState, arg int) *program {
	var p *Pattern
	if ud, ok := L.Get(arg).(*lua.LUserData); ok {
		p, _ = ud.Value.(*Pattern)
	}
	if p == nil {
		p = &Pattern{tree: mod.pattern(L, arg, "match")}
	}
	if p.prog == nil {
		prog, err := compile(p.tree)
		if err != nil {
			raise(L, err)
		}
		p.prog = prog
	}
	return p.prog
}
