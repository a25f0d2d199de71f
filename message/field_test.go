package message

import (
	"testing"
)

func TestNewFieldTypes(t *testing.T) {
	tests := []struct {
		value any
		typ   ValueType
		first any
		n     int
	}{
		{"s", ValueString, "s", 1},
		{[]string{"a", "b"}, ValueString, "a", 2},
		{[]byte("b"), ValueBytes, []byte("b"), 1},
		{[][]byte{{1}, {2}, {3}}, ValueBytes, []byte{1}, 3},
		{7, ValueInteger, int64(7), 1},
		{int8(-8), ValueInteger, int64(-8), 1},
		{uint32(9), ValueInteger, int64(9), 1},
		{uint64(1 << 63), ValueInteger, int64(-1 << 63), 1},
		{[]int{1, 2}, ValueInteger, int64(1), 2},
		{[]int32{3}, ValueInteger, int64(3), 1},
		{float32(0.5), ValueDouble, 0.5, 1},
		{[]float64{1.5, 2}, ValueDouble, 1.5, 2},
		{true, ValueBool, true, 1},
		{[]bool{false, true}, ValueBool, false, 2},
	}
	for _, tc := range tests {
		f, err := NewField("f", tc.value, "rep")
		if err != nil {
			t.Errorf("NewField(%T): %v", tc.value, err)
			continue
		}
		if f.GetValueType() != tc.typ || f.Len() != tc.n || f.GetRepresentation() != "rep" {
			t.Errorf("NewField(%T): type %v len %d rep %q", tc.value, f.GetValueType(), f.Len(), f.GetRepresentation())
		}
		first := f.GetValue()
		if b, ok := first.([]byte); ok {
			if string(b) != string(tc.first.([]byte)) {
				t.Errorf("NewField(%T).GetValue() = %v, want %v", tc.value, first, tc.first)
			}
		} else if first != tc.first {
			t.Errorf("NewField(%T).GetValue() = %v (%T), want %v", tc.value, first, first, tc.first)
		}
	}
	if _, err := NewField("f", struct{}{}, ""); err == nil {
		t.Error("NewField accepted a struct")
	}
}

func TestFieldTypedAddersCheckType(t *testing.T) {
	adders := map[ValueType]func(f *Field) error{
		ValueString:  func(f *Field) error { return f.AddString("s") },
		ValueBytes:   func(f *Field) error { return f.AddBytes([]byte("b")) },
		ValueInteger: func(f *Field) error { return f.AddInteger(1) },
		ValueDouble:  func(f *Field) error { return f.AddDouble(1) },
		ValueBool:    func(f *Field) error { return f.AddBool(true) },
	}
	for ft := ValueString; ft <= ValueBool; ft++ {
		for at, add := range adders {
			f := NewFieldInit("f", ft, "")
			err := add(f)
			if (err == nil) != (ft == at) {
				t.Errorf("adding %v to a %v field: err = %v", at, ft, err)
			}
			if ft != at && f.Len() != 0 {
				t.Errorf("rejected %v value was added to a %v field", at, ft)
			}
		}
		if err := NewFieldInit("f", ft, "").AddValue(struct{}{}); err == nil {
			t.Errorf("AddValue accepted a struct on a %v field", ft)
		}
	}
}

func TestAddBytesCopies(t *testing.T) {
	b := []byte("abc")
	f := NewFieldInit("f", ValueBytes, "")
	if err := f.AddBytes(b); err != nil {
		t.Fatal(err)
	}
	b[0] = 'X'
	if got := string(f.GetValueBytes()[0]); got != "abc" {
		t.Errorf("stored value changed with the caller's slice: %q", got)
	}
}

func TestValueAt(t *testing.T) {
	f := mustField(t, "f", []int64{10, 20}, "")
	if v, ok := f.ValueAt(1); !ok || v != int64(20) {
		t.Errorf("ValueAt(1) = %v, %v", v, ok)
	}
	for _, i := range []int{-1, 2} {
		if v, ok := f.ValueAt(i); ok || v != nil {
			t.Errorf("ValueAt(%d) = %v, %v; want nil, false", i, v, ok)
		}
	}
	bad := &Field{valueType: 9, valueBool: []bool{true}}
	if v, ok := bad.ValueAt(0); ok {
		t.Errorf("ValueAt on an out-of-range value type = %v", v)
	}
	if s := ValueType(9).String(); s != "ValueType(9)" {
		t.Errorf("String = %q", s)
	}
	if s := ValueDouble.String(); s != "DOUBLE" {
		t.Errorf("String = %q", s)
	}
}

func TestFindFields(t *testing.T) {
	var m Message
	a0 := mustField(t, "a", "first", "")
	b0 := mustField(t, "b", 1, "")
	a1 := mustField(t, "a", []string{"x", "y"}, "")
	m.AddField(a0)
	m.AddField(b0)
	m.AddField(a1)
	m.AddField(nil) // ignored
	if len(m.GetFields()) != 3 {
		t.Fatalf("%d fields, want 3", len(m.GetFields()))
	}
	if m.FindFirstField("a") != a0 || m.FindField("a", 1) != a1 || m.FindField("a", 2) != nil ||
		m.FindFirstField("c") != nil {
		t.Error("FindField returns the wrong fields")
	}
	if all := m.FindAllFields("a"); len(all) != 2 || all[0] != a0 || all[1] != a1 {
		t.Errorf("FindAllFields = %v", all)
	}
	tests := []struct {
		name         string
		field, index int
		want         any
		ok           bool
	}{
		{"a", 0, 0, "first", true},
		{"a", 1, 1, "y", true},
		{"a", 1, 2, nil, false},
		{"a", 2, 0, nil, false},
		{"b", 0, 0, int64(1), true},
		{"missing", 0, 0, nil, false},
	}
	for _, tc := range tests {
		v, ok := m.FieldValue(tc.name, tc.field, tc.index)
		if v != tc.want || ok != tc.ok {
			t.Errorf("FieldValue(%q, %d, %d) = %v, %v; want %v, %v", tc.name, tc.field, tc.index, v, ok, tc.want, tc.ok)
		}
	}
	if v, ok := m.GetFieldValue("b"); !ok || v != int64(1) {
		t.Errorf("GetFieldValue = %v, %v", v, ok)
	}
	m.DeleteField(a0)
	if m.FindFirstField("a") != a1 || len(m.GetFields()) != 2 {
		t.Error("DeleteField did not remove the field")
	}
	m.DeleteField(a0) // not there: no-op
	if len(m.GetFields()) != 2 {
		t.Error("deleting a missing field changed the message")
	}
}
