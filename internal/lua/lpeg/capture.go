package lpeg

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// maxCapDepth bounds the nesting of captures being evaluated, as LPeg's
// MAXRECLEVEL.
const maxCapDepth = 200

// maxStrCaps is the number of captures a string capture ("%0".."%9")
// can refer to.
const maxStrCaps = 10

// evaluator turns the flat capture list of a match into Lua values,
// appended to out.
type evaluator struct {
	L       *lua.LState
	subject string
	// subjectV is the subject as a Lua value, for match-time captures.
	subjectV lua.LValue
	caps     []capture
	i        int // the capture being evaluated
	vals     []lua.LValue
	rt       []lua.LValue
	args     []lua.LValue // match's extra arguments, for Carg
	out      []lua.LValue
	depth    int
	// maxOut bounds the values out holds at once, as C Lua 5.1's stack
	// limit (8,000 slots, some taken by match's arguments) bounds C
	// LPeg's: more is "stack overflow (too many captures)".
	maxOut int
}

// luaStackSlots is C Lua 5.1's LUAI_MAXCSTACK less the slots C LPeg's
// match keeps for itself (measured: 7,991 values from a 2-argument call).
const luaStackSlots = 7993

// fail raises a Lua error with an LPeg message.
func (ev *evaluator) fail(format string, args ...any) {
	raise(ev.L, errorf(format, args...))
}

// all evaluates the captures from the current one to the end of the
// list and returns how many values they produced.
func (ev *evaluator) all() int {
	n := 0
	for ev.caps[ev.i].kind != cClose {
		n += ev.push()
	}
	return n
}

func (ev *evaluator) isFull() bool { return ev.caps[ev.i].siz != 0 }

// skip moves past the current capture and its nested captures.
func (ev *evaluator) skip() {
	if ev.isFull() {
		ev.i++
		return
	}
	n := 0
	for {
		ev.i++
		c := &ev.caps[ev.i]
		if c.kind == cClose {
			if n == 0 {
				ev.i++
				return
			}
			n--
		} else if c.siz == 0 {
			n++
		}
	}
}

// nested pushes the values of the captures nested in the current one;
// the whole match is added at the end when extra is set or when there
// are no other values.
func (ev *evaluator) nested(extra bool) int {
	c := ev.caps[ev.i]
	ev.i++
	if c.siz != 0 {
		ev.out = append(ev.out, lua.LString(ev.subject[c.s:c.s+int(c.siz)-1]))
		return 1
	}
	n := 0
	for ev.caps[ev.i].kind != cClose {
		n += ev.push()
	}
	if extra || n == 0 {
		ev.out = append(ev.out, lua.LString(ev.subject[c.s:ev.caps[ev.i].s]))
		n++
	}
	ev.i++
	return n
}

// first pushes only the first value of the nested captures.
func (ev *evaluator) first() lua.LValue {
	n := ev.nested(false)
	v := ev.out[len(ev.out)-n]
	ev.out = ev.out[:len(ev.out)-n]
	return v
}

// closeEnd is the end of the capture just evaluated (at index i-1).
func (ev *evaluator) closeEnd(i int) int {
	c := ev.caps[i]
	if c.kind == cClose {
		return c.s
	}
	return c.s + int(c.siz) - 1
}

