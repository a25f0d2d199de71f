package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hekad-go/hekad/message/matcher"
)

// ErrUnknownKey is wrapped by the Error reported for a key that no option of
// its section accepts.
var ErrUnknownKey = errors.New("unknown key")

// ErrEmpty is returned when a configuration holds no plugin section.
var ErrEmpty = errors.New("empty configuration")

// Error is one configuration problem. Load joins every Error it finds with
// errors.Join; use errors.As to get at the parts.
//
// Error renders as
//
//	FILE:LINE: [SECTION] (TYPE): KEY: MESSAGE
//
// leaving out the parts that are unknown or do not apply (a matcher syntax
// error reads "message_matcher: syntax error at byte N: ...", an unknown
// key "adress: unknown key (did you mean \"address\"?)"). LINE is the
// line of the key, or of the section header when the error concerns the
// whole section or a key it lacks.
type Error struct {
	// File is the configuration file (as given to Load or LoadBytes).
	File string
	// Line is the 1-based line in File, 0 when not known.
	Line int
	// Section is the section name ("" for file-level errors).
	Section string
	// Type is the section's plugin type ("" for [hekad] or when the type
	// could not be read).
	Type string
	// Key is the option, relative to its section ("retries.delay"), or ""
	// when the error concerns the whole section.
	Key string
	// Pos is the byte offset in the message_matcher of a matcher syntax
	// error, -1 when the error is not one.
	Pos int
	// Err is the underlying problem.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Section != "" {
		b.WriteByte('[')
		b.WriteString(e.Section)
		b.WriteByte(']')
		if e.Type != "" {
			b.WriteString(" (")
			b.WriteString(e.Type)
			b.WriteByte(')')
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	var se *matcher.SyntaxError
	switch {
	case errors.As(e.Err, &se):
		// The matcher's own text repeats a prefix and the position.
		fmt.Fprintf(&b, "syntax error at byte %d: %s", se.Pos, se.Msg)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }
