package compat

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// This file is a matcher for Lua 5.1 patterns written from the reference
// manual (§5.4.1): character classes, sets, the %f frontier, %b, back
// references, position captures and the four repetition items, with C Lua
// 5.1's error messages and limits (32 captures).

const (
	maxCaptures   = 32
	capUnfinished = -1
	capPosition   = -2
	patSpecials   = "^$*+?.([%-"
)

// capture is one capture: where it starts in the subject and its length, or
// capUnfinished / capPosition.
type capture struct {
	init, len int
}

// matcher is the state of one match of pat against src.
type matcher struct {
	L     *lua.LState
	src   string
	pat   string
	level int
	caps  [maxCaptures]capture
}

func (m *matcher) errorf(format string, args ...any) {
	m.L.RaiseError("%s", fmt.Sprintf(format, args...))
}

// classEnd returns the index just after the single-character class that
// starts at p.
func (m *matcher) classEnd(p int) int {
	pat := m.pat
	c := pat[p]
	p++
	switch c {
	case '%':
		if p >= len(pat) {
			m.errorf("malformed pattern (ends with '%%')")
		}
		return p + 1
	case '[':
		if p < len(pat) && pat[p] == '^' {
			p++
		}
		for {
			if p >= len(pat) {
				m.errorf("malformed pattern (missing ']')")
			}
			c := pat[p]
			p++
			if c == '%' && p < len(pat) {
				p++
			}
			if p < len(pat) && pat[p] == ']' {
				return p + 1
			}
		}
	}
	return p
}

