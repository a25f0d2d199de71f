package matcher

import (
	"bytes"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/hekad-go/hekad/internal/fastregexp"
)

// reMode is how a /regexp/ of an expression is evaluated.
type reMode uint8

const (
	reFull     reMode = iota // run the regexp (after the pre-check, if any)
	rePrefix                 // /^lit/: strings.HasPrefix
	reSuffix                 // /lit$/: strings.HasSuffix
	reContains               // /lit/: strings.Contains
	reExact                  // /^lit$/: ==
)

// regex is a compiled /regexp/ literal. Its answer is regexp.MatchString's
// for every subject, with one exception kept from Heka: in /(?m)abc$/ the
// flag does not make "$" match before a newline (a plain suffix test).
// It is immutable.
type regex struct {
	mode reMode
	// lit is the literal of a literal mode. For reFull it is the
	// pre-check: a literal every matching subject starts with (start)
	// or contains, so that a subject without it is rejected without
	// running the regexp; "" when there is none.
	lit   string
	blit  []byte             // lit as bytes, for BYTES fields
	start bool               // reFull: lit is a prefix of every matching subject
	re    *fastregexp.Regexp // reFull: Go's regexp, faster on its subset
}

// compileRegex compiles the text between the slashes of /.../ (with "\/"
// already replaced by "/"). Its error is regexp.Compile's.
//
// The shape is read from the regexp/syntax tree, so flags, escapes, \Q...\E,
// alternation and captures are all understood as regexp understands them:
// a concatenation of an optional start anchor (^ or \A, without (?m)), a
// case-sensitive literal (possibly inside captures) and an optional end
// anchor ($ or \z, without (?m)) is a literal test. Literals containing
// U+FFFD are left to the regexp, which matches that rune against any
// invalid UTF-8 byte.
func compileRegex(expr string) (*regex, error) {
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, err
	}
	subs := concatSubs(tree)
	start := false
	for len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		start, subs = true, subs[1:]
	}
	end := false
	body := subs
	for len(body) > 0 && body[len(body)-1].Op == syntax.OpEndText {
		end, body = true, body[:len(body)-1]
	}
	if lit, ok := literal(body); ok {
		r := &regex{lit: lit, blit: []byte(lit)}
		switch {
		case start && end:
			r.mode = reExact
		case start:
			r.mode = rePrefix
		case end:
			r.mode = reSuffix
		default:
			r.mode = reContains
		}
		return r, nil
	}
	// Heka's quirk: /lit$/ under (?m) is a suffix test. Heka decided by
	// the text ("$" last, the rest a complete literal), so the text must
	// end with the "$" the tree ends with. Its scope is what it was before
	// this tree analysis: a plain literal, without captures.
	if n := len(subs); !start && n > 0 && subs[n-1].Op == syntax.OpEndLine && strings.HasSuffix(expr, "$") && !hasCapture(subs[:n-1]) {
		if lit, ok := literal(subs[:n-1]); ok {
			return &regex{mode: reSuffix, lit: lit, blit: []byte(lit)}, nil
		}
	}
	re, err := fastregexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	r := &regex{mode: reFull, re: re, start: start}
	// Unanchored, fastregexp's own matcher already searches for its
	// literal prefix first; the standard library's gets the pre-check.
	if len(subs) > 0 && (start || !re.Fast()) {
		r.lit = lead(subs[0])
		r.blit = []byte(r.lit)
	}
	return r, nil
}

// concatSubs returns the items of re read as a concatenation.
func concatSubs(re *syntax.Regexp) []*syntax.Regexp {
	if re.Op == syntax.OpConcat {
		return re.Sub
	}
	return []*syntax.Regexp{re}
}

// literal reports whether the concatenation subs matches exactly one
// string, byte for byte (case-sensitive literals, captures of them, empty
// matches), and returns it.
func literal(subs []*syntax.Regexp) (string, bool) {
	var sb strings.Builder
	for _, re := range subs {
		switch re.Op {
		case syntax.OpEmptyMatch:
		case syntax.OpLiteral:
			if re.Flags&syntax.FoldCase != 0 {
				return "", false
			}
			for _, c := range re.Rune {
				if !exactRune(c) {
					return "", false
				}
				sb.WriteRune(c)
			}
		case syntax.OpCapture:
			s, ok := literal(concatSubs(re.Sub[0]))
			if !ok {
				return "", false
			}
			sb.WriteString(s)
		default:
			return "", false
		}
	}
	return sb.String(), true
}

// hasCapture reports whether one of subs is a capture.
func hasCapture(subs []*syntax.Regexp) bool {
	for _, re := range subs {
		if re.Op == syntax.OpCapture {
			return true
		}
	}
	return false
}

// lead returns a literal every match of re starts with ("" if none is
// known).
func lead(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return ""
		}
		var sb strings.Builder
		for _, c := range re.Rune {
			if !exactRune(c) {
				break
			}
			sb.WriteRune(c)
		}
		return sb.String()
	case syntax.OpCapture, syntax.OpConcat, syntax.OpPlus:
		return lead(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return lead(re.Sub[0])
		}
	}
	return ""
}

// exactRune reports whether the regexp matches c only where its UTF-8
// encoding is. Not so for U+FFFD, which the regexp also reads from every
// invalid byte.
func exactRune(c rune) bool {
	return c != utf8.RuneError && utf8.ValidRune(c)
}

// matchString reports whether s matches.
func (r *regex) matchString(s string) bool {
	switch r.mode {
	case rePrefix:
		return strings.HasPrefix(s, r.lit)
	case reSuffix:
		return strings.HasSuffix(s, r.lit)
	case reContains:
		return strings.Contains(s, r.lit)
	case reExact:
		return s == r.lit
	}
	if r.lit != "" {
		if r.start {
			if !strings.HasPrefix(s, r.lit) {
				return false
			}
		} else if !strings.Contains(s, r.lit) {
			return false
		}
	}
	return r.re.MatchString(s)
}

// match reports whether b matches, without copying it.
func (r *regex) match(b []byte) bool {
	if r.mode != reFull {
		return r.matchLit(b)
	}
	if r.rejects(b) {
		return false
	}
	return r.re.Std().Match(b)
}

// rejects reports whether reFull's pre-check alone says b does not match;
// b does not escape.
func (r *regex) rejects(b []byte) bool {
	switch {
	case r.lit == "":
		return false
	case r.start:
		return len(b) < len(r.lit) || string(b[:len(r.lit)]) != r.lit
	}
	return !bytes.Contains(b, r.blit)
}

// matchLit is match for the literal modes; b does not escape (the caller
// may pass a buffer on its stack).
func (r *regex) matchLit(b []byte) bool {
	k := len(r.lit)
	switch r.mode {
	case rePrefix:
		return len(b) >= k && string(b[:k]) == r.lit
	case reSuffix:
		return len(b) >= k && string(b[len(b)-k:]) == r.lit
	case reContains:
		return bytes.Contains(b, r.blit)
	case reExact:
		return string(b) == r.lit
	}
	return false
}
