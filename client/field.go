package client

import (
	"fmt"

	"github.com/hekad-go/hekad/message"
)

// fieldKind says which member of a Field holds its value.
type fieldKind uint8

const (
	kindString fieldKind = iota
	kindInt
	kindFloat
	kindBool
	kindAny
)

// Field is one named value added to a message's Fields. Build it with
// String, Int, Float, Bool or Any: the scalar constructors keep the value
// unboxed, so that sending a message with scalar fields does not allocate.
//
// Go types map to Heka value types as Heka's Go client maps them: strings to
// STRING, integers to INTEGER, floats to DOUBLE, bools to BOOL, []byte to
// BYTES, and slices of those to an array of values in one field.
type Field struct {
	name string
	rep  string
	kind fieldKind
	s    string
	i    int64
	f    float64
	v    any
}

// String returns a STRING field.
func String(name, value string) Field { return Field{name: name, kind: kindString, s: value} }

// Int returns an INTEGER field.
func Int(name string, value int64) Field { return Field{name: name, kind: kindInt, i: value} }

// Float returns a DOUBLE field.
func Float(name string, value float64) Field { return Field{name: name, kind: kindFloat, f: value} }

// Bool returns a BOOL field.
func Bool(name string, value bool) Field {
	f := Field{name: name, kind: kindBool}
	if value {
		f.i = 1
	}
	return f
}

// Any returns a field holding value, which may be a string, []byte, any Go
// integer, float32/float64 or bool, or a slice of one of those ([]string
// gives one STRING field with several values). Another type makes the send
// fail with an error naming the field.
func Any(name string, value any) Field { return Field{name: name, kind: kindAny, v: value} }

// WithRepresentation returns a copy of f with the representation set (a
// unit or format hint such as "ms", "B" or "ipv4").
func (f Field) WithRepresentation(rep string) Field {
	f.rep = rep
	return f
}

// Name returns the field's name.
func (f Field) Name() string { return f.name }

// addTo appends the field to m, reusing the Field values m keeps after a
// Reset.
func (f *Field) addTo(m *message.Message) error {
	var err error
	switch f.kind {
	case kindString:
		err = m.AppendField(f.name, message.ValueString, f.rep).AddString(f.s)
	case kindInt:
		err = m.AppendField(f.name, message.ValueInteger, f.rep).AddInteger(f.i)
	case kindFloat:
		err = m.AppendField(f.name, message.ValueDouble, f.rep).AddDouble(f.f)
	case kindBool:
		err = m.AppendField(f.name, message.ValueBool, f.rep).AddBool(f.i != 0)
	default:
		var mf *message.Field
		if mf, err = message.NewField(f.name, f.v, f.rep); err == nil {
			m.AddField(mf)
		}
	}
	if err != nil {
		return fmt.Errorf("field %q: %w", f.name, err)
	}
	return nil
}
