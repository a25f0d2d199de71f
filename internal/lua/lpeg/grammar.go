package lpeg

import (
	lua "github.com/yuin/gopher-lua"
)

// maxRules bounds the rules of a grammar and the depth of the left-call
// check, as LPeg's MAXRULES.
const maxRules = 250

// ruleDef is one rule given to newGrammar: its name and its pattern.
type ruleDef struct {
	name lua.LValue
	body *node
}

// newGrammar binds the open calls of the rules (the first rule is the
// start rule) and checks the grammar: undefined rules, left recursion
// and loops whose body may match the empty string.
func newGrammar(defs []ruleDef) (*node, error) {
	if len(defs) > maxRules {
		return nil, argErrorf(1, "P", "grammar has too many rules")
	}
	g := &node{tag: tGrammar, rule: make([]*node, len(defs))}
	index := make(map[lua.LValue]*node, len(defs))
	for i, d := range defs {
		r := &node{tag: tRule, n: i, val: d.name}
		g.rule[i] = r
		index[d.name] = r
	}
	used := map[*node]bool{g.rule[0]: true}
	for i, d := range defs {
		body, err := bindCalls(d.body, index, used)
		if err != nil {
			return nil, err
		}
		g.rule[i].p1 = body
	}
	for _, r := range g.rule {
		if used[r] {
			if err := checkLeftRecursion(r.p1, nil); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range g.rule {
		if used[r] && hasEmptyLoop(r.p1) {
			return nil, errorf("empty loop in rule '%s'", nameString(r.val))
		}
	}
	return g, nil
}

// bindCalls copies the parts of t that hold open calls, turning each
// into a call of the rule of that name.
func bindCalls(t *node, index map[lua.LValue]*node, used map[*node]bool) (*node, error) {
	if !t.open {
		return t, nil
	}
	if t.tag == tOpenCall {
		r, ok := index[t.val]
		if !ok {
			return nil, errorf("rule '%s' undefined in given grammar", nameString(t.val))
		}
		used[r] = true
		return &node{tag: tCall, p2: r, n: r.n}, nil
	}
	c := *t
	c.open = false
	var err error
	if c.p1 != nil {
		if c.p1, err = bindCalls(t.p1, index, used); err != nil {
			return nil, err
		}
	}
	if c.p2 != nil {
		if c.p2, err = bindCalls(t.p2, index, used); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// checkLeftRecursion walks what t may do before it consumes a byte and
// fails when that reaches a rule already on the path. It reports
// whether t may match the empty string. The rule named in the error is
// the one LPeg names: the one at its depth limit on the same periodic
// path.
func checkLeftRecursion(t *node, path []*node) error {
	_, err := leftCalls(t, path, false)
	return err
}

func leftCalls(t *node, path []*node, nb bool) (bool, error) {
	for {
		switch t.tag {
		case tChar, tSet, tAny, tFalse, tString, tAnyN:
			return nb, nil
		case tTrue, tBehind:
			return true, nil
		case tNot, tAnd, tRep:
			t, nb = t.p1, true
		case tCapture, tRunTime:
			t = t.p1
		case tCall:
			r := t.p2
			if len(path) >= maxRules {
				return false, errorf("too many left calls in grammar")
			}
			for j, p := range path {
				if p == r {
					at := j + (maxRules-1-j)%(len(path)-j)
					return false, errorf("rule '%s' may be left recursive", nameString(path[at].val))
				}
			}
			path = append(path[:len(path):len(path)], r)
			t = r.p1
		case tSeq:
			e, err := leftCalls(t.p1, path, false)
			if err != nil || !e {
				return nb, err
			}
			t = t.p2
		case tChoice:
			e, err := leftCalls(t.p1, path, nb)
			if err != nil {
				return false, err
			}
			t, nb = t.p2, e
		case tGrammar:
			return nullable(t), nil
		default:
			return nb, nil
		}
	}
}

// hasEmptyLoop reports whether t (not following calls nor entering
// nested grammars) repeats a pattern that may match the empty string.
func hasEmptyLoop(t *node) bool {
	switch t.tag {
	case tRep:
		if nullable(t.p1) {
			return true
		}
	case tGrammar, tCall:
		return false
	}
	return (t.p1 != nil && hasEmptyLoop(t.p1)) || (t.p2 != nil && hasEmptyLoop(t.p2))
}

// nameString renders a rule or group name for an error message as
// LPeg does: strings and numbers as themselves, others by type.
func nameString(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return numberString(float64(v))
	}
	return "(a " + v.Type().String() + ")"
}
