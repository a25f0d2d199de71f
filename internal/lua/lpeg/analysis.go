package lpeg

// The properties of pattern trees that the constructors and the compiler
// need. A grammar has no left recursion once it is built, so nullable and
// nofail, which only look at what a pattern may do before consuming a
// byte, always end; fixedLen and hasCaptures follow calls and stop at
// rules they are already inside.

// nullable reports whether t may match the empty string (conservative:
// a pattern that can is always reported).
func nullable(t *node) bool { return emptyCheck(t, false) }

// nofail reports whether t can never fail (conservative: false when
// unsure).
func nofail(t *node) bool { return emptyCheck(t, true) }

func emptyCheck(t *node, noFail bool) bool {
	for {
		switch t.tag {
		case tChar, tSet, tAny, tFalse, tOpenCall, tString, tAnyN:
			return false
		case tRep, tTrue:
			return true
		case tNot, tBehind:
			return !noFail
		case tAnd:
			if !noFail {
				return true
			}
			t = t.p1
		case tRunTime:
			if noFail {
				return false
			}
			t = t.p1
		case tSeq:
			if !emptyCheck(t.p1, noFail) {
				return false
			}
			t = t.p2
		case tChoice:
			if emptyCheck(t.p2, noFail) {
				return true
			}
			t = t.p1
		case tCapture, tRule:
			t = t.p1
		case tGrammar:
			t = t.rule[0]
		case tCall:
			t = t.p2
		default:
			return false
		}
	}
}

// fixedLen is the number of bytes t always matches, or -1.
func fixedLen(t *node) int { return fixedLenIn(t, map[*node]bool{}) }

func fixedLenIn(t *node, inside map[*node]bool) int {
	switch t.tag {
	case tChar, tSet, tAny:
		return 1
	case tString:
		return len(t.str)
	case tAnyN:
		return t.n
	case tFalse, tTrue, tNot, tAnd, tBehind:
		return 0
	case tRep, tRunTime, tOpenCall:
		return -1
	case tCapture, tRule:
		return fixedLenIn(t.p1, inside)
	case tGrammar:
		return fixedLenIn(t.rule[0], inside)
	case tCall:
		if inside[t.p2] {
			return -1
		}
		inside[t.p2] = true
		n := fixedLenIn(t.p2, inside)
		delete(inside, t.p2)
		return n
	case tSeq:
		n1 := fixedLenIn(t.p1, inside)
		if n1 < 0 {
			return -1
		}
		n2 := fixedLenIn(t.p2, inside)
		if n2 < 0 {
			return -1
		}
		return n1 + n2
	case tChoice:
		n1 := fixedLenIn(t.p1, inside)
		if n1 < 0 || n1 != fixedLenIn(t.p2, inside) {
			return -1
		}
		return n1
	}
	return -1
}

// hasCaptures reports whether t holds a capture.
func hasCaptures(t *node) bool { return hasCapturesIn(t, map[*node]bool{}) }

func hasCapturesIn(t *node, inside map[*node]bool) bool {
	switch t.tag {
	case tCapture, tRunTime:
		return true
	case tCall:
		if inside[t.p2] {
			return false
		}
		inside[t.p2] = true
		return hasCapturesIn(t.p2, inside)
	case tGrammar:
		for _, r := range t.rule {
			if hasCapturesIn(r, inside) {
				return true
			}
		}
		return false
	}
	if t.p1 != nil && hasCapturesIn(t.p1, inside) {
		return true
	}
	return t.p2 != nil && t.tag != tCall && hasCapturesIn(t.p2, inside)
}

// maxTreeSize bounds the size of a pattern (counting a subtree used n
// times n times, as its compiled code does), so that a pattern such as
// P"x"^1e9, or one doubled by p*p many times, is an error instead of an
// exhausted memory. C LPeg fails on them with "not enough memory".
const maxTreeSize = 1 << 20

// treeSize is the number of nodes of t with shared subtrees counted each
// time they are used, saturating above maxTreeSize. Each node keeps its
// size once computed (trees never change), so the walk visits each
// distinct node once however often it is shared.
func treeSize(t *node) int {
	if t.size > 0 {
		return int(t.size)
	}
	n := 1
	switch t.tag {
	case tGrammar:
		for _, r := range t.rule {
			n += treeSize(r)
		}
	case tCall:
	default:
		if t.p1 != nil {
			n += treeSize(t.p1)
		}
		if t.p2 != nil {
			n += treeSize(t.p2)
		}
	}
	n = min(n, maxTreeSize+1)
	t.size = int32(n)
	return n
}

