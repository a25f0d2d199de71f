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
