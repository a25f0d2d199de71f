package config

import (
	"bytes"
	"strconv"
	"strings"
)

// keyLines maps every table header and key of a TOML text to the 1-based
// line it is defined on, so that an error about a key can name its line
// (BurntSushi/toml keeps key positions to itself). Keys are stored as their
// parts joined by lineKeySep, relative to the document root:
// "out\x00buffering\x00max_file_size". Keys inside inline tables and
// arrays are not listed; lineOf falls back to their enclosing key.
type keyLines map[string]int

const lineKeySep = "\x00"

// scanKeyLines builds the keyLines of data. It is deliberately forgiving:
// it runs only on text the TOML parser accepted.
func scanKeyLines(data []byte) keyLines {
	lines := keyLines{}
	var table []string
	var st stringState
	lineNo := 0
	for start := 0; start < len(data); {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start + 1
		}
		line := data[start:end]
		start = end
		lineNo++
		if st != outsideString {
			st = st.scan(line)
			continue
		}
		st = st.scan(line)
		text := strings.TrimSpace(string(line))
		switch {
		case text == "" || text[0] == '#':
		case strings.HasPrefix(text, "[["):
			if parts, ok := splitKey(strings.TrimPrefix(text, "[["), "]]"); ok {
				table = parts
				lines.add(table, lineNo)
			}
		case text[0] == '[':
			if parts, ok := splitKey(text[1:], "]"); ok {
				table = parts
				lines.add(table, lineNo)
			}
		default:
			if parts, ok := splitKey(text, "="); ok {
				lines.add(append(append([]string(nil), table...), parts...), lineNo)
			}
		}
	}
	return lines
}

// add records the first line a key appears on.
func (kl keyLines) add(parts []string, line int) {
	k := strings.Join(parts, lineKeySep)
	if _, ok := kl[k]; !ok {
		kl[k] = line
	}
}

// lineOf returns the line of the longest prefix of parts that is listed,
// or 0.
func (kl keyLines) lineOf(parts ...string) int {
	for n := len(parts); n > 0; n-- {
		if l, ok := kl[strings.Join(parts[:n], lineKeySep)]; ok {
			return l
		}
	}
	return 0
}

// splitKey parses the dotted key at the start of s, which ends at the
// first stop outside quotes, into its unquoted parts.
func splitKey(s, stop string) ([]string, bool) {
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case strings.HasPrefix(s[i:], stop):
			if p := strings.TrimSpace(cur.String()); p != "" || quoted {
				parts = append(parts, p)
			}
			return parts, len(parts) > 0
		case c == '.':
			parts = append(parts, strings.TrimSpace(cur.String()))
			cur.Reset()
			quoted = false
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, false
			}
			u, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				u = s[i+1 : j]
			}
			cur.WriteString(u)
			quoted = true
			i = j + 1
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			cur.WriteString(s[i+1 : i+1+j])
			quoted = true
			i += j + 2
		default:
			cur.WriteByte(c)
			i++
		}
	}
	return nil, false
}
