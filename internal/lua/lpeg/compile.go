package lpeg

import (
	lua "github.com/yuin/gopher-lua"
)

// opcode is an instruction of the matching machine.
type opcode uint8

const (
	opAny           opcode = iota // consume one byte or fail
	opChar                        // consume byte aux or fail
	opSet                         // consume a byte of sets[idx] or fail
	opTestAny                     // jump to off when no byte is left
	opTestChar                    // jump to off unless the next byte is aux
	opTestSet                     // jump to off unless the next byte is in sets[idx]
	opSpan                        // consume all bytes of sets[idx]
	opBehind                      // move back off bytes or fail
	opRet                         // return from a call
	opEnd                         // the match succeeded
	opChoice                      // push a backtrack entry to off
	opJmp                         // go to off
	opCall                        // push a return entry, go to off
	opCommit                      // pop an entry, go to off
	opPartialCommit               // update the top entry to here, go to off
	opBackCommit                  // pop an entry, restore its position, go to off
	opFailTwice                   // pop an entry and fail
	opFail                        // fail
	opFullCapture                 // capture of kind aux over the last off bytes
	opOpenCapture                 // open a capture of kind aux
	opCloseCapture                // close the last open capture
	opCloseRunTime                // close a match-time capture and call its function
	opString                      // consume the bytes strs[idx] or fail
	opAnyN                        // consume off bytes or fail
)

// inst is one instruction.
type inst struct {
	op  opcode
	aux uint8 // byte or capture kind
	off int32 // jump target, capture length or look-behind length
	idx int32 // index in sets or vals, or the number of a capture
}

// program is a compiled pattern.
type program struct {
	code []inst
	sets []byteTable
	strs []string
	vals []lua.LValue
}

// compiler turns a tree into a program.
type compiler struct {
	prog    program
	pending []int // opCall instructions to bind to their rule's address
	setIdx  map[charset]int32
}

// compile compiles a closed tree (one with no open calls).
func compile(t *node) (*program, error) {
	if t.open {
		return nil, errorf("rule '%s' used outside a grammar", nameString(firstOpenCall(t).val))
	}
	// The size check comes first: the analyses the compiler runs on
	// subtrees walk shared subtrees once per use.
	if treeSize(t) > maxTreeSize {
		return nil, errTooBig()
	}
	c := &compiler{setIdx: map[charset]int32{}}
	if err := c.genAll(t); err != nil {
		return nil, err
	}
	return &c.prog, nil
}

// tooBig is the panic of emit when the program outgrows maxTreeSize
// instructions (a tree that shares subtrees can expand exponentially),
// recovered by genAll.
type tooBig struct{}

func (c *compiler) genAll(t *node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(tooBig); !ok {
				panic(r)
			}
			err = errTooBig()
		}
	}()
	c.gen(t, &fullSet)
	c.emit(inst{op: opEnd})
	return nil
}

func firstOpenCall(t *node) *node {
	for t.tag != tOpenCall {
		if t.p1 != nil && t.p1.open {
			t = t.p1
		} else {
			t = t.p2
		}
	}
	return t
}

func (c *compiler) emit(i inst) int {
	if len(c.prog.code) >= maxTreeSize {
		panic(tooBig{})
	}
	c.prog.code = append(c.prog.code, i)
	return len(c.prog.code) - 1
}

func (c *compiler) here() int32 { return int32(len(c.prog.code)) }

// target sets the jump target of instruction at to the next instruction.
func (c *compiler) target(at int) { c.prog.code[at].off = c.here() }

func (c *compiler) set(cs *charset) int32 {
	if i, ok := c.setIdx[*cs]; ok {
		return i
	}
	c.prog.sets = append(c.prog.sets, cs.table())
	i := int32(len(c.prog.sets) - 1)
	c.setIdx[*cs] = i
	return i
}

func (c *compiler) value(v lua.LValue) int32 {
	c.prog.vals = append(c.prog.vals, v)
	return int32(len(c.prog.vals) - 1)
}

