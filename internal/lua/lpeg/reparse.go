package lpeg

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// reParser compiles re's syntax into a pattern tree, as re.lua's
// grammar does (same precedence, same errors).
type reParser struct {
	mod       *module
	L         *lua.LState
	src       string
	pos       int
	defs      lua.LValue
	inGrammar bool
	// errs are the errors found while parsing that re.lua raises only
	// when it evaluates its captures, after the whole pattern parsed:
	// the first is raised at the end, unless the part of the pattern
	// that caused it is given up by backtracking.
	errs []error
}

// parseRe compiles src with the definitions defs (a table or nil).
func (mod *module) parseRe(L *lua.LState, src string, defs lua.LValue) *node {
	p := &reParser{mod: mod, L: L, src: src, defs: defs}
	p.space()
	t := p.exp()
	if p.pos < len(src) {
		p.syntaxError()
	}
	if len(p.errs) > 0 {
		raise(L, p.errs[0])
	}
	return t
}

// fail records an error raised when the pattern is complete.
func (p *reParser) fail(err error) { p.errs = append(p.errs, err) }

// backtrack returns to position pos, forgetting the errors found after
// mark.
func (p *reParser) backtrack(pos, mark int) {
	p.pos = pos
	p.errs = p.errs[:mark]
}

// syntaxError is re.lua's patt_error at the current position.
func (p *reParser) syntaxError() {
	rest := p.src[p.pos:]
	if len(rest) > 20 { // re.lua: 21 bytes and "..." from 21 on
		rest = rest[:21] + "..."
	}
	raise(p.L, errorf("pattern error near '%s'", rest))
}

func (p *reParser) peek(s string) bool {
	return len(p.src)-p.pos >= len(s) && p.src[p.pos:p.pos+len(s)] == s
}

func (p *reParser) accept(s string) bool {
	if p.peek(s) {
		p.pos += len(s)
		return true
	}
	return false
}

