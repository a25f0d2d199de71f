package fastregexp

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// class is a set of runes matched as one character of the input. Input is
// read as regexp reads it: a byte below 0x80 is itself, anything else is
// decoded with utf8.DecodeRuneInString, an invalid byte being
// utf8.RuneError of width 1.
type class struct {
	ascii   [2]uint64 // members below 0x80, one bit each
	high    []rune    // sorted inclusive ranges (lo, hi pairs) of members >= 0x80
	allHigh bool      // every rune >= 0x80 is a member
	stop    int       // with allHigh: the only ASCII non-member, else -1
}

// newClass builds a class from sorted inclusive range pairs, as OpCharClass
// holds them.
func newClass(ranges []rune) class {
	var c class
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
			c.ascii[r>>6] |= 1 << (r & 63)
		}
		if hi >= utf8.RuneSelf {
			c.high = append(c.high, max(lo, utf8.RuneSelf), hi)
		}
	}
	c.allHigh = len(c.high) == 2 && c.high[0] == utf8.RuneSelf && c.high[1] >= unicode.MaxRune
	c.stop = -1
	if c.allHigh {
		missing := -1
		for b := range utf8.RuneSelf {
			if c.ascii[b>>6]&(1<<(b&63)) == 0 {
				if missing >= 0 {
					missing = -2
					break
				}
				missing = b
			}
		}
		if missing >= 0 {
			c.stop = missing
		}
	}
	return c
}

// runeClass is the class of one rune, or of its simple case-folding orbit
// when fold is set (how regexp matches a case-folded literal rune).
func runeClass(r rune, fold bool) class {
	rs := []rune{r}
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			rs = append(rs, f)
		}
		slices.Sort(rs)
	}
	ranges := make([]rune, 0, 2*len(rs))
	for _, x := range rs {
		ranges = append(ranges, x, x)
	}
	return newClass(ranges)
}

// containsHigh reports whether r (>= 0x80) is a member.
func (c *class) containsHigh(r rune) bool {
	if c.allHigh {
		return true
	}
	h := c.high
	if len(h) <= 8 {
		for i := 0; i < len(h); i += 2 {
			if r < h[i] {
				return false
			}
			if r <= h[i+1] {
				return true
			}
		}
		return false
	}
	lo, hi := 0, len(h)/2
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch {
		case r < h[2*m]:
			hi = m
		case r > h[2*m+1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// width returns the width of the character at s[pos] if it is a member,
// and 0 if it is not or pos is the end of s.
func (c *class) width(s string, pos int) int {
	if pos >= len(s) {
		return 0
	}
	b := s[pos]
	if b < utf8.RuneSelf {
		if c.ascii[b>>6]&(1<<(b&63)) != 0 {
			return 1
		}
		return 0
	}
	if len(c.high) == 0 {
		return 0 // every non-ASCII read, RuneError included, is >= 0x80
	}
	r, w := utf8.DecodeRuneInString(s[pos:])
	if c.containsHigh(r) {
		return w
	}
	return 0
}

// skip returns the position after exactly n members starting at pos, and
// false when fewer than n are there.
func (c *class) skip(s string, pos, n int) (int, bool) {
	for range n {
		w := c.width(s, pos)
		if w == 0 {
			return pos, false
		}
		pos += w
	}
	return pos, true
}

// span returns the end of the longest run of members starting at pos. It
// requires allHigh: then the run can only end at an ASCII non-member or at
// the end of s, both character boundaries, so bytes need no decoding.
func (c *class) span(s string, pos int) int {
	if c.stop >= 0 {
		if k := strings.IndexByte(s[pos:], byte(c.stop)); k >= 0 {
			return pos + k
		}
		return len(s)
	}
	for pos < len(s) {
		b := s[pos]
		if b < utf8.RuneSelf && c.ascii[b>>6]&(1<<(b&63)) == 0 {
			break
		}
		pos++
	}
	return pos
}