// gen emits the code of t. follow is the set of bytes that may come
// after t (fullSet when unknown), for the head-fail optimization.
func (c *compiler) gen(t *node, follow *charset) {
	switch t.tag {
	case tChar:
		c.emit(inst{op: opChar, aux: t.ch})
	case tString:
		c.prog.strs = append(c.prog.strs, t.str)
		c.emit(inst{op: opString, idx: int32(len(c.prog.strs) - 1)})
	case tAnyN:
		c.emit(inst{op: opAnyN, off: int32(t.n)})
	case tSet:
		switch k, ch := t.cs.single(); k {
		case 0:
			c.emit(inst{op: opFail})
		case 1:
			c.emit(inst{op: opChar, aux: ch})
		case 256:
			c.emit(inst{op: opAny})
		default:
			c.emit(inst{op: opSet, idx: c.set(t.cs)})
		}
	case tAny:
		c.emit(inst{op: opAny})
	case tTrue:
	case tFalse:
		c.emit(inst{op: opFail})
	case tSeq:
		if needFollow(t.p1) {
			fl, _ := first(t.p2, follow)
			c.gen(t.p1, &fl)
		} else {
			c.gen(t.p1, &fullSet)
		}
		c.gen(t.p2, follow)
	case tChoice:
		c.genChoice(t.p1, t.p2, follow)
	case tRep:
		c.genRep(t.p1, follow)
	case tNot:
		c.genNot(t.p1)
	case tAnd:
		if n := fixedLen(t.p1); n >= 0 && n <= maxBehind && !hasCaptures(t.p1) {
			c.gen(t.p1, &fullSet)
			if n > 0 {
				c.emit(inst{op: opBehind, off: int32(n)})
			}
			return
		}
		ch := c.emit(inst{op: opChoice})
		c.gen(t.p1, &fullSet)
		bc := c.emit(inst{op: opBackCommit})
		c.target(ch)
		c.emit(inst{op: opFail})
		c.target(bc)
	case tBehind:
		if t.n > 0 {
			c.emit(inst{op: opBehind, off: int32(t.n)})
		}
		c.gen(t.p1, &fullSet)
	case tCapture:
		c.genCapture(t, follow)
	case tRunTime:
		c.emit(inst{op: opOpenCapture, aux: uint8(cGroup), idx: c.value(t.val)})
		c.gen(t.p1, &fullSet)
		c.emit(inst{op: opCloseRunTime})
	case tGrammar:
		c.genGrammar(t)
	case tCall:
		c.pending = append(c.pending, c.emit(inst{op: opCall, idx: int32(t.n)}))
	case tRule:
		c.gen(t.p1, follow)
	}
}

// genTest emits a jump (to be targeted) taken when the next byte is not
// in cs (or there is none).
func (c *compiler) genTest(cs *charset) int {
	switch k, ch := cs.single(); k {
	case 0:
		return c.emit(inst{op: opJmp})
	case 1:
		return c.emit(inst{op: opTestChar, aux: ch})
	case 256:
		return c.emit(inst{op: opTestAny})
	}
	return c.emit(inst{op: opTestSet, idx: c.set(cs)})
}

// genChoice emits p1 / p2. When p1 can fail only on its first byte, or
// when the bytes p1 and p2 may start with are disjoint, a test sends
// every other byte to p2 and no backtrack entry is needed; otherwise a
// test (when p1 needs a byte) still skips p1 on the wrong byte.
func (c *compiler) genChoice(p1, p2 *node, follow *charset) {
	s1, e1 := first(p1, &fullSet)
	disjoint := false
	if e1 == 0 && !headFail(p1) {
		s2, _ := first(p2, follow)
		disjoint = s1.disjoint(&s2)
	}
	if headFail(p1) || disjoint {
		test := c.genTest(&s1)
		c.gen(p1, follow)
		jmp := -1
		if p2.tag != tTrue {
			jmp = c.emit(inst{op: opJmp})
		}
		c.target(test)
		c.gen(p2, follow)
		if jmp >= 0 {
			c.target(jmp)
		}
		return
	}
	test := c.testIf(&s1, e1)
	ch := c.emit(inst{op: opChoice})
	c.gen(p1, &fullSet)
	cm := c.emit(inst{op: opCommit})
	c.targets(ch, test)
	c.gen(p2, follow)
	c.target(cm)
}

