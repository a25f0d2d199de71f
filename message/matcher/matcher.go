package matcher

import "github.com/hekad-go/hekad/message"

// Matcher is a compiled message matcher expression. It is immutable and
// safe for concurrent use.
type Matcher struct {
	src  string
	root *node
}

// Compile parses a message matcher expression. A malformed expression
// yields a *SyntaxError.
func Compile(expr string) (*Matcher, error) {
	p := parser{lx: lexer{src: expr}}
	root, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &Matcher{src: expr, root: root}, nil
}

// MustCompile is like Compile but panics if the expression is malformed.
// It is meant for expressions known at build time.
func MustCompile(expr string) *Matcher {
	m, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return m
}

// Match reports whether msg satisfies the expression. It does not allocate
// unless the expression runs a regular expression. msg must not be nil.
func (m *Matcher) Match(msg *message.Message) bool {
	return m.root.eval(msg)
}

// String returns the source expression, exactly as given to Compile.
func (m *Matcher) String() string { return m.src }

// Constant reports whether the expression is the constant TRUE or FALSE
// (ok), and which (value). A constant matcher reads nothing of a message,
// so a caller may skip decoding messages that only it would look at.
func (m *Matcher) Constant() (value, ok bool) {
	switch m.root.kind {
	case kTrue:
		return true, true
	case kFalse:
		return false, true
	}
	return false, false
}