// errTooBig is the error of a pattern larger than maxTreeSize.
func errTooBig() error { return errorf("pattern too big") }

// The first-set analysis decides where the compiler puts tests that
// skip a choice's alternative, a loop or a not-predicate without trying
// it. Those decisions are observable (a skipped match-time capture is not
// called), so they follow C LPeg's rules exactly.

// Bits of first's second result.
const (
	firstEmpty   = 1 // the pattern may match without a next byte
	firstRunTime = 2 // a match-time capture may run outside the tested set
)

// maxFirstDepth bounds first's recursion through calls, which a grammar
// without left recursion never reaches.
const maxFirstDepth = 1000

// first returns the bytes t may start with when follow is what may
// come after it, and flags (firstEmpty, firstRunTime); the set can be
// tested to skip t only when the flags are 0.
func first(t *node, follow *charset) (charset, int) { return firstIn(t, follow, 0) }

func firstIn(t *node, follow *charset, depth int) (charset, int) {
	if depth > maxFirstDepth {
		return fullSet, firstEmpty | firstRunTime
	}
	depth++
	switch t.tag {
	case tChar, tSet, tAny:
		cs, _ := toSet(t)
		return *cs, 0
	case tString:
		var cs charset
		cs.add(t.str[0])
		return cs, 0
	case tAnyN:
		return fullSet, 0
	case tTrue:
		return *follow, firstEmpty
	case tFalse:
		return charset{}, 0
	case tChoice:
		s1, e1 := firstIn(t.p1, follow, depth)
		s2, e2 := firstIn(t.p2, follow, depth)
		return *s1.union(&s2), e1 | e2
	case tSeq:
		if !nullable(t.p1) {
			return firstIn(t.p1, &fullSet, depth)
		}
		s2, e2 := firstIn(t.p2, follow, depth)
		s1, e1 := firstIn(t.p1, &s2, depth)
		switch {
		case e1 == 0:
			return s1, 0
		case (e1|e2)&firstRunTime != 0:
			return s1, firstRunTime
		}
		return s1, e2
	case tRep:
		s, _ := firstIn(t.p1, follow, depth)
		return *s.union(follow), firstEmpty
	case tCapture, tRule:
		return firstIn(t.p1, follow, depth)
	case tGrammar:
		return firstIn(t.rule[0], follow, depth)
	case tCall:
		return firstIn(t.p2, follow, depth)
	case tRunTime:
		s, e := firstIn(t.p1, &fullSet, depth)
		if e != 0 {
			return s, firstRunTime
		}
		return s, 0
	case tAnd:
		s, e := firstIn(t.p1, follow, depth)
		for i := range s {
			s[i] &= follow[i]
		}
		return s, e
	case tNot:
		if cs, ok := toSet(t.p1); ok {
			return *fullSet.minus(cs), firstEmpty
		}
	}
	// tNot of a non-set, tBehind: only the match-time flag is learnt.
	_, e := firstIn(t.p1, follow, depth)
	return *follow, e | firstEmpty
}

// headFail reports whether t can fail only on its first byte: once that
// byte is accepted, t succeeds.
func headFail(t *node) bool {
	for depth := 0; depth < maxFirstDepth; depth++ {
		switch t.tag {
		case tChar, tSet, tAny, tFalse:
			return true
		case tSeq:
			if !nofail(t.p2) {
				return false
			}
			t = t.p1
		case tChoice:
			if !headFail(t.p1) {
				return false
			}
			t = t.p2
		case tCapture, tRule, tAnd:
			t = t.p1
		case tCall:
			t = t.p2
		case tGrammar:
			t = t.rule[0]
		default:
			return false
		}
	}
	return false
}

// needFollow reports whether the code of t depends on what follows it.
func needFollow(t *node) bool {
	for {
		switch t.tag {
		case tChoice, tRep:
			return true
		case tCapture:
			t = t.p1
		case tSeq:
			t = t.p2
		default:
			return false
		}
	}
}
