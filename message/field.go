package message

import (
	"fmt"
)

// ValueType is the type of the values a Field holds.
type ValueType int32

// The value types, with Heka's wire numbers.
const (
	ValueString  ValueType = 0
	ValueBytes   ValueType = 1
	ValueInteger ValueType = 2
	ValueDouble  ValueType = 3
	ValueBool    ValueType = 4
)

var valueTypeNames = [...]string{"STRING", "BYTES", "INTEGER", "DOUBLE", "BOOL"}

// String returns Heka's name of the value type (STRING, BYTES, ...).
func (t ValueType) String() string {
	if t >= 0 && int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("ValueType(%d)", int32(t))
}

const (
	fieldHasValueType uint8 = 1 << iota
	fieldHasRepresentation
)

// Field is one named array of values of a single type, with an optional
// representation (a unit or format hint such as "ms" or "ipv4"). Several
// Fields of one message may share a name.
type Field struct {
	name           string
	representation string
	valueType      ValueType
	present        uint8
	valueString    []string
	valueBytes     [][]byte
	valueInteger   []int64
	valueDouble    []float64
	valueBool      []bool
}

// NewFieldInit returns an empty field of the given type. Like Heka's
// constructor it marks value_type and representation present, so both are
// always encoded.
func NewFieldInit(name string, t ValueType, representation string) *Field {
	return &Field{
		name:           name,
		valueType:      t,
		representation: representation,
		present:        fieldHasValueType | fieldHasRepresentation,
	}
}

// NewField returns a field holding value, which may be a string, []byte, any
// Go integer, float32/float64 or bool, or a slice of one of those (a []byte
// is one BYTES value; [][]byte is an array of them).
func NewField(name string, value any, representation string) (*Field, error) {
	t, ok := valueTypeOf(value)
	if !ok {
		return nil, fmt.Errorf("field %q: unsupported value type %T", name, value)
	}
	f := NewFieldInit(name, t, representation)
	if err := f.AddValue(value); err != nil {
		return nil, err
	}
	return f, nil
}

func valueTypeOf(v any) (ValueType, bool) {
	switch v.(type) {
	case string, []string:
		return ValueString, true
	case []byte, [][]byte:
		return ValueBytes, true
	case int, int8, int16, int32, int64, uint8, uint16, uint32, uint, uint64,
		[]int, []int32, []int64:
		return ValueInteger, true
	case float32, float64, []float32, []float64:
		return ValueDouble, true
	case bool, []bool:
		return ValueBool, true
	}
	return 0, false
}

// AddValue appends value (or, for a slice, each of its elements) to the
// field. The value's type must match the field's value type.
func (f *Field) AddValue(value any) error {
	t, ok := valueTypeOf(value)
	if !ok {
		return fmt.Errorf("field %q: unsupported value type %T", f.name, value)
	}
	if t != f.valueType {
		return fmt.Errorf("field %q holds %v values; cannot add %v", f.name, f.valueType, t)
	}
	switch v := value.(type) {
	case string:
		f.valueString = append(f.valueString, v)
	case []string:
		f.valueString = append(f.valueString, v...)
	case []byte:
		f.valueBytes = append(f.valueBytes, append([]byte(nil), v...))
	case [][]byte:
		for _, b := range v {
			f.valueBytes = append(f.valueBytes, append([]byte(nil), b...))
		}
	case int:
		f.valueInteger = append(f.valueInteger, int64(v))
	case int8:
		f.valueInteger = append(f.valueInteger, int64(v))
	case int16:
		f.valueInteger = append(f.valueInteger, int64(v))
	case int32:
		f.valueInteger = append(f.valueInteger, int64(v))
	case int64:
		f.valueInteger = append(f.valueInteger, v)
	case uint8:
		f.valueInteger = append(f.valueInteger, int64(v))
	case uint16:
		f.valueInteger = append(f.valueInteger, int64(v))
	case uint32:
		f.valueInteger = append(f.valueInteger, int64(v))
	case uint:
		f.valueInteger = append(f.valueInteger, int64(v))
	case uint64:
		f.valueInteger = append(f.valueInteger, int64(v))
	case []int:
		for _, n := range v {
			f.valueInteger = append(f.valueInteger, int64(n))
		}
	case []int32:
		for _, n := range v {
			f.valueInteger = append(f.valueInteger, int64(n))
		}
	case []int64:
		f.valueInteger = append(f.valueInteger, v...)
	case float32:
		f.valueDouble = append(f.valueDouble, float64(v))
	case float64:
		f.valueDouble = append(f.valueDouble, v)
	case []float32:
		for _, d := range v {
			f.valueDouble = append(f.valueDouble, float64(d))
		}
	case []float64:
		f.valueDouble = append(f.valueDouble, v...)
	case bool:
		f.valueBool = append(f.valueBool, v)
	case []bool:
		f.valueBool = append(f.valueBool, v...)
	}
	return nil
}

