package lpeg

import (
	lua "github.com/yuin/gopher-lua"
)

// The functions of the lpeg module. Each takes its arguments from the
// Lua stack as LPeg's C functions do.

func (mod *module) lP(L *lua.LState) int {
	if isPattern(L.Get(1)) { // P(p) is p itself, as in LPeg
		L.SetTop(1)
		return 1
	}
	return mod.push(L, mod.pattern(L, 1, "P"))
}

func (mod *module) lR(L *lua.LState) int {
	var cs charset
	for i := 1; i <= L.GetTop(); i++ {
		r := checkString(L, i, "R")
		if len(r) != 2 {
			raise(L, argErrorf(i, "R", "range must have two characters"))
		}
		for c := int(r[0]); c <= int(r[1]); c++ {
			cs.add(byte(c))
		}
	}
	return mod.push(L, newSet(&cs))
}

func (mod *module) lS(L *lua.LState) int {
	var cs charset
	for _, c := range []byte(checkString(L, 1, "S")) {
		cs.add(c)
	}
	return mod.push(L, newSet(&cs))
}

func (mod *module) lV(L *lua.LState) int {
	return mod.push(L, &node{tag: tOpenCall, val: L.Get(1), open: true})
}

func (mod *module) lB(L *lua.LState) int {
	t, err := behind(mod.pattern(L, 1, "B"))
	if err != nil {
		raise(L, err)
	}
	return mod.push(L, t)
}

func (mod *module) capture(L *lua.LState, k capKind, fn string, v lua.LValue) int {
	return mod.push(L, newCapture(k, mod.pattern(L, 1, fn), v))
}

func (mod *module) lC(L *lua.LState) int  { return mod.capture(L, cSimple, "C", nil) }
func (mod *module) lCt(L *lua.LState) int { return mod.capture(L, cTable, "Ct", nil) }
func (mod *module) lCs(L *lua.LState) int { return mod.capture(L, cSubst, "Cs", nil) }

func (mod *module) lCf(L *lua.LState) int {
	return mod.capture(L, cFold, "Cf", mod.function(L, 2, "Cf"))
}

// function checks that argument arg is a function.
func (mod *module) function(L *lua.LState, arg int, fn string) lua.LValue {
	f, ok := L.Get(arg).(*lua.LFunction)
	if !ok {
		raise(L, argErrorf(arg, fn, "function expected, got %s", argType(L, arg)))
	}
	return f
}

func (mod *module) lCg(L *lua.LState) int {
	t := newCapture(cGroup, mod.pattern(L, 1, "Cg"), nil)
	if name := L.Get(2); name != lua.LNil {
		t.val, t.hasv = name, true
	}
	return mod.push(L, t)
}

func (mod *module) lCmt(L *lua.LState) int {
	p := mod.pattern(L, 1, "Cmt")
	f := mod.function(L, 2, "Cmt")
	return mod.push(L, &node{tag: tRunTime, p1: p, val: f, open: p.open})
}

func (mod *module) lCp(L *lua.LState) int {
	return mod.push(L, newCapture(cPosition, nodeTrue, nil))
}

func (mod *module) lCb(L *lua.LState) int {
	return mod.push(L, newCapture(cBackref, nodeTrue, L.Get(1)))
}

func (mod *module) lCarg(L *lua.LState) int {
	n := checkInt(L, 1, "Carg")
	if n <= 0 || n > 32767 {
		raise(L, argErrorf(1, "Carg", "invalid argument index"))
	}
	t := newCapture(cArg, nodeTrue, nil)
	t.n = n
	return mod.push(L, t)
}

func (mod *module) lCc(L *lua.LState) int {
	n := L.GetTop()
	switch n {
	case 0:
		return mod.push(L, nodeTrue)
	case 1:
		return mod.push(L, newCapture(cConst, nodeTrue, L.Get(1)))
	}
	t := newCapture(cConst, nodeTrue, L.Get(n))
	for i := n - 1; i >= 1; i-- {
		t = newNode2(tSeq, newCapture(cConst, nodeTrue, L.Get(i)), t)
	}
	return mod.push(L, newCapture(cGroup, t, nil))
}

func (mod *module) lAdd(L *lua.LState) int {
	return mod.push(L, choice(mod.pattern(L, 1, "?"), mod.pattern(L, 2, "?")))
}

