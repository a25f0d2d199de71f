package compat

import (
	"io"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Options tune the replacements Open installs.
type Options struct {
	// MaxString, if positive, bounds the size in bytes of any one string
	// built by `..`, string.rep, string.format, string.gsub and table.concat;
	// a larger result raises the Lua error MemoryError. It is how a sandbox
	// keeps one instruction from allocating far beyond its memory_limit.
	MaxString int
	// Alloc, if not nil, is told the size of each string a replacement is
	// about to build (it may raise a Lua error to refuse it): a sandbox
	// charges these against its memory_limit between two walks of its data.
	Alloc func(L *lua.LState, n int)
	// Stdout, if not nil, receives the output of a print function that
	// formats as C Lua 5.1 does. When nil, print is left as it is.
	Stdout io.Writer
}

// MemoryError is the message of the Lua error raised when a string would be
// larger than Options.MaxString.
const MemoryError = "memory_limit exceeded"

// lib holds the options of one LState's replacements.
type lib struct {
	opts Options
}

// Open installs the replacements in L, whose base, string, table, math and os
// libraries must be open already (a library that is not open is skipped), and
// stores the concatenation function in the global ConcatName for the chunks
// Compile produces.
func Open(L *lua.LState, opts Options) {
	lb := &lib{opts: opts}
	L.SetGlobal(ConcatName, L.NewFunction(lb.concat))
	L.SetGlobal("tostring", L.NewFunction(tostring))
	L.SetGlobal("tonumber", L.NewFunction(tonumber))
	L.SetGlobal("error", L.NewFunction(luaError))
	L.SetGlobal("rawset", L.NewFunction(rawset))
	if opts.Stdout != nil {
		L.SetGlobal("print", L.NewFunction(lb.print))
	}
	set := func(lib string, fns map[string]lua.LGFunction) {
		t, ok := L.GetGlobal(lib).(*lua.LTable)
		if !ok {
			return
		}
		for name, fn := range fns {
			t.RawSetString(name, L.NewFunction(fn))
		}
	}
	set("string", map[string]lua.LGFunction{
		"format": lb.format,
		"rep":    lb.rep,
		"upper":  strUpper,
		"lower":  strLower,
		"find":   strFind,
		"match":  strMatch,
		"gmatch": strGmatch,
		"gsub":   lb.gsub,
		"char":   strChar,
	})
	set("table", map[string]lua.LGFunction{
		"concat":   lb.tableConcat,
		"foreach":  tableForeach,
		"foreachi": tableForeachi,
		"setn":     tableSetn,
	})
	set("os", map[string]lua.LGFunction{
		"date": osDate,
		"time": osTime,
	})
	if m, ok := L.GetGlobal("math").(*lua.LTable); ok {
		m.RawSetString("huge", lua.LNumber(math.Inf(1)))
		m.RawSetString("fmod", L.NewFunction(mathFmod))
	}
}

// checkSize raises MemoryError when a string of n bytes is over the limit.
func (lb *lib) checkSize(L *lua.LState, n int) {
	if lb.opts.MaxString > 0 && n > lb.opts.MaxString {
		L.RaiseError(MemoryError)
	}
}

// alloc checks and reports a string of n bytes about to be built.
func (lb *lib) alloc(L *lua.LState, n int) {
	lb.checkSize(L, n)
	if lb.opts.Alloc != nil {
		lb.opts.Alloc(L, n)
	}
}

// concat is `..` over all its arguments, right to left as in Lua, with
// numbers formatted as C Lua 5.1 does and __concat metamethods.
func (lb *lib) concat(L *lua.LState) int {
	n := L.GetTop()
	size := 0
	simple := true
	for i := 1; i <= n; i++ {
		switch v := L.Get(i).(type) {
		case lua.LString:
			size += len(v)
		case lua.LNumber:
			size += 24
		default:
			simple = false
		}
	}
	if simple {
		lb.alloc(L, size)
		var b strings.Builder
		b.Grow(size)
		var num [32]byte
		for i := 1; i <= n; i++ {
			switch v := L.Get(i).(type) {
			case lua.LString:
				b.WriteString(string(v))
			case lua.LNumber:
				b.Write(AppendNumber(num[:0], float64(v)))
			}
		}
		L.Push(lua.LString(b.String()))
		return 1
	}
	rhs := L.Get(n)
	for i := n - 1; i >= 1; i-- {
		lhs := L.Get(i)
		ls, lok := ToString(lhs)
		rs, rok := ToString(rhs)
		if lok && rok {
			lb.alloc(L, len(ls)+len(rs))
			rhs = lua.LString(ls + rs)
			continue
		}
		mm := L.GetMetaField(lhs, "__concat")
		if mm == lua.LNil {
			mm = L.GetMetaField(rhs, "__concat")
		}
		if mm == lua.LNil {
			bad := lhs
			if lok {
				bad = rhs
			}
			L.RaiseError("attempt to concatenate a %s value", bad.Type().String())
		}
		L.Push(mm)
		L.Push(lhs)
		L.Push(rhs)
		L.Call(2, 1)
		rhs = L.Get(-1)
		L.Pop(1)
	}
	L.Push(rhs)
	return 1
}

// tostringValue is C Lua 5.1's tostring of v.
func tostringValue(L *lua.LState, v lua.LValue) string {
	if mm := L.GetMetaField(v, "__tostring"); mm != lua.LNil {
		L.Push(mm)
		L.Push(v)
		L.Call(1, 1)
		r := L.Get(-1)
		L.Pop(1)
		s, ok := ToString(r)
		if !ok {
			L.RaiseError("'__tostring' must return a string")
		}
		return s
	}
	if s, ok := ToString(v); ok {
		return s
	}
	return v.String()
}

// rawset is Lua 5.1's: it returns the table (gopher-lua's returns
// nothing), which LPeg grammars rely on in lpeg.Cf(lpeg.Ct"" * ..., rawset).
func rawset(L *lua.LState) int {
	t := L.CheckTable(1)
	k := L.CheckAny(2)
	L.CheckAny(3)
	if k == lua.LNil {
		L.RaiseError("table index is nil")
	}
	if n, ok := k.(lua.LNumber); ok && n != n {
		L.RaiseError("table index is NaN")
	}
	t.RawSet(k, L.Get(3))
	L.SetTop(1)
	return 1
}

func tostring(L *lua.LState) int {
	L.Push(lua.LString(tostringValue(L, L.CheckAny(1))))
	return 1
}

func tonumber(L *lua.LState) int {
	base := L.OptInt(2, 10)
	v := L.CheckAny(1)
	if base == 10 {
		switch x := v.(type) {
		case lua.LNumber:
			L.Push(x)
			return 1
		case lua.LString:
			if f, ok := ParseNumber(string(x)); ok {
				L.Push(lua.LNumber(f))
				return 1
			}
		}
		L.Push(lua.LNil)
		return 1
	}
	if base < 2 || base > 36 {
		L.ArgError(2, "base out of range")
	}
	s, ok := ToString(v)
	if !ok {
		L.ArgError(1, "string expected, got "+v.Type().String())
	}
	if f, ok := parseBase(s, base); ok {
		L.Push(lua.LNumber(f))
		return 1
	}
	L.Push(lua.LNil)
	return 1
}

func (lb *lib) print(L *lua.LState) int {
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(tostringValue(L, L.Get(i)))
	}
	b.WriteByte('\n')
	if _, err := io.WriteString(lb.opts.Stdout, b.String()); err != nil {
		L.RaiseError("print: %v", err)
	}
	return 0
}

