package fastregexp

import (
	"regexp"
	"regexp/syntax"
	"strconv"
)

// Regexp is a compiled regular expression: Go's regexp semantics, with a
// faster matcher for patterns that are a sequence of literals,
// single-character repeats, captures and anchors. A Regexp is safe for
// concurrent use: matching reads it and shares no mutable state.
type Regexp struct {
	std      *regexp.Regexp
	expr     string
	fast     bool
	items    []item // the pattern as a sequence, when fast
	prefix   string // literal every match starts with, when not anchored
	anchored bool   // matches can start only at offset 0
	nslot    int    // 2*(NumSubexp+1)
}

// Compile parses a regular expression with regexp.Compile's syntax (Perl
// flags) and returns its errors unchanged. It always compiles a
// *regexp.Regexp as well, used for patterns outside the fast subset and as
// the fallback when a match exceeds its step budget.
func Compile(expr string) (*Regexp, error) {
	std, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	r := &Regexp{std: std, expr: expr, nslot: 2 * (std.NumSubexp() + 1)}
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil { // cannot happen: regexp.Compile parsed it
		return r, nil
	}
	if p, ok := build(tree, std.NumSubexp()); ok {
		r.fast = true
		r.items = p.items
		r.prefix = p.prefix
		r.anchored = p.anchored
	}
	return r, nil
}

// MustCompile is like Compile but panics if the expression cannot be
// parsed, as regexp.MustCompile does.
func MustCompile(expr string) *Regexp {
	r, err := Compile(expr)
	if err != nil {
		panic(`fastregexp: Compile(` + strconv.Quote(expr) + `): ` + err.Error())
	}
	return r
}

// Std returns the standard library's compiled form of the expression.
func (r *Regexp) Std() *regexp.Regexp { return r.std }

// Fast reports whether the pattern is in the subset the fast matcher
// handles; when false, every call is answered by the standard library.
func (r *Regexp) Fast() bool { return r.fast }

// NumSubexp returns the number of parenthesized subexpressions, as
// regexp.Regexp.NumSubexp does.
func (r *Regexp) NumSubexp() int { return r.std.NumSubexp() }

// SubexpNames returns the names of the parenthesized subexpressions, as
// regexp.Regexp.SubexpNames does; the caller must not modify the slice.
func (r *Regexp) SubexpNames() []string { return r.std.SubexpNames() }

// String returns the source text used to compile the expression.
func (r *Regexp) String() string { return r.expr }

// FindStringSubmatchIndex appends to dst[:0] the same 2*(NumSubexp+1)
// indexes regexp's FindStringSubmatchIndex returns, and returns it; nil
// when there is no match. With cap(dst) large enough it does not allocate
// on the fast path.
func (r *Regexp) FindStringSubmatchIndex(s string, dst []int) []int {
	if r.fast {
		if cap(dst) >= r.nslot {
			dst = dst[:r.nslot]
		} else {
			dst = make([]int, r.nslot)
		}
		matched, ok := r.find(s, dst)
		if ok {
			if !matched {
				return nil
			}
			return dst
		}
	}
	res := r.std.FindStringSubmatchIndex(s)
	if res == nil {
		return nil
	}
	return append(dst[:0], res...)
}

// MatchString reports whether s contains any match of the expression.
func (r *Regexp) MatchString(s string) bool {
	if r.fast {
		if matched, ok := r.find(s, nil); ok {
			return matched
		}
	}
	return r.std.MatchString(s)
}