// testIf emits the test of fs when first's flags e allow one, and
// returns it (-1 when there is none).
func (c *compiler) testIf(fs *charset, e int) int {
	if e != 0 {
		return -1
	}
	return c.genTest(fs)
}

// targets sets the jump target of each instruction given (-1: none) to
// the next instruction.
func (c *compiler) targets(at ...int) {
	for _, i := range at {
		if i >= 0 {
			c.target(i)
		}
	}
}

// genRep emits p*: a span for a set. When p can fail only on its first
// byte, or the bytes it starts with cannot follow the loop, a test ends
// the loop and no backtrack entry is needed.
func (c *compiler) genRep(p *node, follow *charset) {
	if cs, ok := toSet(p); ok {
		c.emit(inst{op: opSpan, idx: c.set(cs)})
		return
	}
	fs, e := first(p, &fullSet)
	if headFail(p) || (e == 0 && fs.disjoint(follow)) {
		loop := c.here()
		test := c.genTest(&fs)
		c.gen(p, &fullSet)
		c.emit(inst{op: opJmp, off: loop})
		c.target(test)
		return
	}
	test := c.testIf(&fs, e)
	ch := c.emit(inst{op: opChoice})
	body := c.here()
	c.gen(p, &fullSet)
	c.emit(inst{op: opPartialCommit, off: body})
	c.targets(ch, test)
}

// genNot emits !p: a test of p's first bytes (on any other byte !p
// succeeds), then, unless p can fail only on that byte, p itself.
func (c *compiler) genNot(p *node) {
	fs, e := first(p, &fullSet)
	test := c.testIf(&fs, e)
	if headFail(p) {
		c.emit(inst{op: opFail})
	} else {
		ch := c.emit(inst{op: opChoice})
		c.gen(p, &fullSet)
		c.emit(inst{op: opFailTwice})
		c.target(ch)
	}
	c.targets(test)
}

func (c *compiler) genCapture(t *node, follow *charset) {
	idx := int32(-1)
	switch t.kind {
	case cNum, cArg:
		idx = int32(t.n)
	case cGroup:
		if t.hasv {
			idx = c.value(t.val)
		}
	default:
		if t.val != nil {
			idx = c.value(t.val)
		}
	}
	if n := fixedLen(t.p1); n >= 0 && !hasCaptures(t.p1) {
		c.gen(t.p1, follow)
		c.emit(inst{op: opFullCapture, aux: uint8(t.kind), off: int32(n), idx: idx})
		return
	}
	c.emit(inst{op: opOpenCapture, aux: uint8(t.kind), idx: idx})
	c.gen(t.p1, follow)
	c.emit(inst{op: opCloseCapture})
}

// finalTarget is where the instruction at i leads once jumps are
// followed.
func (c *compiler) finalTarget(i int) int {
	for n := 0; c.prog.code[i].op == opJmp && n < len(c.prog.code); n++ {
		i = int(c.prog.code[i].off)
	}
	return i
}

func (c *compiler) genGrammar(g *node) {
	mark := len(c.pending)
	call := c.emit(inst{op: opCall})
	jmp := c.emit(inst{op: opJmp})
	c.prog.code[call].off = c.here()
	addr := make([]int32, len(g.rule))
	for i, r := range g.rule {
		addr[i] = c.here()
		c.gen(r.p1, &fullSet)
		c.emit(inst{op: opRet})
	}
	c.target(jmp)
	for _, at := range c.pending[mark:] {
		in := &c.prog.code[at]
		in.off = addr[in.idx]
		if c.prog.code[c.finalTarget(at+1)].op == opRet { // a tail call
			in.op = opJmp
		}
	}
	c.pending = c.pending[:mark]
}
