package statsd

import (
	"strconv"
	"strings"

	"github.com/hekad-go/hekad/message"
)

// template is a StatFilter name or value: text with %Name% variables
// (Name made of letters, digits and '_', as Heka's \w+).
type template struct {
	parts []templatePart
}

type templatePart struct {
	text     string // literal text, or the variable's name
	variable bool
}

func isWord(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// parseTemplate cuts s into literal text and %Name% variables; a '%' that
// starts no variable is text.
func parseTemplate(s string) template {
	var t template
	lit := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(s) && isWord(s[j]) {
			j++
		}
		if j == i+1 || j == len(s) || s[j] != '%' {
			continue
		}
		if lit < i {
			t.parts = append(t.parts, templatePart{text: s[lit:i]})
		}
		t.parts = append(t.parts, templatePart{text: s[i+1 : j], variable: true})
		lit = j + 1
		i = j
	}
	if lit < len(s) {
		t.parts = append(t.parts, templatePart{text: s[lit:]})
	}
	return t
}

// expand appends t with its variables replaced by the message's values to
// dst: a field of that name (its first value), else the header Type,
// Logger, Hostname or Payload, else "<Name>" as in Heka. With replaceDot,
// the dots of replaced values become '_'.
func (t template) expand(dst []byte, m *message.Message, replaceDot bool) []byte {
	for _, p := range t.parts {
		if !p.variable {
			dst = append(dst, p.text...)
			continue
		}
		start := len(dst)
		dst = appendVariable(dst, m, p.text)
		if replaceDot {
			for i := start; i < len(dst); i++ {
				if dst[i] == '.' {
					dst[i] = '_'
				}
			}
		}
	}
	return dst
}

// appendVariable appends the value of the variable name of m.
func appendVariable(dst []byte, m *message.Message, name string) []byte {
	if f := m.FindFirstField(name); f != nil {
		switch f.GetValueType() {
		case message.ValueString:
			if v := f.GetValueString(); len(v) > 0 {
				return append(dst, v[0]...)
			}
		case message.ValueInteger:
			if v := f.GetValueInteger(); len(v) > 0 {
				return strconv.AppendInt(dst, v[0], 10)
			}
		case message.ValueDouble:
			if v := f.GetValueDouble(); len(v) > 0 {
				return strconv.AppendFloat(dst, v[0], 'f', -1, 64)
			}
		case message.ValueBool:
			if v := f.GetValueBool(); len(v) > 0 {
				return strconv.AppendBool(dst, v[0])
			}
		case message.ValueBytes:
			if v := f.GetValueBytes(); len(v) > 0 {
				return append(dst, v[0]...)
			}
		}
	}
	switch name {
	case "Type":
		return append(dst, m.GetType()...)
	case "Logger":
		return append(dst, m.GetLogger()...)
	case "Hostname":
		return append(dst, m.GetHostname()...)
	case "Payload":
		return append(dst, m.GetPayload()...)
	}
	return append(append(append(dst, '<'), name...), '>')
}

// String returns the template as written.
func (t template) String() string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.variable {
			b.WriteString("%" + p.text + "%")
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}