// classMatch reports whether c is in the class %cl.
func classMatch(c, cl byte) bool {
	var r bool
	lower := cl | 0x20
	switch lower {
	case 'a':
		r = isAlpha(c)
	case 'c':
		r = c < 32 || c == 127
	case 'd':
		r = c >= '0' && c <= '9'
	case 'l':
		r = c >= 'a' && c <= 'z'
	case 'p':
		r = isPunct(c)
	case 's':
		r = isSpace(c)
	case 'u':
		r = c >= 'A' && c <= 'Z'
	case 'w':
		r = isAlpha(c) || (c >= '0' && c <= '9')
	case 'x':
		r = (c >= '0' && c <= '9') || (c|0x20 >= 'a' && c|0x20 <= 'f')
	case 'z':
		r = c == 0
	default:
		return cl == c
	}
	if cl >= 'A' && cl <= 'Z' {
		return !r
	}
	return r
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isPunct(c byte) bool {
	return c > 32 && c < 127 && !isAlpha(c) && !(c >= '0' && c <= '9')
}

// setMatch reports whether c is in the set pat[p:ec] ("[" at p, "]" at ec).
func setMatch(c byte, pat string, p, ec int) bool {
	sig := true
	p++
	if pat[p] == '^' {
		sig = false
		p++
	}
	for ; p < ec; p++ {
		switch {
		case pat[p] == '%' && p+1 < ec:
			p++
			if classMatch(c, pat[p]) {
				return sig
			}
		case p+2 < ec && pat[p+1] == '-':
			if pat[p] <= c && c <= pat[p+2] {
				return sig
			}
			p += 2
		case pat[p] == c:
			return sig
		}
	}
	return !sig
}

// single reports whether subject byte at s matches the class pat[p:ep].
func (m *matcher) single(s, p, ep int) bool {
	if s >= len(m.src) {
		return false
	}
	c := m.src[s]
	switch m.pat[p] {
	case '.':
		return true
	case '%':
		return classMatch(c, m.pat[p+1])
	case '[':
		return setMatch(c, m.pat, p, ep-1)
	}
	return m.pat[p] == c
}

// match returns the end of the match of pat[p:] at src[s:], or -1.
func (m *matcher) match(s, p int) int {
	pat := m.pat
	for p < len(pat) {
		switch pat[p] {
		case '(':
			if p+1 < len(pat) && pat[p+1] == ')' {
				return m.startCapture(s, p+2, capPosition)
			}
			return m.startCapture(s, p+1, capUnfinished)
		case ')':
			return m.endCapture(s, p+1)
		case '$':
			if p+1 == len(pat) {
				if s == len(m.src) {
					return s
				}
				return -1
			}
		case '%':
			if p+1 < len(pat) {
				switch pat[p+1] {
				case 'b':
					s = m.balance(s, p+2)
					if s < 0 {
						return -1
					}
					p += 4
					continue
				case 'f':
					p += 2
					if p >= len(pat) || pat[p] != '[' {
						m.errorf("missing '[' after '%%f' in pattern")
					}
					ep := m.classEnd(p)
					var prev, cur byte
					if s > 0 {
						prev = m.src[s-1]
					}
					if s < len(m.src) {
						cur = m.src[s]
					}
					if setMatch(prev, pat, p, ep-1) || !setMatch(cur, pat, p, ep-1) {
						return -1
					}
					p = ep
					continue
				}
				if d := pat[p+1]; d >= '0' && d <= '9' {
					s = m.matchCapture(s, d)
					if s < 0 {
						return -1
					}
					p += 2
					continue
				}
			}
		}
		ep := m.classEnd(p)
		ok := m.single(s, p, ep)
		if ep < len(pat) {
			switch pat[ep] {
			case '?':
				if ok {
					if r := m.match(s+1, ep+1); r >= 0 {
						return r
					}
				}
				p = ep + 1
				continue
			case '*':
				return m.maxExpand(s, p, ep)
			case '+':
				if !ok {
					return -1
				}
				return m.maxExpand(s+1, p, ep)
			case '-':
				return m.minExpand(s, p, ep)
			}
		}
		if !ok {
			return -1
		}
		s++
		p = ep
	}
	return s
}

func (m *matcher) maxExpand(s, p, ep int) int {
	i := m.span(s, p, ep)
	for ; i >= 0; i-- {
		if r := m.match(s+i, ep+1); r >= 0 {
			return r
		}
	}
	return -1
}

// span is how many subject bytes from s on match the class pat[p:ep], with
// the class decoded once rather than per byte.
func (m *matcher) span(s, p, ep int) int {
	src := m.src[s:]
	i := 0
	switch m.pat[p] {
	case '.':
		return len(src)
	case '%':
		cl := m.pat[p+1]
		for i < len(src) && classMatch(src[i], cl) {
			i++
		}
	case '[':
		for i < len(src) && setMatch(src[i], m.pat, p, ep-1) {
			i++
		}
	default:
		c := m.pat[p]
		for i < len(src) && src[i] == c {
			i++
		}
	}
	return i
}

func (m *matcher) minExpand(s, p, ep int) int {
	for {
		if r := m.match(s, ep+1); r >= 0 {
			return r
		}
		if !m.single(s, p, ep) {
			return -1
		}
		s++
	}
}

func (m *matcher) startCapture(s, p, what int) int {
	if m.level >= maxCaptures {
		m.errorf("too many captures")
	}
	m.caps[m.level] = capture{init: s, len: what}
	m.level++
	r := m.match(s, p)
	if r < 0 {
		m.level--
	}
	return r
}

func (m *matcher) endCapture(s, p int) int {
	l := -1
	for i := m.level - 1; i >= 0; i-- {
		if m.caps[i].len == capUnfinished {
			l = i
			break
		}
	}
	if l < 0 {
		m.errorf("invalid pattern capture")
	}
	m.caps[l].len = s - m.caps[l].init
	r := m.match(s, p)
	if r < 0 {
		m.caps[l].len = capUnfinished
	}
	return r
}

func (m *matcher) balance(s, p int) int {
	if p+1 >= len(m.pat) {
		m.errorf("unbalanced pattern")
	}
	if s >= len(m.src) || m.src[s] != m.pat[p] {
		return -1
	}
	open, closing := m.pat[p], m.pat[p+1]
	depth := 1
	for i := s + 1; i < len(m.src); i++ {
		switch m.src[i] {
		case closing:
			depth--
			if depth == 0 {
				return i + 1
			}
		case open:
			depth++
		}
	}
	return -1
}

func (m *matcher) matchCapture(s int, d byte) int {
	l := int(d - '1')
	if l < 0 || l >= m.level || m.caps[l].len == capUnfinished {
		m.errorf("invalid capture index")
	}
	if m.caps[l].len < 0 {
		return -1
	}
	c := m.src[m.caps[l].init : m.caps[l].init+m.caps[l].len]
	if strings.HasPrefix(m.src[s:], c) {
		return s + len(c)
	}
	return -1
}

// captureValue is capture i of the match src[s:e].
func (m *matcher) captureValue(i, s, e int) lua.LValue {
	if i >= m.level {
		if i != 0 {
			m.errorf("invalid capture index")
		}
		return lua.LString(m.src[s:e])
	}
	c := m.caps[i]
	if c.len == capUnfinished {
		m.errorf("unfinished capture")
	}
	if c.len == capPosition {
		return lua.LNumber(c.init + 1)
	}
	return lua.LString(m.src[c.init : c.init+c.len])
}

// pushCaptures pushes the captures of the match src[s:e] (the whole match
// when the pattern has none and whole is true) and returns their count.
func (m *matcher) pushCaptures(s, e int, whole bool) int {
	n := m.level
	if n == 0 && whole {
		n = 1
	}
	for i := 0; i < n; i++ {
		m.L.Push(m.captureValue(i, s, e))
	}
	return n
}

// startIndex is C Lua 5.1's initial position of find and match: negative
// counts from the end, clamped to [0, len].
func startIndex(init, n int) int {
	if init < 0 {
		init = n + init + 1
	}
	init--
	if init < 0 {
		return 0
	}
	if init > n {
		return n
	}
	return init
}

func strFindAux(L *lua.LState, find bool) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	init := startIndex(L.OptInt(3, 1), len(src))
	if find && (L.ToBool(4) || !strings.ContainsAny(pat, patSpecials)) {
		if i := strings.Index(src[init:], pat); i >= 0 {
			L.Push(lua.LNumber(init + i + 1))
			L.Push(lua.LNumber(init + i + len(pat)))
			return 2
		}
		L.Push(lua.LNil)
		return 1
	}
	m := &matcher{L: L, src: src, pat: pat}
	anchor := strings.HasPrefix(pat, "^")
	p := 0
	if anchor {
		p = 1
	}
	for s := init; ; s++ {
		m.level = 0
		if e := m.match(s, p); e >= 0 {
			if find {
				L.Push(lua.LNumber(s + 1))
				L.Push(lua.LNumber(e))
				return m.pushCaptures(-1, -1, false) + 2
			}
			return m.pushCaptures(s, e, true)
		}
		if anchor || s >= len(src) {
			break
		}
	}
	L.Push(lua.LNil)
	return 1
}

