package lpeg

import (
	lua "github.com/yuin/gopher-lua"
)

// tag is the kind of a pattern tree node.
type tag uint8

const (
	tChar     tag = iota // one given byte (ch)
	tSet                 // one byte of a set (cs)
	tAny                 // any one byte
	tTrue                // always succeeds, consumes nothing
	tFalse               // always fails
	tRep                 // p1 zero or more times
	tSeq                 // p1 then p2
	tChoice              // p1, else p2
	tNot                 // p1 must fail (consumes nothing)
	tAnd                 // p1 must match (consumes nothing)
	tCall                // call of rule (rule), inside a grammar
	tOpenCall            // V(val): a rule not yet bound to a grammar
	tRule                // a grammar rule: body p1, name val, index n
	tGrammar             // rules; the first is the start rule
	tBehind              // p1 must match just before the current position (n bytes)
	tCapture             // capture kind over p1
	tRunTime             // match-time capture (Cmt) of p1 with function val
	tString              // the bytes of str (two or more)
	tAnyN                // any n bytes (n >= 2)
)

// capKind is the kind of a capture.
type capKind uint8

const (
	cClose    capKind = iota // the end of an open capture
	cPosition                // Cp
	cConst                   // Cc (one value)
	cBackref                 // Cb
	cArg                     // Carg
	cSimple                  // C
	cTable                   // Ct
	cFunction                // p / function
	cQuery                   // p / table
	cString                  // p / string
	cNum                     // p / number
	cSubst                   // Cs
	cFold                    // Cf
	cRuntime                 // a value produced by a match-time capture
	cGroup                   // Cg (named when it has a value)
)

// node is a pattern tree node. Trees are immutable once built, so that
// patterns can share subtrees; grammars copy what they need to bind.
type node struct {
	tag  tag
	kind capKind // tCapture
	ch   byte    // tChar
	str  string  // tString
	open bool    // the tree holds a tOpenCall
	n    int     // tBehind: length; tRule: index; tCapture: number (cNum, cArg)
	cs   *charset
	val  lua.LValue // capture value, group name, rule name, Cmt function
	p1   *node
	p2   *node   // second operand; tCall: the tRule called
	rule []*node // tGrammar: the rules (tRule nodes)
	hasv bool    // tCapture cGroup: val is a name (named group)
	size int32   // treeSize, once computed (0: not yet)
}

// The shared leaves. Their size is set here so that treeSize never
// writes them: LStates on other goroutines use them too.
var (
	nodeTrue  = &node{tag: tTrue, size: 1}
	nodeFalse = &node{tag: tFalse, size: 1}
	nodeAny   = &node{tag: tAny, size: 1}
)

func newChar(c byte) *node { return &node{tag: tChar, ch: c} }

// newSet is a one-byte pattern of a set. Like LPeg it stays a set node
// even when the set is empty, one byte or all of them (the compiler emits
// fail, char or any for those): an empty set has length 1 for B, where
// false has length 0.
func newSet(cs *charset) *node { return &node{tag: tSet, cs: cs} }

func newNode1(t tag, p *node) *node { return &node{tag: t, p1: p, open: p.open} }

func newNode2(t tag, p1, p2 *node) *node {
	return &node{tag: t, p1: p1, p2: p2, open: p1.open || p2.open}
}

// newString is the sequence of the bytes of s (true for ""): one node
// however long s is (LPeg builds a sequence of bytes; the two behave
// the same).
func newString(s string) *node {
	switch len(s) {
	case 0:
		return nodeTrue
	case 1:
		return newChar(s[0])
	}
	return &node{tag: tString, str: s}
}

// maxAnyN bounds P(n): the machine counts bytes in 32 bits.
const maxAnyN = 1 << 30

// newAnyN matches n bytes (n >= 0), or, for n < 0, succeeds only when
// fewer than -n bytes remain.
func newAnyN(n int) *node {
	neg := n < 0
	if neg {
		n = -n
	}
	var t *node
	switch n {
	case 0:
		t = nodeTrue
	case 1:
		t = nodeAny
	default:
		t = &node{tag: tAnyN, n: n}
	}
	if neg {
		return newNode1(tNot, t)
	}
	return t
}

// toSet returns the set a one-byte pattern matches.
func toSet(t *node) (*charset, bool) {
	switch t.tag {
	case tSet:
		return t.cs, true
	case tChar:
		var cs charset
		cs.add(t.ch)
		return &cs, true
	case tAny:
		full := fullSet // a copy: fullSet is never written
		return &full, true
	}
	return nil, false
}

// seq is p1 * p2.
func seq(p1, p2 *node) *node {
	switch {
	case p1.tag == tFalse || p2.tag == tTrue:
		return p1
	case p1.tag == tTrue:
		return p2
	}
	return newNode2(tSeq, p1, p2)
}

// bothSets returns the sets of two one-byte patterns.
func bothSets(p1, p2 *node) (s1, s2 *charset, ok bool) {
	if s1, ok = toSet(p1); ok {
		s2, ok = toSet(p2)
	}
	return s1, s2, ok
}

// choice is p1 + p2.
func choice(p1, p2 *node) *node {
	if s1, s2, ok := bothSets(p1, p2); ok {
		return newSet(s1.union(s2))
	}
	switch {
	case nofail(p1) || p2.tag == tFalse:
		return p1
	case p1.tag == tFalse:
		return p2
	}
	return newNode2(tChoice, p1, p2)
}

// difference is p1 - p2.
func difference(p1, p2 *node) *node {
	if s1, s2, ok := bothSets(p1, p2); ok {
		return newSet(s1.minus(s2))
	}
	return seq(newNode1(tNot, p2), p1)
}

// repeat is p^n: at least n repetitions for n >= 0, at most -n for n < 0.
func repeat(p *node, n int) (*node, error) {
	// p^n copies p n times in the code; the common p^0, p^1 and p^-1
	// are left to compile's size check.
	if m := max(n, -n); m > 1 && (treeSize(p)+3) > maxTreeSize/m {
		return nil, errTooBig()
	}
	if n >= 0 {
		if nullable(p) {
			return nil, errorf("loop body may accept empty string")
		}
		t := newNode1(tRep, p)
		for ; n > 0; n-- {
			t = newNode2(tSeq, p, t)
		}
		return t, nil
	}
	t := newNode2(tChoice, p, nodeTrue)
	for n++; n < 0; n++ {
		t = newNode2(tChoice, newNode2(tSeq, p, t), nodeTrue)
	}
	return t, nil
}

// newCapture wraps p in a capture of the given kind.
func newCapture(k capKind, p *node, v lua.LValue) *node {
	return &node{tag: tCapture, kind: k, p1: p, val: v, open: p.open}
}

// behind is B(p).
func behind(p *node) (*node, error) {
	n := fixedLen(p)
	switch {
	case n < 0:
		return nil, argErrorf(1, "B", "pattern may not have fixed length")
	case hasCaptures(p):
		return nil, argErrorf(1, "B", "pattern have captures")
	case n > maxBehind:
		return nil, argErrorf(1, "B", "pattern too long to look behind")
	}
	t := newNode1(tBehind, p)
	t.n = n
	return t, nil
}

// maxBehind is the longest pattern B accepts.
const maxBehind = 255
