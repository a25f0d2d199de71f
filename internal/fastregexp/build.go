package fastregexp

import (
	"regexp/syntax"
	"unicode"
	"unicode/utf8"
)

// kind is what an item of the fast program does.
type kind uint8

const (
	kLit    kind = iota // match the bytes of lit
	kChar               // match one character of cls
	kRepeat             // match min..max characters of cls
	kAssert             // check the zero-width condition op
	kSlot               // record the position in capture slot
)

// item is one step of the fast program, a flat sequence matched left to
// right with backtracking into repeats.
type item struct {
	kind   kind
	greedy bool           // kRepeat: prefer more characters
	op     syntax.EmptyOp // kAssert
	slot   int            // kSlot
	min    int            // kRepeat
	max    int            // kRepeat; -1 for no limit
	next   int            // kRepeat: first byte of the following literal, or -1
	lit    string         // kLit
	cls    class          // kChar, kRepeat
}

// Limits beyond which a pattern is left to the standard library; they bound
// the recursion depth (one level per repeat) and the program size.
const (
	maxRepeats = 64
	maxItems   = 1024
)

// program is the fast form of a pattern.
type program struct {
	items    []item
	prefix   string
	anchored bool
}

// builder flattens a syntax tree into items.
type builder struct {
	items   []item
	repeats int
	seen    []bool // capture indexes met
}

// build returns the fast program for tree, and false when the tree is
// outside the subset. ncap is the number of capture groups regexp counts.
func build(tree *syntax.Regexp, ncap int) (program, bool) {
	b := builder{seen: make([]bool, ncap+1)}
	if !b.add(tree) || len(b.items) > maxItems || b.repeats > maxRepeats {
		return program{}, false
	}
	for _, ok := range b.seen[1:] {
		if !ok {
			return program{}, false
		}
	}
	p := program{items: b.items}
	for i := range p.items {
		if p.items[i].kind == kRepeat {
			p.items[i].next = nextByte(p.items, i+1)
		}
	}
	// A match starts where its first consuming item does: skip zero-width
	// items, noting whether one of them pins the start to offset 0.
	for _, it := range p.items {
		if it.kind == kSlot {
			continue
		}
		if it.kind == kAssert {
			if it.op == syntax.EmptyBeginText {
				p.anchored = true
			}
			continue
		}
		if it.kind == kLit && !p.anchored {
			p.prefix = it.lit
		}
		break
	}
	return p, true
}

// nextByte returns the first byte the items from i on must match, when the
// first of them after capture slots is a literal, and -1 otherwise.
func nextByte(items []item, i int) int {
	for ; i < len(items); i++ {
		switch items[i].kind {
		case kSlot:
			continue
		case kLit:
			return int(items[i].lit[0])
		}
		return -1
	}
	return -1
}

func (b *builder) add(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return true
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !b.add(sub) {
				return false
			}
		}
		return true
	case syntax.OpCapture:
		if re.Cap <= 0 || re.Cap >= len(b.seen) || b.seen[re.Cap] {
			return false
		}
		b.seen[re.Cap] = true
		b.items = append(b.items, item{kind: kSlot, slot: 2 * re.Cap})
		if !b.add(re.Sub[0]) {
			return false
		}
		b.items = append(b.items, item{kind: kSlot, slot: 2*re.Cap + 1})
		return true
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		for _, r := range re.Rune {
			b.literal(r, fold)
		}
		return true
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpNoMatch:
		c, _ := single(re)
		b.items = append(b.items, item{kind: kChar, cls: c})
		return true
	case syntax.OpBeginText:
		return b.assert(syntax.EmptyBeginText)
	case syntax.OpEndText:
		return b.assert(syntax.EmptyEndText)
	case syntax.OpBeginLine:
		return b.assert(syntax.EmptyBeginLine)
	case syntax.OpEndLine:
		return b.assert(syntax.EmptyEndLine)
	case syntax.OpWordBoundary:
		return b.assert(syntax.EmptyWordBoundary)
	case syntax.OpNoWordBoundary:
		return b.assert(syntax.EmptyNoWordBoundary)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		c, ok := single(re.Sub[0])
		if !ok {
			return false
		}
		lo, hi := re.Min, re.Max
		switch re.Op {
		case syntax.OpStar:
			lo, hi = 0, -1
		case syntax.OpPlus:
			lo, hi = 1, -1
		case syntax.OpQuest:
			lo, hi = 0, 1
		}
		if hi == 0 {
			return true // x{0}: matches the empty string
		}
		b.repeats++
		b.items = append(b.items, item{
			kind:   kRepeat,
			greedy: re.Flags&syntax.NonGreedy == 0,
			min:    lo,
			max:    hi,
			cls:    c,
		})
		return true
	}
	return false
}

func (b *builder) assert(op syntax.EmptyOp) bool {
	b.items = append(b.items, item{kind: kAssert, op: op})
	return true
}

// literal appends one literal rune. Runes whose UTF-8 form is matched
// byte for byte become part of a kLit; U+FFFD (which regexp also matches
// against an invalid byte), runes with no UTF-8 form, and case-folded runes
// become single-character classes.
func (b *builder) literal(r rune, fold bool) {
	if fold && unicode.SimpleFold(r) != r || r == utf8.RuneError || !utf8.ValidRune(r) {
		b.items = append(b.items, item{kind: kChar, cls: runeClass(r, fold)})
		return
	}
	if n := len(b.items); n > 0 && b.items[n-1].kind == kLit {
		b.items[n-1].lit += string(r)
		return
	}
	b.items = append(b.items, item{kind: kLit, lit: string(r)})
}

// single returns the class of a one-character node: a class, '.', or a
// one-rune literal (case-folded or not).
func single(re *syntax.Regexp) (class, bool) {
	switch re.Op {
	case syntax.OpCharClass:
		return newClass(re.Rune), true
	case syntax.OpAnyChar:
		return newClass([]rune{0, utf8.MaxRune}), true
	case syntax.OpAnyCharNotNL:
		return newClass([]rune{0, '\n' - 1, '\n' + 1, utf8.MaxRune}), true
	case syntax.OpNoMatch:
		return newClass(nil), true
	case syntax.OpLiteral:
		if len(re.Rune) == 1 {
			return runeClass(re.Rune[0], re.Flags&syntax.FoldCase != 0), true
		}
	}
	return class{}, false
}