// AddString appends a STRING value without boxing it in an interface. It is
// an error to call it on a field of another type.
func (f *Field) AddString(v string) error {
	if f.valueType != ValueString {
		return f.mismatch(ValueString)
	}
	f.valueString = append(f.valueString, v)
	return nil
}

// AddBytes appends a copy of v as a BYTES value.
func (f *Field) AddBytes(v []byte) error {
	if f.valueType != ValueBytes {
		return f.mismatch(ValueBytes)
	}
	f.valueBytes = append(f.valueBytes, append([]byte(nil), v...))
	return nil
}

// AddInteger appends an INTEGER value.
func (f *Field) AddInteger(v int64) error {
	if f.valueType != ValueInteger {
		return f.mismatch(ValueInteger)
	}
	f.valueInteger = append(f.valueInteger, v)
	return nil
}

// AddDouble appends a DOUBLE value.
func (f *Field) AddDouble(v float64) error {
	if f.valueType != ValueDouble {
		return f.mismatch(ValueDouble)
	}
	f.valueDouble = append(f.valueDouble, v)
	return nil
}

// AddBool appends a BOOL value.
func (f *Field) AddBool(v bool) error {
	if f.valueType != ValueBool {
		return f.mismatch(ValueBool)
	}
	f.valueBool = append(f.valueBool, v)
	return nil
}

func (f *Field) mismatch(t ValueType) error {
	return fmt.Errorf("field %q holds %v values; cannot add %v", f.name, f.valueType, t)
}

// GetName returns the field name.
func (f *Field) GetName() string { return f.name }

// GetValueType returns the field's value type (STRING when unset).
func (f *Field) GetValueType() ValueType { return f.valueType }

// GetRepresentation returns the representation ("" when unset).
func (f *Field) GetRepresentation() string { return f.representation }

// SetRepresentation sets the representation.
func (f *Field) SetRepresentation(r string) {
	f.representation = r
	f.present |= fieldHasRepresentation
}

// GetValueString returns the STRING values.
func (f *Field) GetValueString() []string { return f.valueString }

// GetValueBytes returns the BYTES values.
func (f *Field) GetValueBytes() [][]byte { return f.valueBytes }

// GetValueInteger returns the INTEGER values.
func (f *Field) GetValueInteger() []int64 { return f.valueInteger }

// GetValueDouble returns the DOUBLE values.
func (f *Field) GetValueDouble() []float64 { return f.valueDouble }

// GetValueBool returns the BOOL values.
func (f *Field) GetValueBool() []bool { return f.valueBool }

// Len returns the number of values in the array matching the value type.
func (f *Field) Len() int {
	switch f.valueType {
	case ValueString:
		return len(f.valueString)
	case ValueBytes:
		return len(f.valueBytes)
	case ValueInteger:
		return len(f.valueInteger)
	case ValueDouble:
		return len(f.valueDouble)
	case ValueBool:
		return len(f.valueBool)
	}
	return 0
}

// ValueAt returns the value at array index i as string, []byte, int64,
// float64 or bool, and false when i is out of range.
func (f *Field) ValueAt(i int) (any, bool) {
	if i < 0 || i >= f.Len() {
		return nil, false
	}
	switch f.valueType {
	case ValueString:
		return f.valueString[i], true
	case ValueBytes:
		return f.valueBytes[i], true
	case ValueInteger:
		return f.valueInteger[i], true
	case ValueDouble:
		return f.valueDouble[i], true
	default:
		return f.valueBool[i], true
	}
}

// GetValue returns the first value, or nil when the field is empty (Heka's
// Field.GetValue).
func (f *Field) GetValue() any {
	v, _ := f.ValueAt(0)
	return v
}