func (lb *lib) rep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || s == "" {
		L.Push(lua.LString(""))
		return 1
	}
	if n > math.MaxInt32/len(s)+1 {
		L.RaiseError(MemoryError)
	}
	lb.alloc(L, len(s)*n)
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}

// asciiCase maps the ASCII letters of s (bytewise, as C's toupper and
// tolower in the C locale).
func asciiCase(s string, upper bool) string {
	b := []byte(s)
	for i, c := range b {
		if upper && c >= 'a' && c <= 'z' {
			b[i] = c - 32
		} else if !upper && c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func strUpper(L *lua.LState) int {
	L.Push(lua.LString(asciiCase(L.CheckString(1), true)))
	return 1
}

func strLower(L *lua.LState) int {
	L.Push(lua.LString(asciiCase(L.CheckString(1), false)))
	return 1
}

func (lb *lib) tableConcat(L *lua.LState) int {
	t := L.CheckTable(1)
	sep := L.OptString(2, "")
	i := L.OptInt(3, 1)
	j := L.OptInt(4, t.Len())
	var b strings.Builder
	var num [32]byte
	for k := i; k <= j; k++ {
		switch v := t.RawGetInt(k).(type) {
		case lua.LString:
			b.WriteString(string(v))
		case lua.LNumber:
			b.Write(AppendNumber(num[:0], float64(v)))
		default:
			L.RaiseError("invalid value (%s) at index %d in table for 'concat'", v.Type().String(), k)
		}
		if k != j {
			b.WriteString(sep)
		}
		lb.checkSize(L, b.Len())
	}
	lb.alloc(L, b.Len())
	L.Push(lua.LString(b.String()))
	return 1
}

func tableForeach(L *lua.LState) int {
	t := L.CheckTable(1)
	f := L.CheckFunction(2)
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		L.Push(f)
		L.Push(k)
		L.Push(v)
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

func tableForeachi(L *lua.LState) int {
	t := L.CheckTable(1)
	f := L.CheckFunction(2)
	n := t.Len()
	for i := 1; i <= n; i++ {
		L.Push(f)
		L.Push(lua.LNumber(i))
		L.Push(t.RawGetInt(i))
		L.Call(2, 1)
		if r := L.Get(-1); r != lua.LNil {
			return 1
		}
		L.Pop(1)
	}
	return 0
}

// luaError is error(value[, level]) as in C Lua 5.1: a number is a string
// too, so it gets the position prefix; no value raises nil.
func luaError(L *lua.LState) int {
	obj := L.Get(1)
	level := L.OptInt(2, 1)
	if n, ok := obj.(lua.LNumber); ok && level > 0 {
		obj = lua.LString(FormatNumber(float64(n)))
	}
	L.Error(obj, level)
	return 0
}

// strChar is string.char, which refuses values outside 0-255.
func strChar(L *lua.LState) int {
	n := L.GetTop()
	b := make([]byte, n)
	for i := 1; i <= n; i++ {
		c := L.CheckInt(i)
		if c < 0 || c > 255 {
			L.ArgError(i, "invalid value")
		}
		b[i-1] = byte(c)
	}
	L.Push(lua.LString(b))
	return 1
}

// tableSetn is table.setn, obsolete in Lua 5.1.
func tableSetn(L *lua.LState) int {
	L.RaiseError("%s", "'setn' is obsolete")
	return 0
}

// mathFmod is math.fmod with the NaN glibc's fmod gives for x % 0 and
// inf % y: the default NaN of x86, whose sign bit is set (printed "-nan").
func mathFmod(L *lua.LState) int {
	x, y := float64(L.CheckNumber(1)), float64(L.CheckNumber(2))
	r := math.Mod(x, y)
	if math.IsNaN(r) && !math.IsNaN(x) && !math.IsNaN(y) {
		r = math.Copysign(math.NaN(), -1)
	}
	L.Push(lua.LNumber(r))
	return 1
}
