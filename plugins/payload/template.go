package payload

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// segment is one piece of a compiled message_fields value: literal text, or
// the text of a capture group.
type segment struct {
	lit     string // the literal text when capture < 0
	capture int    // submatch index, or -1 for a literal
}

// template is a message_fields value compiled against match_regex: the
// %name% references are resolved to submatch indexes once, at build time.
type template struct {
	segs []segment
}

// isWord reports whether c is matched by \w (ASCII letters, digits and _).
func isWord(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// compileTemplate splits value into literals and capture references. A
// reference is %name% where name is one or more word characters, as in
// Heka; a name that match_regex does not capture becomes the literal
// "<name>", and unknown (when not nil) is called with it.
func compileTemplate(value string, captures map[string]int, unknown func(name string)) template {
	var t template
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.segs = append(t.segs, segment{lit: lit.String(), capture: -1})
			lit.Reset()
		}
	}
	for i := 0; i < len(value); {
		if value[i] != '%' {
			lit.WriteByte(value[i])
			i++
			continue
		}
		j := i + 1
		for j < len(value) && isWord(value[j]) {
			j++
		}
		if j == i+1 || j == len(value) || value[j] != '%' {
			// Not a reference: the '%' is literal and scanning resumes
			// right after it, so "%%a%" is "%" followed by %a%.
			lit.WriteByte('%')
			i++
			continue
		}
		name := value[i+1 : j]
		if idx, ok := captures[name]; ok {
			flush()
			t.segs = append(t.segs, segment{capture: idx})
		} else {
			if unknown != nil {
				unknown(name)
			}
			lit.WriteString("<" + name + ">")
		}
		i = j + 1
	}
	flush()
	return t
}

// simple returns the value of t without copying when it is a single
// literal or a single capture (or empty); ok is false when t must be
// assembled with appendTo.
func (t *template) simple(payload string, idx []int) (s string, ok bool) {
	switch len(t.segs) {
	case 0:
		return "", true
	case 1:
		sg := t.segs[0]
		if sg.capture < 0 {
			return sg.lit, true
		}
		return submatch(payload, idx, sg.capture), true
	}
	return "", false
}

// appendTo appends the interpolated value of t to dst.
func (t *template) appendTo(dst []byte, payload string, idx []int) []byte {
	for _, sg := range t.segs {
		if sg.capture < 0 {
			dst = append(dst, sg.lit...)
		} else {
			dst = append(dst, submatch(payload, idx, sg.capture)...)
		}
	}
	return dst
}

// submatch returns capture group i of a FindStringSubmatchIndex result, ""
// when the group took no part in the match.
func submatch(s string, idx []int, i int) string {
	if a, b := idx[2*i], idx[2*i+1]; a >= 0 && b >= a {
		return s[a:b]
	}
	return ""
}

// targetKind says where a message_fields entry is written.
type targetKind uint8

const (
	toField targetKind = iota
	toType
	toLogger
	toHostname
	toPayload
	toPid
	toSeverity
	toUuid
)

// headerTargets maps the message_fields keys that name a header to it. As
// in Heka 0.10, any other key (including EnvVersion, Timestamp and a
// header name with a |representation suffix) names a field.
var headerTargets = map[string]targetKind{
	"Type":     toType,
	"Logger":   toLogger,
	"Hostname": toHostname,
	"Payload":  toPayload,
	"Pid":      toPid,
	"Severity": toSeverity,
	"Uuid":     toUuid,
}

// target is one compiled message_fields entry.
type target struct {
	key  string // the message_fields key, for errors
	kind targetKind
	name string // field name (toField)
	repr string // field representation (toField)
	tmpl template
}

// compileTargets compiles message_fields, sorted by key so that fields are
// added in a deterministic order. unknown (when not nil) is called for
// every %name% that match_regex does not capture.
func compileTargets(fields map[string]string, captures map[string]int, unknown func(key, name string)) []target {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	targets := make([]target, 0, len(keys))
	for _, k := range keys {
		t := target{key: k}
		if kind, ok := headerTargets[k]; ok {
			t.kind = kind
		} else {
			t.kind = toField
			t.name, t.repr, _ = strings.Cut(k, "|")
		}
		t.tmpl = compileTemplate(fields[k], captures, func(name string) {
			if unknown != nil {
				unknown(k, name)
			}
		})
		targets = append(targets, t)
	}
	return targets
}

// parsePid reads a Pid value as Heka does: the part before the first '.'
// must be a 32-bit integer.
func parsePid(s string) (int32, error) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, err
	}
	return int32(n), nil
}

// parseSeverity reads a Severity value: a 32-bit integer.
func parseSeverity(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, err
	}
	return int32(n), nil
}

var errBadUUID = errors.New("invalid uuid: want 16 raw bytes or the 36-character hex form")

// parseUUID reads a Uuid value into out: 16 raw bytes, or the canonical
// hyphenated hex form, optionally prefixed by "urn:uuid:".
func parseUUID(s string, out *[16]byte) error {
	if len(s) == 16 {
		copy(out[:], s)
		return nil
	}
	s = strings.TrimPrefix(s, "urn:uuid:")
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return fmt.Errorf("%w: %q", errBadUUID, s)
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, ok1 := unhex(s[i])
		lo, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return fmt.Errorf("%w: %q", errBadUUID, s)
		}
		out[j] = hi<<4 | lo
		j++
		i += 2
	}
	return nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