// reset empties f, keeping the capacity of its value slices. It assigns
// field by field (see Message.Reset).
func (f *Field) reset() {
	f.name = ""
	f.representation = ""
	f.resetScalars()
}

// resetScalars is reset without the name and representation, which the
// decoder overwrites (see Message.Unmarshal).
func (f *Field) resetScalars() {
	f.valueType = 0
	f.present = 0
	f.valueString = f.valueString[:0]
	f.valueBytes = f.valueBytes[:0]
	f.valueInteger = f.valueInteger[:0]
	f.valueDouble = f.valueDouble[:0]
	f.valueBool = f.valueBool[:0]
}

// GetFields returns the message's fields in order. The slice belongs to the
// message.
func (m *Message) GetFields() []*Field { return m.fields }

// AddField appends f to the message (a nil f is ignored). The message takes
// ownership of f: after a Reset it may reuse f's memory for decoded fields.
func (m *Message) AddField(f *Field) {
	if f != nil {
		m.fields = append(m.fields, f)
	}
}

// AppendField appends an empty field of the given type to the message, set
// up as NewFieldInit does, and returns it for its values to be added. Unlike
// AddField(NewFieldInit(...)) it recycles a Field (and its value slices) left
// by an earlier message after Reset, so that a reused Message is filled
// without allocating.
func (m *Message) AppendField(name string, t ValueType, representation string) *Field {
	f := m.newField()
	f.name = name
	f.valueType = t
	f.representation = representation
	f.present = fieldHasValueType | fieldHasRepresentation
	return f
}

// DeleteField removes f (compared by identity) from the message.
func (m *Message) DeleteField(f *Field) {
	for i, g := range m.fields {
		if g == f {
			copy(m.fields[i:], m.fields[i+1:])
			m.fields[len(m.fields)-1] = nil
			m.fields = m.fields[:len(m.fields)-1]
			return
		}
	}
}

// newField returns a cleared Field appended to the message, reusing a Field
// left in the slice's spare capacity by Reset when there is one.
func (m *Message) newField() *Field {
	if f := m.reuseField(); f != nil {
		f.reset()
		return f
	}
	f := new(Field)
	if n := len(m.fields); n < cap(m.fields) {
		m.fields = m.fields[:n+1]
		m.fields[n] = f
		return f
	}
	m.fields = append(m.fields, f)
	return f
}

// reuseField appends to the message the Field left in the slice's spare
// capacity by Reset and returns it, not cleared, or returns nil when there
// is none. It is small enough to be inlined into the decoder.
func (m *Message) reuseField() *Field {
	if n := len(m.fields); n < cap(m.fields) {
		if f := m.fields[:n+1][n]; f != nil {
			m.fields = m.fields[:n+1]
			return f
		}
	}
	return nil
}

// FindFirstField returns the first field named name, or nil.
func (m *Message) FindFirstField(name string) *Field {
	return m.FindField(name, 0)
}

// FindField returns the fieldIndex-th field (0-based) among the fields named
// name, or nil when there are not that many: Heka's Fields[name][fieldIndex].
func (m *Message) FindField(name string, fieldIndex int) *Field {
	for _, f := range m.fields {
		if f.name == name {
			if fieldIndex == 0 {
				return f
			}
			fieldIndex--
		}
	}
	return nil
}

// FindAllFields returns every field named name.
func (m *Message) FindAllFields(name string) []*Field {
	var all []*Field
	for _, f := range m.fields {
		if f.name == name {
			all = append(all, f)
		}
	}
	return all
}

// GetFieldValue returns the first value of the first field named name
// (Heka's Message.GetFieldValue).
func (m *Message) GetFieldValue(name string) (any, bool) {
	return m.FieldValue(name, 0, 0)
}

// FieldValue returns the value at Fields[name][fieldIndex][arrayIndex], with
// Heka's matcher semantics: false when the field or either index is absent.
func (m *Message) FieldValue(name string, fieldIndex, arrayIndex int) (any, bool) {
	f := m.FindField(name, fieldIndex)
	if f == nil {
		return nil, false
	}
	return f.ValueAt(arrayIndex)
}

// HasValueType reports whether value_type is present (set by a constructor
// or decoded); a field without it is STRING.
func (f *Field) HasValueType() bool { return f.present&fieldHasValueType != 0 }

// HasRepresentation reports whether representation is present.
func (f *Field) HasRepresentation() bool { return f.present&fieldHasRepresentation != 0 }