// push evaluates the current capture, appends its values to out and
// returns their number.
func (ev *evaluator) push() int {
	if ev.depth++; ev.depth > maxCapDepth+1 { // LPeg checks the depth before counting the new level
		ev.fail("subcapture nesting too deep")
	}
	defer func() { ev.depth-- }()
	if len(ev.out) >= ev.maxOut {
		ev.fail("stack overflow (too many captures)")
	}
	c := ev.caps[ev.i]
	switch c.kind {
	case cPosition, cConst, cArg, cRuntime:
		ev.out = append(ev.out, ev.leaf(c))
		ev.i++
		return 1
	case cSimple:
		n := ev.nested(true)
		vs := ev.out[len(ev.out)-n:]
		whole := vs[n-1]
		copy(vs[1:], vs[:n-1])
		vs[0] = whole
		return n
	case cString, cSubst:
		var b strings.Builder
		if c.kind == cString {
			ev.stringCap(&b)
		} else {
			ev.substCap(&b)
		}
		ev.out = append(ev.out, lua.LString(b.String()))
		return 1
	case cGroup:
		if c.idx < 0 {
			return ev.nested(false)
		}
		ev.skip()
		return 0
	case cBackref:
		return ev.backref()
	case cTable:
		return ev.table()
	case cFunction:
		top := len(ev.out)
		n := ev.nested(false)
		return ev.call(ev.vals[c.idx], top, n, lua.MultRet)
	case cNum:
		if c.idx == 0 {
			ev.skip()
			return 0
		}
		n := ev.nested(false)
		if n < int(c.idx) {
			ev.fail("no capture '%d'", c.idx)
		}
		v := ev.out[len(ev.out)-n+int(c.idx)-1]
		ev.out = append(ev.out[:len(ev.out)-n], v)
		return 1
	case cQuery:
		key := ev.first()
		var v lua.LValue
		if t, ok := ev.vals[c.idx].(*lua.LTable); ok && t.Metatable == lua.LNil {
			v = t.RawGet(key)
		} else {
			v = ev.L.GetTable(ev.vals[c.idx], key)
		}
		if v == lua.LNil {
			return 0
		}
		ev.out = append(ev.out, v)
		return 1
	case cFold:
		return ev.fold()
	}
	ev.fail("invalid capture kind %d", c.kind)
	return 0
}

// leaf is the value of a capture that holds no other: a position, a
// constant, a match argument or a match-time capture's value.
func (ev *evaluator) leaf(c capture) lua.LValue {
	switch c.kind {
	case cPosition:
		return lua.LNumber(c.s + 1)
	case cConst:
		return ev.vals[c.idx]
	case cArg:
		if int(c.idx) > len(ev.args) {
			ev.fail("reference to absent extra argument #%d", c.idx)
		}
		return ev.args[c.idx-1]
	}
	return ev.rt[c.idx]
}

// call calls fn with the n values at out[top:] and replaces them with
// its results (all of them, or nret).
func (ev *evaluator) call(fn lua.LValue, top, n, nret int) int {
	L := ev.L
	base := L.GetTop()
	L.Push(fn)
	for _, v := range ev.out[top : top+n] {
		L.Push(v)
	}
	ev.out = ev.out[:top]
	L.Call(n, nret)
	res := L.GetTop() - base
	for k := 1; k <= res; k++ {
		ev.out = append(ev.out, L.Get(base+k))
	}
	L.SetTop(base)
	return res
}

func (ev *evaluator) table() int {
	if ev.isFull() {
		ev.i++
		ev.out = append(ev.out, ev.L.NewTable())
		return 1
	}
	ev.i++
	// Size the table first: a Lua table grown key by key costs several
	// allocations.
	start, named, items := ev.i, 0, 0
	for ev.caps[ev.i].kind != cClose {
		if c := ev.caps[ev.i]; c.kind == cGroup && c.idx >= 0 {
			named++
		} else {
			items++
		}
		ev.skip()
	}
	ev.i = start
	t := ev.L.CreateTable(items, named)
	n := 0
	for ev.caps[ev.i].kind != cClose {
		c := ev.caps[ev.i]
		if c.kind == cGroup && c.idx >= 0 {
			t.RawSet(ev.vals[c.idx], ev.first())
			continue
		}
		top := len(ev.out)
		k := ev.push()
		for j, v := range ev.out[top : top+k] {
			t.RawSetInt(n+j+1, v)
		}
		n += k
		ev.out = ev.out[:top]
	}
	ev.i++
	ev.out = append(ev.out, t)
	return 1
}

func (ev *evaluator) fold() int {
	c := ev.caps[ev.i]
	fn := ev.vals[c.idx]
	full := ev.isFull()
	ev.i++
	if full || ev.caps[ev.i].kind == cClose {
		ev.fail("no initial value for fold capture")
	}
	top := len(ev.out)
	n := ev.push()
	if n == 0 {
		ev.fail("no initial value for fold capture")
	}
	ev.out = ev.out[:top+1]
	for ev.caps[ev.i].kind != cClose {
		k := ev.push()
		ev.call(fn, top, k+1, 1)
	}
	ev.i++
	return 1
}

