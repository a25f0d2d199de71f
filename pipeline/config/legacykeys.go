package config

import (
	"bytes"
	"fmt"
)

// quoteLegacyKeys rewrites the bare keys of Heka's TOML dialect that TOML
// 1.0 rejects into quoted keys, so that a Heka 0.10 configuration parses as
// it did under Heka. Heka's parser (an early BurntSushi/toml) read a bare
// key as everything up to whitespace or "=", and Heka's documentation
// writes message_fields keys with a representation that way:
//
//	RequestSize|B = "%RequestSize%"
//
// which TOML 1.0 only accepts as "RequestSize|B". A key is rewritten when
// it starts a line outside a multi-line string, is followed by "=", and
// holds a character other than A-Z, a-z, 0-9, "_", "-" and "." (dotted
// keys keep their TOML 1.0 meaning). Text that is valid TOML 1.0 is
// returned unchanged, so are line numbers.
func quoteLegacyKeys(data []byte) []byte {
	var out []byte // nil until the first rewrite
	var st stringState
	for start := 0; start < len(data); {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start + 1
		}
		line := data[start:end]
		scanFrom := 0
		if st == outsideString {
			if k0, k1, ok := legacyKey(line); ok {
				if out == nil {
					out = append(make([]byte, 0, len(data)+64), data[:start]...)
				}
				out = append(out, line[:k0]...)
				out = appendTOMLQuoted(out, line[k0:k1])
				out = append(out, line[k1:]...)
				scanFrom = k1
			}
		}
		if out != nil && scanFrom == 0 {
			out = append(out, line...)
		}
		st = st.scan(line[scanFrom:])
		start = end
	}
	if out == nil {
		return data
	}
	return out
}

// legacyKey finds a key at the start of line that TOML 1.0 does not allow
// bare but Heka's parser did: it returns the key's bounds.
func legacyKey(line []byte) (k0, k1 int, ok bool) {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	k0 = i
	if i == len(line) {
		return 0, 0, false
	}
	switch line[i] {
	case '[', '"', '\'', '#', '{', '=', '\r', '\n':
		return 0, 0, false
	}
	legacy := false
	for i < len(line) {
		c := line[i]
		if c == ' ' || c == '\t' || c == '=' || c == '\r' || c == '\n' {
			break
		}
		if !isBareKeyByte(c) && c != '.' {
			legacy = true
		}
		i++
	}
	k1 = i
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if !legacy || i == len(line) || line[i] != '=' {
		return 0, 0, false
	}
	return k0, k1, true
}

// appendTOMLQuoted appends key as a TOML basic string.
func appendTOMLQuoted(out, key []byte) []byte {
	out = append(out, '"')
	for _, c := range key {
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c < 0x20 || c == 0x7f:
			out = fmt.Appendf(out, "\\u%04X", c)
		default:
			out = append(out, c)
		}
	}
	return append(out, '"')
}

// isBareKeyByte reports whether c may appear in a TOML 1.0 bare key.
func isBareKeyByte(c byte) bool {
	return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// stringState is whether a line starts inside a multi-line string.
type stringState uint8

const (
	outsideString  stringState = iota
	inBasicBlock               // inside """..."""
	inLiteralBlock             // inside '''...'''
)

// scan returns the state after line, which starts in state st. Outside a
// multi-line string, one-line strings and comments are skipped, so that a
// quote in them starts nothing.
func (st stringState) scan(line []byte) stringState {
	for i := 0; i < len(line); {
		switch st {
		case inBasicBlock:
			if line[i] == '\\' {
				i += 2
				continue
			}
			if bytes.HasPrefix(line[i:], []byte(`"""`)) {
				i = skipExtraQuotes(line, i+3, '"')
				st = outsideString
				continue
			}
			i++
		case inLiteralBlock:
			if bytes.HasPrefix(line[i:], []byte(`'''`)) {
				i = skipExtraQuotes(line, i+3, '\'')
				st = outsideString
				continue
			}
			i++
		default:
			switch c := line[i]; {
			case c == '#':
				return outsideString
			case bytes.HasPrefix(line[i:], []byte(`"""`)):
				st, i = inBasicBlock, i+3
			case bytes.HasPrefix(line[i:], []byte(`'''`)):
				st, i = inLiteralBlock, i+3
			case c == '"' || c == '\'':
				i = endOfOneLineString(line, i)
			default:
				i++
			}
		}
	}
	return st
}

// skipExtraQuotes skips the up to two quote characters q that TOML lets a
// multi-line string end with before its closing delimiter ("""a""""" is
// `a""`).
func skipExtraQuotes(line []byte, i int, q byte) int {
	for n := 0; n < 2 && i < len(line) && line[i] == q; n++ {
		i++
	}
	return i
}

// endOfOneLineString returns the index just past the one-line string that
// starts with the quote at line[i] (or the end of the line if it does not
// close).
func endOfOneLineString(line []byte, i int) int {
	q := line[i]
	for i++; i < len(line); i++ {
		switch line[i] {
		case '\\':
			if q == '"' {
				i++
			}
		case q:
			return i + 1
		case '\n':
			return i
		}
	}
	return i
}
