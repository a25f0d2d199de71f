package config

import (
	"bytes"
	"errors"
	"fmt"
)

// ErrMissingCloseDelim is wrapped by the error SubstituteEnv reports for a
// %ENV[ that no "]" closes.
var ErrMissingCloseDelim = errors.New(`missing closing delimiter "]"`)

// ErrInvalidEnvName is wrapped by the error SubstituteEnv reports for a
// variable name holding a newline, carriage return, tab, space or another
// %ENV[.
var ErrInvalidEnvName = errors.New("invalid characters in environment variable name")

var (
	envOpen         = []byte("%ENV[")
	envInvalidChars = "\n\r\t "
)

// SubstituteEnv replaces every %ENV[NAME] in data with getenv(NAME) (an
// unset variable gives the empty string), as Heka does before parsing a
// configuration file: the substitution is textual, so it works in section
// names, keys and values alike, comments included, and its result is not
// scanned again. A "%" not followed by "ENV[" is copied as is.
//
// The name runs to the first "]". A missing "]" and a name holding a
// newline, carriage return, tab, space or "%ENV[" are errors; each names
// the file (name) and the line of the offending %ENV[. Every bad name is
// reported, joined with errors.Join; nothing is returned then.
func SubstituteEnv(name string, data []byte, getenv func(string) string) ([]byte, error) {
	first := bytes.Index(data, envOpen)
	if first < 0 {
		return data, nil
	}
	out := make([]byte, 0, len(data))
	out = append(out, data[:first]...)
	var errs []error
	off := first // data[off:] is still to be copied
	for {
		i := bytes.Index(data[off:], envOpen)
		if i < 0 {
			out = append(out, data[off:]...)
			break
		}
		start := off + i
		out = append(out, data[off:start]...)
		body := start + len(envOpen)
		j := bytes.IndexByte(data[body:], ']')
		if j < 0 {
			errs = append(errs, &Error{File: name, Line: lineAt(data, start), Pos: -1,
				Err: fmt.Errorf("%%ENV[ %w", ErrMissingCloseDelim)})
			break
		}
		varName := data[body : body+j]
		if bytes.ContainsAny(varName, envInvalidChars) || bytes.Contains(varName, envOpen) {
			errs = append(errs, &Error{File: name, Line: lineAt(data, start), Pos: -1,
				Err: fmt.Errorf("%w: %%ENV[%s]", ErrInvalidEnvName, quoteName(varName))})
		} else if len(errs) == 0 {
			out = append(out, getenv(string(varName))...)
		}
		off = body + j + 1
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// lineAt returns the 1-based line number of data[off].
func lineAt(data []byte, off int) int {
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}

// quoteName shows a bad variable name on one line, escaping the characters
// that made it bad.
func quoteName(b []byte) string {
	const max = 40
	s := fmt.Sprintf("%q", b)
	s = s[1 : len(s)-1]
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}
