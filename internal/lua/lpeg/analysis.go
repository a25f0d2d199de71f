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
		case tChar, tSet, tAny, tFalse, tOpenCall:
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
const maxTreeSize = 1 << 22

// treeSize is the number of nodes of t with shared subtrees counted each
// time they are used, saturating above maxTreeSize.
func treeSize(t *node) int { return treeSizeIn(t, map[*node]int{}) }

func treeSizeIn(t *node, memo map[*node]int) int {
	if n, ok := memo[t]; ok {
		return n
	}
	n := 1
	switch t.tag {
	case tGrammar:
		for _, r := range t.rule {
			n += treeSizeIn(r, memo)
		}
	case tCall:
	default:
		if t.p1 != nil {
			n += treeSizeIn(t.p1, memo)
		}
		if t.p2 != nil {
			n += treeSizeIn(t.p2, memo)
		}
	}
	n = min(n, maxTreeSize+1)
	memo[t] = n
	return n
}

// errTooBig is the error of a pattern larger than maxTreeSize.
func errTooBig() error { return errorf("pattern too big") }

// firstSet returns a set of bytes such that t fails on any subject whose
// next byte is not in it (and on an empty one); ok is false when there
// is no such set (t may match the empty string, or it is a match-time
// capture, which must always run). The compiler tests the set before it
// pushes a backtrack entry.
func firstSet(t *node) (cs *charset, ok bool) { return firstSetIn(t, 0) }

func firstSetIn(t *node, depth int) (*charset, bool) {
	if depth > maxRules {
		return nil, false
	}
	switch t.tag {
	case tChar, tSet, tAny:
		return toSet(t)
	case tFalse:
		return &charset{}, true
	case tSeq:
		return firstSetIn(t.p1, depth+1)
	case tChoice:
		s1, ok1 := firstSetIn(t.p1, depth+1)
		if !ok1 {
			return nil, false
		}
		s2, ok2 := firstSetIn(t.p2, depth+1)
		if !ok2 {
			return nil, false
		}
		return s1.union(s2), true
	}
	if in := passThrough(t); in != nil {
		return firstSetIn(in, depth+1)
	}
	return nil, false
}

// passThrough is the node that decides, for firstSet and headFail, what
// t does on its first byte: the body of a capture, predicate, rule, or
// called rule, or a grammar's start rule; nil for other nodes.
func passThrough(t *node) *node {
	switch t.tag {
	case tCapture, tAnd, tRule:
		return t.p1
	case tCall:
		return t.p2
	case tGrammar:
		return t.rule[0]
	}
	return nil
}

// headFail reports whether t can fail only on its first byte: once that
// byte is accepted, t succeeds.
func headFail(t *node) bool { return headFailIn(t, 0) }

func headFailIn(t *node, depth int) bool {
	if depth > maxRules {
		return false
	}
	switch t.tag {
	case tChar, tSet, tAny, tFalse:
		return true
	case tSeq:
		return nofail(t.p2) && headFailIn(t.p1, depth+1)
	case tChoice:
		return headFailIn(t.p1, depth+1) && headFailIn(t.p2, depth+1)
	}
	if in := passThrough(t); in != nil {
		return headFailIn(in, depth+1)
	}
	return false
}
