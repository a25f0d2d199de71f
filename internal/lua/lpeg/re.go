package lpeg

import (
	lua "github.com/yuin/gopher-lua"
)

// OpenRe is the loader of the re module (LPeg's regex-like syntax):
// L.PreloadModule("re", OpenRe). It returns the module table and also
// sets it as the global re, as Lua 5.1's re does. It shares the lpeg
// module's state (patterns and backtrack limit) of the same LState.
func OpenRe(L *lua.LState) int {
	mod := moduleOf(L)
	// re.lua's require "lpeg" loads lpeg too: package.loaded.lpeg and the
	// global lpeg.
	if pkg, ok := L.GetGlobal("package").(*lua.LTable); ok {
		if loaded, ok := pkg.RawGetString("loaded").(*lua.LTable); ok && loaded.RawGetString("lpeg") == lua.LNil {
			loaded.RawSetString("lpeg", mod.lib)
			L.SetGlobal("lpeg", mod.lib)
		}
	} else if L.GetGlobal("lpeg") == lua.LNil {
		L.SetGlobal("lpeg", mod.lib)
	}
	t := L.NewTable()
	for _, f := range []struct {
		name string
		fn   func(*module, *lua.LState) int
	}{
		{"compile", (*module).reCompile}, {"find", (*module).reFind}, {"gsub", (*module).reGsub},
		{"match", (*module).reMatch}, {"updatelocale", (*module).reUpdateLocale},
	} {
		t.RawSetString(f.name, L.NewFunction(mod.guard(f.fn)))
	}
	L.SetGlobal("re", t)
	L.Push(t)
	return 1
}

// maxReCache bounds each cache of compiled re patterns; a full cache is
// emptied.
const maxReCache = 256

// reCache holds the patterns re.match, re.find and re.gsub compiled.
type reCache struct {
	match map[string]*Pattern
	find  map[string]*Pattern
	gsub  map[gsubKey]*Pattern
}

type gsubKey struct {
	p   string
	rep lua.LValue
}

func cached[K comparable](m *map[K]*Pattern, k K, build func() *node) *Pattern {
	if *m == nil || len(*m) >= maxReCache {
		*m = map[K]*Pattern{}
	}
	p, ok := (*m)[k]
	if !ok {
		p = &Pattern{tree: build()}
		(*m)[k] = p
	}
	return p
}

// reTree compiles argument 1 (a re string or already a pattern) with
// the definitions in argument defs (0 for none).
func (mod *module) reTree(L *lua.LState, defs int) *node {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if p, ok := ud.Value.(*Pattern); ok {
			return p.tree
		}
	}
	src := checkString(L, 1, "compile")
	var d lua.LValue = lua.LNil
	if defs > 0 {
		d = L.Get(defs)
	}
	return mod.parseRe(L, src, d)
}

func (mod *module) reCompile(L *lua.LState) int {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if _, ok := ud.Value.(*Pattern); ok {
			L.Push(ud)
			return 1
		}
	}
	return mod.push(L, mod.reTree(L, 2))
}

// reRun matches pattern p against argument 1 from the init in argument
// init, leaving only the match's results on the stack.
func (mod *module) reRun(L *lua.LState, p *Pattern, init int) int {
	ud := L.NewUserData()
	ud.Value = p
	ud.Metatable = mod.mt
	subject := L.Get(1)
	var start lua.LValue = lua.LNumber(1)
	if init > 0 && L.Get(init) != lua.LNil {
		start = L.Get(init)
	}
	L.SetTop(0)
	L.Push(ud)
	L.Push(subject)
	L.Push(start)
	return mod.lMatch(L)
}

// rePattern is the pattern of argument 2 (a re string or a pattern)
// wrapped by wrap; a string's pattern is cached by cache.
func (mod *module) rePattern(L *lua.LState, cache func(src string, build func() *node) *Pattern, wrap func(*node) *node) *Pattern {
	if ud, ok := L.Get(2).(*lua.LUserData); ok {
		if p, ok := ud.Value.(*Pattern); ok {
			return &Pattern{tree: wrap(p.tree)}
		}
	}
	src := checkString(L, 2, "match")
	return cache(src, func() *node { return wrap(mod.parseRe(L, src, lua.LNil)) })
}

func (mod *module) reMatch(L *lua.LState) int {
	p := mod.rePattern(L, func(src string, build func() *node) *Pattern {
		return cached(&mod.re.match, src, build)
	}, func(t *node) *node { return t })
	return mod.reRun(L, p, 3)
}

func (mod *module) reFind(L *lua.LState) int {
	p := mod.rePattern(L, func(src string, build func() *node) *Pattern {
		return cached(&mod.re.find, src, build)
	}, findTree)
	n := mod.reRun(L, p, 3)
	if L.Get(-n) == lua.LNil {
		return n
	}
	i, e := L.Get(-2), L.Get(-1)
	L.Pop(2)
	L.Push(i)
	L.Push(e.(lua.LNumber) - 1)
	return 2
}

// findTree is P{ Cp() * (p / 0) * Cp() + 1 * V(1) }.
func findTree(p *node) *node {
	pos := newCapture(cPosition, nodeTrue, nil)
	zero := newCapture(cNum, p, nil)
	self := &node{tag: tOpenCall, val: lua.LNumber(1), open: true}
	g, err := newGrammar([]ruleDef{{name: lua.LNumber(1),
		body: choice(seq(pos, seq(zero, pos)), seq(nodeAny, self))}})
	if err != nil {
		panic(err) // cannot happen: the grammar is fixed
	}
	return g
}

func (mod *module) reGsub(L *lua.LState) int {
	rep := L.Get(3)
	wrap := func(t *node) *node {
		var c *node
		switch v := rep.(type) {
		case lua.LString:
			c = newCapture(cString, t, v)
		case lua.LNumber:
			c = newCapture(cNum, t, nil)
			c.n = int(v)
		case *lua.LTable:
			c = newCapture(cQuery, t, v)
		case *lua.LFunction:
			c = newCapture(cFunction, t, v)
		default:
			raise(L, argErrorf(2, "?", "invalid replacement value"))
		}
		r, err := repeat(choice(c, nodeAny), 0)
		if err != nil {
			raise(L, err)
		}
		return newCapture(cSubst, r, nil)
	}
	p := mod.rePattern(L, func(src string, build func() *node) *Pattern {
		return cached(&mod.re.gsub, gsubKey{src, rep}, build)
	}, wrap)
	return mod.reRun(L, p, 0)
}

func (mod *module) reUpdateLocale(L *lua.LState) int {
	mod.re = reCache{}
	return 0
}

// predefined returns re's predefined class name (%name), or nil.
func predefined(name string) *node {
	if name == "nl" {
		return newChar('\n')
	}
	for _, c := range localeClasses {
		if c.name == name {
			return newSet(setOf(c.pred))
		}
	}
	if len(name) != 1 {
		return nil
	}
	short := map[byte]string{'a': "alpha", 'c': "cntrl", 'd': "digit", 'g': "graph", 'l': "lower",
		'p': "punct", 's': "space", 'u': "upper", 'w': "alnum", 'x': "xdigit"}
	ch := name[0]
	if full, ok := short[ch]; ok {
		return predefined(full)
	}
	if full, ok := short[ch|32]; ok && ch < 'a' {
		return difference(nodeAny, predefined(full))
	}
	return nil
}