func (mod *module) lMul(L *lua.LState) int {
	return mod.push(L, seq(mod.pattern(L, 1, "?"), mod.pattern(L, 2, "?")))
}

func (mod *module) lSub(L *lua.LState) int {
	return mod.push(L, difference(mod.pattern(L, 1, "?"), mod.pattern(L, 2, "?")))
}

func (mod *module) lUnm(L *lua.LState) int {
	return mod.push(L, newNode1(tNot, mod.pattern(L, 1, "?")))
}

func (mod *module) lLen(L *lua.LState) int {
	return mod.push(L, newNode1(tAnd, mod.pattern(L, 1, "?")))
}

func (mod *module) lPow(L *lua.LState) int {
	p := mod.pattern(L, 1, "?")
	t, err := repeat(p, checkInt(L, 2, "?"))
	if err != nil {
		raise(L, err)
	}
	return mod.push(L, t)
}

// toInteger converts a number or a numeric string to an integer as
// luaL_checkinteger does (truncating).
func toInteger(v lua.LValue) (int, bool) {
	switch v := v.(type) {
	case lua.LNumber:
		return int(v), true
	case lua.LString:
		if f, err := parseNumber(string(v)); err == nil {
			return int(f), true
		}
	}
	return 0, false
}

func (mod *module) lDiv(L *lua.LState) int {
	p := mod.pattern(L, 1, "?")
	switch v := L.Get(2).(type) {
	case lua.LString:
		return mod.push(L, newCapture(cString, p, v))
	case lua.LNumber:
		n := int(v)
		if n < 0 || n > 32767 {
			raise(L, argErrorf(1, "?", "invalid number"))
		}
		t := newCapture(cNum, p, nil)
		t.n = n
		return mod.push(L, t)
	case *lua.LTable:
		return mod.push(L, newCapture(cQuery, p, v))
	case *lua.LFunction:
		return mod.push(L, newCapture(cFunction, p, v))
	}
	raise(L, argErrorf(2, "?", "invalid replacement value"))
	return 0
}

func (mod *module) lVersion(L *lua.LState) int {
	L.Push(lua.LString(Version))
	return 1
}

func (mod *module) lSetMaxStack(L *lua.LState) int {
	n := checkInt(L, 1, "setmaxstack")
	if n <= 0 || n > 1<<31/100 {
		raise(L, argErrorf(1, "setmaxstack", "out of range"))
	}
	mod.m.maxStack = n
	return 0
}

func (mod *module) lType(L *lua.LState) int {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if _, ok := ud.Value.(*Pattern); ok {
			L.Push(lua.LString("pattern"))
			return 1
		}
	}
	L.Push(lua.LNil)
	return 1
}

func (mod *module) lLocale(L *lua.LState) int {
	t, ok := L.Get(1).(*lua.LTable)
	if !ok {
		if L.Get(1) != lua.LNil {
			raise(L, argErrorf(1, "locale", "table expected, got %s", argType(L, 1)))
		}
		t = L.NewTable()
	}
	for _, c := range localeClasses {
		u := L.NewUserData()
		u.Value = &Pattern{tree: newSet(setOf(c.pred))}
		u.Metatable = mod.mt
		t.RawSetString(c.name, u)
	}
	L.Push(t)
	return 1
}

// localeClasses are the classes of lpeg.locale, in the C locale.
var localeClasses = []struct {
	name string
	pred func(c byte) bool
}{
	{"alnum", func(c byte) bool { return isAlpha(c) || isDigit(c) }},
	{"alpha", isAlpha},
	{"cntrl", func(c byte) bool { return c < 32 || c == 127 }},
	{"digit", isDigit},
	{"graph", func(c byte) bool { return c > 32 && c < 127 }},
	{"lower", func(c byte) bool { return c >= 'a' && c <= 'z' }},
	{"print", func(c byte) bool { return c >= 32 && c < 127 }},
	{"punct", func(c byte) bool { return c > 32 && c < 127 && !isAlpha(c) && !isDigit(c) }},
	{"space", func(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }},
	{"upper", func(c byte) bool { return c >= 'A' && c <= 'Z' }},
	{"xdigit", func(c byte) bool { return isDigit(c) || (c|32 >= 'a' && c|32 <= 'f') }},
}

func isAlpha(c byte) bool { return c|32 >= 'a' && c|32 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
