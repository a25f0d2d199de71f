package fastregexp

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// machine is the state of one fast match; it lives on the caller's stack.
type machine struct {
	items []item
	s     string
	caps  []int // capture slots; nil when the caller only wants a yes or no
	steps int   // budget left; below zero the match was abandoned
}

// stepBudget bounds the work of one call on an input of n bytes.
func stepBudget(n int) int { return 8*n + 64 }

// find runs the fast matcher over s, filling caps (when not nil) on a
// match. ok is false when the step budget ran out: the answer is then
// unknown and the caller must ask the standard library.
func (r *Regexp) find(s string, caps []int) (matched, ok bool) {
	m := machine{items: r.items, s: s, caps: caps, steps: stepBudget(len(s))}
	pos := 0
	for {
		if r.prefix != "" {
			k := strings.Index(s[pos:], r.prefix)
			if k < 0 {
				return false, true
			}
			pos += k // the prefix starts with a non-continuation byte: a character boundary
		}
		if caps != nil {
			caps[0] = pos
		}
		if m.run(0, pos) {
			return true, true
		}
		if m.steps < 0 {
			return false, false
		}
		if r.anchored || pos >= len(s) {
			return false, true
		}
		// Next start: one character on, as regexp steps.
		if s[pos] < utf8.RuneSelf {
			pos++
		} else {
			_, w := utf8.DecodeRuneInString(s[pos:])
			pos += w
		}
	}
}

// run matches items[i:] at pos, and reports whether the whole remainder
// matched. Items up to the next repeat are matched in a loop; a repeat
// recurses for what follows it.
func (m *machine) run(i, pos int) bool {
	s := m.s
	for ; i < len(m.items); i++ {
		it := &m.items[i]
		m.steps--
		if m.steps < 0 {
			return false
		}
		switch it.kind {
		case kLit:
			if len(s)-pos < len(it.lit) || s[pos:pos+len(it.lit)] != it.lit {
				return false
			}
			pos += len(it.lit)
		case kChar:
			w := it.cls.width(s, pos)
			if w == 0 {
				return false
			}
			pos += w
		case kSlot:
			if m.caps != nil {
				m.caps[it.slot] = pos
			}
		case kAssert:
			if !assert(it.op, s, pos) {
				return false
			}
		case kRepeat:
			if it.greedy {
				return m.greedy(it, i, pos)
			}
			return m.lazy(it, i, pos)
		}
	}
	if m.caps != nil {
		m.caps[1] = pos
	}
	return true
}

// greedy matches the repeat items[i] at pos, longest first, then gives
// back one character at a time until the rest of the pattern matches.
func (m *machine) greedy(it *item, i, pos int) bool {
	s := m.s
	c := &it.cls
	pos, ok := c.skip(s, pos, it.min)
	if !ok {
		return false
	}
	lo := pos // the end of the first min characters: give back no further
	if it.max < 0 && c.allHigh {
		pos = c.span(s, pos)
		m.steps -= pos - lo
	} else {
		n := it.min
		for ; n != it.max; n++ {
			w := c.width(s, pos)
			if w == 0 {
				break
			}
			pos += w
		}
		m.steps -= n
	}
	next := it.next
	for {
		if stop, matched := m.tryRest(i, pos, next); stop {
			return matched
		}
		if pos == lo {
			return false
		}
		m.steps--
		if next >= 0 {
			// Only a position holding the literal's first byte can match;
			// that byte is never a UTF-8 continuation byte, so the position
			// is a character boundary.
			k := strings.LastIndexByte(s[lo:pos], byte(next))
			if k < 0 {
				return false
			}
			pos = lo + k
			continue
		}
		// Reading backwards from a character boundary within [lo, pos)
		// finds the same characters reading forwards did.
		_, w := utf8.DecodeLastRuneInString(s[lo:pos])
		pos -= w
	}
}

// tryRest matches what follows the repeat items[i] from pos, unless the
// literal that comes next (its first byte next, or -1) does not start there.
// stop reports that the repeat must not try another length: the rest
// matched (matched is true) or the step budget ran out.
func (m *machine) tryRest(i, pos, next int) (stop, matched bool) {
	if next >= 0 && (pos >= len(m.s) || int(m.s[pos]) != next) {
		return false, false
	}
	if m.run(i+1, pos) {
		return true, true
	}
	return m.steps < 0, false
}

// lazy matches the non-greedy repeat items[i] at pos, shortest first.
func (m *machine) lazy(it *item, i, pos int) bool {
	s := m.s
	c := &it.cls
	pos, ok := c.skip(s, pos, it.min)
	if !ok {
		return false
	}
	n := it.min
	m.steps -= n
	next := it.next
	for {
		if stop, matched := m.tryRest(i, pos, next); stop {
			return matched
		}
		if n == it.max {
			return false
		}
		w := c.width(s, pos)
		if w == 0 {
			return false
		}
		pos += w
		n++
		m.steps--
	}
}

// assert reports whether the zero-width condition op holds at pos, as
// regexp evaluates it: lines end at '\n', and word characters are the
// ASCII [0-9A-Za-z_] (so only the bytes either side of pos matter).
func assert(op syntax.EmptyOp, s string, pos int) bool {
	switch op {
	case syntax.EmptyBeginText:
		return pos == 0
	case syntax.EmptyEndText:
		return pos == len(s)
	case syntax.EmptyBeginLine:
		return pos == 0 || s[pos-1] == '\n'
	case syntax.EmptyEndLine:
		return pos == len(s) || s[pos] == '\n'
	}
	before := pos > 0 && isWordByte(s[pos-1])
	after := pos < len(s) && isWordByte(s[pos])
	if op == syntax.EmptyWordBoundary {
		return before != after
	}
	return before == after
}

// isWordByte reports whether b is an ASCII word character, as
// syntax.IsWordChar.
func isWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}