func strFind(L *lua.LState) int  { return strFindAux(L, true) }
func strMatch(L *lua.LState) int { return strFindAux(L, false) }

func strGmatch(L *lua.LState) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		m := &matcher{L: L, src: src, pat: pat}
		for s := pos; s <= len(src); s++ {
			m.level = 0
			if e := m.match(s, 0); e >= 0 {
				pos = e
				if e == s {
					pos++
				}
				return m.pushCaptures(s, e, true)
			}
		}
		pos = len(src) + 1
		return 0
	}))
	return 1
}

func (lb *lib) gsub(L *lua.LState) int {
	src := L.CheckString(1)
	pat := L.CheckString(2)
	repl := L.Get(3)
	switch repl.Type() {
	case lua.LTNumber, lua.LTString, lua.LTTable, lua.LTFunction:
	default:
		L.ArgError(3, "string/function/table expected")
	}
	maxN := L.OptInt(4, len(src)+1)
	anchor := strings.HasPrefix(pat, "^")
	p := 0
	if anchor {
		p = 1
	}
	m := &matcher{L: L, src: src, pat: pat}
	var b strings.Builder
	n := 0
	s := 0
	for n < maxN {
		m.level = 0
		e := m.match(s, p)
		if e >= 0 {
			n++
			m.addValue(&b, s, e, repl)
			lb.checkSize(L, b.Len())
		}
		if e >= 0 && e > s {
			s = e
		} else if s < len(src) {
			b.WriteByte(src[s])
			s++
		} else {
			break
		}
		if anchor {
			break
		}
	}
	b.WriteString(src[s:])
	lb.alloc(L, b.Len())
	L.Push(lua.LString(b.String()))
	L.Push(lua.LNumber(n))
	return 2
}

// addValue appends the replacement of the match src[s:e].
func (m *matcher) addValue(b *strings.Builder, s, e int, repl lua.LValue) {
	L := m.L
	var v lua.LValue
	switch r := repl.(type) {
	case lua.LString, lua.LNumber:
		rs, _ := ToString(r)
		for i := 0; i < len(rs); i++ {
			c := rs[i]
			if c != '%' {
				b.WriteByte(c)
				continue
			}
			if i+1 >= len(rs) {
				b.WriteByte(0) // C Lua reads the string's terminating NUL
				continue
			}
			i++
			d := rs[i]
			switch {
			case d < '0' || d > '9':
				b.WriteByte(d)
			case d == '0':
				b.WriteString(m.src[s:e])
			default:
				cv, _ := ToString(m.captureValue(int(d-'1'), s, e))
				b.WriteString(cv)
			}
		}
		return
	case *lua.LTable:
		v = L.GetTable(r, m.captureValue(0, s, e))
	case *lua.LFunction:
		L.Push(r)
		n := m.pushCaptures(s, e, true)
		L.Call(n, 1)
		v = L.Get(-1)
		L.Pop(1)
	}
	if v == lua.LNil || v == lua.LFalse {
		b.WriteString(m.src[s:e])
		return
	}
	str, ok := ToString(v)
	if !ok {
		L.RaiseError("invalid replacement value (a %s)", v.Type().String())
	}
	b.WriteString(str)
}
