package engine

import (
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/matcher"
)

// Matcher is a compiled message_matcher expression. The router and the
// injecting filter evaluate the same Matcher from different goroutines, so
// Match must be safe for concurrent use.
type Matcher interface {
	Match(*message.Message) bool
}

// MatcherFunc compiles a message_matcher expression.
type MatcherFunc func(expr string) (Matcher, error)

// DefaultMatcher compiles Heka's matcher language (message/matcher). It is
// used when Options.CompileMatcher is nil.
func DefaultMatcher(expr string) (Matcher, error) {
	m, err := matcher.Compile(expr)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// matchNeed is what of a message a matcher reads.
type matchNeed uint8

const (
	needNothing matchNeed = iota // a constant (TRUE or FALSE)
	needHeaders                  // header fields only: Fields stay encoded
	needAll                      // the whole message
)

// needs tells what m reads of a message: matchers that can say so
// (message/matcher's Constant and ReadsFields) let the router skip
// decoding, or decode only the header fields; any other reads everything.
// For a constant it also returns the constant's value.
func needs(m Matcher) (matchNeed, bool) {
	if c, ok := m.(interface{ Constant() (value, ok bool) }); ok {
		if v, isConst := c.Constant(); isConst {
			return needNothing, v
		}
	}
	if f, ok := m.(interface{ ReadsFields() bool }); ok && !f.ReadsFields() {
		return needHeaders, false
	}
	return needAll, false
}