// space skips white space and comments ("--" to the end of the line).
func (p *reParser) space() {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == ' ' || (c >= '\t' && c <= '\r'):
			p.pos++
		case p.peek("--"):
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func isNameStart(c byte) bool { return isAlpha(c) || c == '_' }

// name reads a name, or returns "" (consuming nothing).
func (p *reParser) name() string {
	i := p.pos
	if i >= len(p.src) || !isNameStart(p.src[i]) {
		return ""
	}
	for i++; i < len(p.src) && (isNameStart(p.src[i]) || isDigit(p.src[i])); i++ {
	}
	n := p.src[p.pos:i]
	p.pos = i
	return n
}

// arrowAhead reports whether S "<-" follows (consuming nothing).
func (p *reParser) arrowAhead() bool {
	save := p.pos
	p.space()
	ok := p.peek("<-")
	p.pos = save
	return ok
}

// definitionAhead reports whether a rule definition (name <-) starts here.
func (p *reParser) definitionAhead() bool {
	save := p.pos
	ok := p.name() != "" && p.arrowAhead()
	p.pos = save
	return ok
}

// exp is S (grammar / alternative); the leading S is already skipped by
// the callers that need it.
func (p *reParser) exp() *node {
	p.space()
	if p.definitionAhead() {
		return p.grammar()
	}
	t := p.seq()
	for p.accept("/") {
		p.space()
		t = choice(t, p.seq())
	}
	return t
}

func (p *reParser) grammar() *node {
	save := p.inGrammar
	p.inGrammar = true
	var defs []ruleDef
	seen := map[string]bool{}
	for p.definitionAhead() {
		n := p.name()
		p.space()
		p.accept("<-")
		body := p.exp()
		if seen[n] {
			p.fail(errorf("'%s' already defined as a rule", n))
		}
		seen[n] = true
		defs = append(defs, ruleDef{name: lua.LString(n), body: body})
	}
	p.inGrammar = save
	g, err := newGrammar(defs)
	if err != nil {
		p.fail(err)
		return nodeTrue
	}
	return g
}

// seq is prefix*, which must be followed by what may follow a sequence.
func (p *reParser) seq() *node {
	t := nodeTrue
	for {
		q, ok := p.prefix()
		if !ok {
			break
		}
		t = seq(t, q)
	}
	if !p.seqFollows() {
		p.syntaxError()
	}
	return t
}

func (p *reParser) seqFollows() bool {
	if p.pos >= len(p.src) {
		return true
	}
	for _, s := range []string{"/", ")", "}", ":}", "~}", "|}"} {
		if p.peek(s) {
			return true
		}
	}
	return p.definitionAhead()
}

func (p *reParser) prefix() (*node, bool) {
	save, mark := p.pos, len(p.errs)
	op := tAnd
	switch {
	case p.accept("&"):
	case p.accept("!"):
		op = tNot
	default:
		return p.suffix()
	}
	p.space()
	q, ok := p.prefix()
	if !ok {
		p.backtrack(save, mark)
		return nil, false
	}
	return newNode1(op, q), true
}

func (p *reParser) suffix() (*node, bool) {
	t, ok := p.primary()
	if !ok {
		return nil, false
	}
	p.space()
	for {
		save, mark := p.pos, len(p.errs)
		var ok bool
		switch {
		case p.accept("+"):
			t, ok = p.rep(t, 1), true
		case p.accept("*"):
			t, ok = p.rep(t, 0), true
		case p.accept("?"):
			t, ok = p.rep(t, -1), true
		case p.accept("^"):
			t, ok = p.power(t)
		case p.accept("->"):
			p.space()
			t, ok = p.arrowCapture(t)
		case p.accept("=>"):
			p.space()
			if f, named := p.defFunc("Cmt"); named {
				if f != nil {
					t = &node{tag: tRunTime, p1: t, val: f, open: t.open}
				}
				ok = true
			}
		case p.accept("~>"):
			p.space()
			if f, named := p.defFunc("Cf"); named {
				if f != nil {
					t = newCapture(cFold, t, f)
				}
				ok = true
			}
		}
		if !ok {
			p.backtrack(save, mark)
			return t, true
		}
		p.space()
	}
}

func (p *reParser) rep(t *node, n int) *node {
	r, err := repeat(t, n)
	if err != nil {
		p.fail(err)
		return t
	}
	return r
}

func (p *reParser) digits() string {
	i := p.pos
	for i < len(p.src) && isDigit(p.src[i]) {
		i++
	}
	d := p.src[p.pos:i]
	p.pos = i
	return d
}

// power is the suffix after '^': n (exactly n), +n (at least) or -n (at
// most).
func (p *reParser) power(t *node) (*node, bool) {
	if p.peek("+") || p.peek("-") {
		sign := p.src[p.pos]
		p.pos++
		d := p.digits()
		if d == "" {
			return t, false
		}
		n, _ := strconv.Atoi(d)
		if sign == '-' {
			n = -n
		}
		return p.rep(t, n), true
	}
	d := p.digits()
	if d == "" {
		return t, false
	}
	p.space()
	n, _ := strconv.Atoi(d)
	r := nodeTrue
	for ; n >= 1; n /= 2 {
		if n%2 == 1 {
			r = seq(r, t)
		}
		t = seq(t, t)
	}
	return r, true
}

// arrowCapture is the suffix after '->': a string, a number, {} or a
// defined name.
func (p *reParser) arrowCapture(t *node) (*node, bool) {
	if s, ok := p.str(); ok {
		return newCapture(cString, t, lua.LString(s)), true
	}
	if d := p.digits(); d != "" {
		p.space()
		n, _ := strconv.Atoi(d)
		c := newCapture(cNum, t, nil)
		c.n = n
		return c, true
	}
	if p.accept("{}") {
		return newCapture(cTable, t, nil), true
	}
	n := p.name()
	if n == "" {
		return t, false
	}
	switch v := p.def(n).(type) {
	case *lua.LNilType:
		return t, true
	case lua.LString:
		return newCapture(cString, t, v), true
	case lua.LNumber:
		c := newCapture(cNum, t, nil)
		c.n = int(v)
		return c, true
	case *lua.LTable:
		return newCapture(cQuery, t, v), true
	case *lua.LFunction:
		return newCapture(cFunction, t, v), true
	}
	p.fail(argErrorf(2, "?", "invalid replacement value"))
	return t, true
}

// defFunc reads a name whose definition must be a function (for => and
// ~>). named is false when no name follows; f is nil when the name is
// not defined as a function (the error is recorded).
func (p *reParser) defFunc(fn string) (f *lua.LFunction, named bool) {
	n := p.name()
	if n == "" {
		return nil, false
	}
	v := p.def(n)
	if v == lua.LNil {
		return nil, true
	}
	f, ok := v.(*lua.LFunction)
	if !ok {
		p.fail(argErrorf(2, fn, "function expected, got %s", v.Type().String()))
	}
	return f, true
}

// def is the definition of name in the defs table ("undefined name").
func (p *reParser) def(name string) lua.LValue {
	var v lua.LValue = lua.LNil
	if p.defs != lua.LNil {
		v = p.L.GetField(p.defs, name)
	}
	if !lua.LVAsBool(v) {
		p.fail(errorf("undefined name: %s", name))
		return lua.LNil
	}
	return v
}

// str reads a quoted string ('...' or "...", no escapes).
func (p *reParser) str() (string, bool) {
	if p.pos >= len(p.src) || (p.src[p.pos] != '\'' && p.src[p.pos] != '"') {
		return "", false
	}
	q := p.src[p.pos]
	for i := p.pos + 1; i < len(p.src); i++ {
		if p.src[i] == q {
			s := p.src[p.pos+1 : i]
			p.pos = i + 1
			return s, true
		}
	}
	return "", false
}

// defined reads %name: a definition of defs or a predefined class.
func (p *reParser) defined() (*node, bool) {
	save := p.pos
	if !p.accept("%") {
		return nil, false
	}
	n := p.name()
	if n == "" {
		p.pos = save
		return nil, false
	}
	var v lua.LValue = lua.LNil
	if p.defs != lua.LNil {
		v = p.L.GetField(p.defs, n)
	}
	if lua.LVAsBool(v) {
		return p.mod.value(p.L, v, 1), true
	}
	if t := predefined(n); t != nil {
		return t, true
	}
	p.fail(errorf("name '%s' undefined", n))
	return nodeTrue, true
}

// wrapped reads open exp close.
func (p *reParser) wrapped(open, close string) (*node, bool) {
	save, mark := p.pos, len(p.errs)
	if !p.accept(open) {
		return nil, false
	}
	t := p.exp()
	if !p.accept(close) {
		p.backtrack(save, mark)
		return nil, false
	}
	return t, true
}

func (p *reParser) primary() (*node, bool) {
	if t, ok := p.wrapped("(", ")"); ok {
		return t, true
	}
	if s, ok := p.str(); ok {
		return newString(s), true
	}
	if t, ok := p.class(); ok {
		return t, true
	}
	if t, ok := p.defined(); ok {
		return t, true
	}
	if t, ok := p.namedGroup(); ok {
		return t, true
	}
	save := p.pos
	if p.accept("=") {
		if n := p.name(); n != "" {
			return &node{tag: tRunTime, p1: newCapture(cBackref, nodeTrue, lua.LString(n)), val: p.mod.equalCap(p.L)}, true
		}
		p.pos = save
	}
	if p.accept("{}") {
		return newCapture(cPosition, nodeTrue, nil), true
	}
	for _, w := range []struct {
		open, close string
		kind        capKind
	}{{"{~", "~}", cSubst}, {"{|", "|}", cTable}, {"{", "}", cSimple}} {
		if t, ok := p.wrapped(w.open, w.close); ok {
			return newCapture(w.kind, t, nil), true
		}
	}
	if p.accept(".") {
		return nodeAny, true
	}
	return p.nonTerminal()
}

// namedGroup reads {: [name :] exp :}.
func (p *reParser) namedGroup() (*node, bool) {
	save, mark := p.pos, len(p.errs)
	if !p.accept("{:") {
		return nil, false
	}
	var name lua.LValue
	if n := p.name(); n != "" && p.accept(":") {
		name = lua.LString(n)
	} else {
		p.pos = save + 2
	}
	t := p.exp()
	if !p.accept(":}") {
		p.backtrack(save, mark)
		return nil, false
	}
	g := newCapture(cGroup, t, nil)
	if name != nil {
		g.val, g.hasv = name, true
	}
	return g, true
}

// nonTerminal reads name (not followed by <-) or <name>.
func (p *reParser) nonTerminal() (*node, bool) {
	save := p.pos
	n := p.name()
	if n != "" && p.arrowAhead() {
		p.pos = save
		return nil, false
	}
	if n == "" {
		if !p.accept("<") {
			return nil, false
		}
		if n = p.name(); n == "" || !p.accept(">") {
			p.pos = save
			return nil, false
		}
	}
	if !p.inGrammar {
		p.fail(errorf("rule '%s' used outside a grammar", n))
		return nodeTrue, true
	}
	return &node{tag: tOpenCall, val: lua.LString(n), open: true}, true
}

// class reads [ [^] item+ ].
func (p *reParser) class() (*node, bool) {
	save, mark := p.pos, len(p.errs)
	if !p.accept("[") {
		return nil, false
	}
	neg := p.accept("^")
	var t *node
	for first := true; ; first = false {
		if p.pos >= len(p.src) {
			p.backtrack(save, mark)
			return nil, false
		}
		if !first && p.peek("]") {
			break
		}
		it := p.item()
		if t == nil {
			t = it
		} else {
			t = choice(t, it)
		}
	}
	p.pos++
	if neg {
		t = difference(nodeAny, t)
	}
	return t, true
}

// item is one element of a class: %name, a range a-z or a byte.
func (p *reParser) item() *node {
	if t, ok := p.defined(); ok {
		return t
	}
	if p.pos+2 < len(p.src) && p.src[p.pos+1] == '-' && p.src[p.pos+2] != ']' {
		var cs charset
		for c := int(p.src[p.pos]); c <= int(p.src[p.pos+2]); c++ {
			cs.add(byte(c))
		}
		p.pos += 3
		return newSet(&cs)
	}
	p.pos++
	return newChar(p.src[p.pos-1])
}

// equalCap is the match-time function of =name: it matches the text
// the named group captured.
func (mod *module) equalCap(L *lua.LState) *lua.LFunction {
	if mod.eq == nil {
		mod.eq = L.NewFunction(func(L *lua.LState) int {
			s := L.CheckString(1)
			i := L.CheckInt(2)
			c, ok := L.Get(3).(lua.LString)
			if !ok {
				return 0
			}
			e := len(c) + i
			if i >= 1 && e-1 <= len(s) && s[i-1:e-1] == string(c) {
				L.Push(lua.LNumber(e))
				return 1
			}
			L.Push(lua.LNil)
			return 1
		})
	}
	return mod.eq
}
