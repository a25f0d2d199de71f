package matcher

import "fmt"

// SyntaxError reports a malformed matcher expression.
type SyntaxError struct {
	// Expr is the whole expression.
	Expr string
	// Pos is the byte offset (0-based) in Expr of the offending token.
	Pos int
	// Msg says what was found and what was expected.
	Msg string
	// Err is the underlying error, if any (the regexp package's error
	// for an invalid regular expression), else nil.
	Err error
}

// Error returns the error message, e.g.
// `matcher: syntax error at byte 8: expected a string literal after "==", found "bogus"`.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("matcher: syntax error at byte %d: %s", e.Pos, e.Msg)
}

// Unwrap returns the underlying error, if any.
func (e *SyntaxError) Unwrap() error { return e.Err }