func (ev *evaluator) backref() int {
	at := ev.i
	name := ev.vals[ev.caps[at].idx]
	g := -1
	for i := at - 1; i >= 0; i-- {
		c := ev.caps[i]
		if c.kind == cClose {
			i = findOpen(ev.caps, i)
			c = ev.caps[i]
		} else if c.siz == 0 {
			continue
		}
		if c.kind == cGroup && c.idx >= 0 && sameValue(ev.vals[c.idx], name) {
			g = i
			break
		}
	}
	if g < 0 {
		ev.fail("back reference '%s' not found", refName(name))
	}
	ev.i = g
	n := ev.nested(false)
	ev.i = at + 1
	return n
}

// refName renders a back reference's name as lua_tostring would.
func refName(v lua.LValue) string {
	switch v.(type) {
	case lua.LString, lua.LNumber:
		return nameString(v)
	}
	return "(null)"
}

// sameValue is Lua's raw equality.
func sameValue(a, b lua.LValue) bool {
	return a == b
}

// strCap is one argument of a string capture: a piece of the subject,
// or a capture to evaluate.
type strCap struct {
	isString bool
	s, e     int
	capAt    int
}

// strCaps collects the current capture (as %0) and its nested captures
// (simple captures flattened in order) into cps; returns the new count.
func (ev *evaluator) strCaps(cps *[maxStrCaps]strCap, n int) int {
	k := n
	n++
	c := ev.caps[ev.i]
	cps[k] = strCap{isString: true, s: c.s}
	full := c.siz != 0
	ev.i++
	if !full {
		for ev.caps[ev.i].kind != cClose {
			switch {
			case n >= maxStrCaps:
				ev.skip()
			case ev.caps[ev.i].kind == cSimple:
				n = ev.strCaps(cps, n)
			default:
				cps[n] = strCap{capAt: ev.i}
				ev.skip()
				n++
			}
		}
		ev.i++
	}
	cps[k].e = ev.closeEnd(ev.i - 1)
	return n
}

func (ev *evaluator) stringCap(b *strings.Builder) {
	var cps [maxStrCaps]strCap
	fmtv := ev.vals[ev.caps[ev.i].idx]
	format := lua.LVAsString(fmtv)
	n := ev.strCaps(&cps, 0) - 1
	for i := 0; i < len(format); i++ {
		ch := format[i]
		if ch != '%' {
			b.WriteByte(ch)
			continue
		}
		i++
		if i >= len(format) { // C LPeg reads the string's terminator
			b.WriteByte(0)
			break
		}
		if format[i] < '0' || format[i] > '9' {
			b.WriteByte(format[i])
			continue
		}
		l := int(format[i] - '0')
		switch {
		case l > n:
			ev.fail("invalid capture index (%d)", l)
		case cps[l].isString:
			b.WriteString(ev.subject[cps[l].s:cps[l].e])
		default:
			save := ev.i
			ev.i = cps[l].capAt
			if !ev.addOneString(b, "capture") {
				ev.fail("no values in capture index %d", l)
			}
			ev.i = save
		}
	}
}

func (ev *evaluator) substCap(b *strings.Builder) {
	c := ev.caps[ev.i]
	curr := c.s
	if c.siz != 0 {
		b.WriteString(ev.subject[c.s : c.s+int(c.siz)-1])
		ev.i++
		return
	}
	ev.i++
	for ev.caps[ev.i].kind != cClose {
		next := ev.caps[ev.i].s
		b.WriteString(ev.subject[curr:next])
		if ev.addOneString(b, "replacement") {
			curr = ev.closeEnd(ev.i - 1)
		} else {
			curr = next
		}
	}
	b.WriteString(ev.subject[curr:ev.caps[ev.i].s])
	ev.i++
}

// addOneString adds the first value of the current capture to b and
// reports whether it had one.
func (ev *evaluator) addOneString(b *strings.Builder, what string) bool {
	switch ev.caps[ev.i].kind {
	case cString:
		ev.stringCap(b)
		return true
	case cSubst:
		ev.substCap(b)
		return true
	}
	top := len(ev.out)
	n := ev.push()
	if n == 0 {
		return false
	}
	v := ev.out[top]
	ev.out = ev.out[:top]
	switch v := v.(type) {
	case lua.LString:
		b.WriteString(string(v))
	case lua.LNumber:
		b.WriteString(numberString(float64(v)))
	default:
		ev.fail("invalid %s value (a %s)", what, v.Type().String())
	}
	return true
}
