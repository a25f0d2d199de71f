package lpeg

import (
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// lMatch is lpeg.match(p, subject [, init [, ...]]) and p:match(...).
func (mod *module) lMatch(L *lua.LState) int {
	prog := mod.compiled(L, 1)
	s := checkString(L, 2, "match")
	init := startPos(optInt(L, 3, "match", 1), len(s))
	m := &mod.m
	if m.busy { // a match inside a capture function of another match
		m = &machine{maxStack: mod.m.maxStack, maxFails: mod.m.maxFails}
	}
	m.busy = true
	defer func() { m.busy = false }()
	ev := &m.ev
	*ev = evaluator{L: L, subject: s, subjectV: L.Get(2), vals: prog.vals, out: ev.out[:0],
		maxOut: luaStackSlots - L.GetTop()}
	if _, ok := ev.subjectV.(lua.LString); !ok {
		ev.subjectV = lua.LString(s)
	}
	defer m.release()
	if top := L.GetTop(); top > 3 {
		for i := 4; i <= top; i++ {
			ev.args = append(ev.args, L.Get(i))
		}
	}
	end, err := m.run(prog, s, init)
	if err != nil {
		raise(L, err)
	}
	if end < 0 {
		L.Push(lua.LNil)
		return 1
	}
	ev.caps, ev.rt, ev.i = m.caps, m.rt, 0
	n := ev.all()
	if n == 0 {
		L.Push(lua.LNumber(end + 1))
		return 1
	}
	for _, v := range ev.out[:n] {
		L.Push(v)
	}
	clear(ev.out[:cap(ev.out)])
	return n
}

// maxKeep is the size beyond which the machine's buffers are not kept
// for the next match, so that one huge match does not pin its memory.
const maxKeep = 1 << 16

// release drops the buffers of a match that grew them past maxKeep and
// the Lua values the evaluator still refers to.
func (m *machine) release() {
	if cap(m.caps) > maxKeep {
		m.caps = nil
	}
	if cap(m.stack) > maxKeep {
		m.stack = nil
	}
	if cap(m.rt) > maxKeep {
		m.rt = nil
	}
	clear(m.rt[:cap(m.rt)])
	if cap(m.ev.out) > maxKeep {
		m.ev.out = nil
	}
	m.ev.args, m.ev.L, m.ev.subjectV, m.ev.vals = nil, nil, nil, nil
}

// startPos converts match's init argument (1-based, negative from the
// end) to a byte offset, as LPeg does.
func startPos(init, n int) int {
	if init > 0 {
		return min(init-1, n)
	}
	if -init <= n {
		return n + init
	}
	return 0
}

// runtime calls the function of the match-time capture whose open
// entry is m.caps[open], at subject position i, with the values of its
// nested captures. It returns the new position (-1 to fail) and the
// values the function returned after the position.
func (m *machine) runtime(open, i int, s string) (int, []lua.LValue, error) {
	ev := &m.ev
	ev.caps = append(m.caps, capture{s: i, kind: cClose, siz: 1})
	ev.rt = m.rt
	ev.i = open
	fn := ev.vals[ev.caps[open].idx]
	top := len(ev.out)
	n := ev.nested(false)
	L := ev.L
	base := L.GetTop()
	L.Push(fn)
	L.Push(ev.subjectV)
	L.Push(lua.LNumber(i + 1))
	for _, v := range ev.out[top : top+n] {
		L.Push(v)
	}
	ev.out = ev.out[:top]
	L.Call(n+2, lua.MultRet)
	nres := L.GetTop() - base
	defer L.SetTop(base)
	if nres == 0 {
		return -1, nil, nil
	}
	first := L.Get(base + 1)
	ni := i
	switch first := first.(type) {
	case lua.LBool:
		if !first {
			return -1, nil, nil
		}
	case *lua.LNilType:
		return -1, nil, nil
	default:
		f, _ := toInteger(first)
		ni = f - 1
		if ni < i || ni > len(s) {
			return -1, nil, errorf("invalid position returned by match-time capture")
		}
	}
	var vals []lua.LValue
	for k := 2; k <= nres; k++ {
		vals = append(vals, L.Get(base+k))
	}
	return ni, vals, nil
}

// parseNumber converts a numeric string as Lua does.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		n, err := strconv.ParseUint(s[2:], 16, 64)
		return float64(n), err
	}
	return strconv.ParseFloat(s, 64)
}
