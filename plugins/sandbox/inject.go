package sandbox

import (
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/message"
)

// tableToMessage fills m from the table inject_message was given (Heka's
// rules): the headers Uuid (kept only when 16 raw bytes, else a new one),
// Timestamp (default: now, whole seconds), Type, Logger, Severity, Payload,
// EnvVersion, Pid, Hostname, and Fields in hash form {name = value},
// {name = {v1, v2}}, {name = {value = v, value_type = 2, representation =
// "ms"}}, or array form {{name = ..., value = ...}, ...}. Numbers are
// DOUBLE fields unless value_type is 2 (INTEGER); strings are STRING, or
// BYTES with value_type 1; booleans BOOL.
func tableToMessage(t *lua.LTable, m *message.Message) error {
	var err error
	t.ForEach(func(k, v lua.LValue) {
		name, ok := k.(lua.LString)
		if err != nil || !ok {
			return
		}
		if name == "Fields" {
			ft, ok := v.(*lua.LTable)
			if !ok {
				err = fmt.Errorf("Fields must be a table, got %s", v.Type())
				return
			}
			err = addFields(ft, m)
			return
		}
		setHeader(m, string(name), v)
	})
	if err != nil {
		return err
	}
	if !m.Has(message.HeaderUuid) {
		m.SetNewUUID()
	}
	if t.RawGetString("Timestamp") == lua.LNil { // Heka: time(NULL), whole seconds
		m.SetTimestamp(time.Now().Unix() * int64(time.Second))
	}
	return nil
}

// addFields adds the Fields table of inject_message to m.
func addFields(t *lua.LTable, m *message.Message) error {
	if first, ok := t.RawGetInt(1).(*lua.LTable); ok && first.RawGetString("name") != lua.LNil {
		for i := 1; ; i++ {
			ft, ok := t.RawGetInt(i).(*lua.LTable)
			if !ok {
				return nil
			}
			name, ok := ft.RawGetString("name").(lua.LString)
			if !ok {
				return fmt.Errorf("Fields[%d]: name must be a string", i)
			}
			if err := addField(m, string(name), ft); err != nil {
				return err
			}
		}
	}
	var err error
	t.ForEach(func(k, v lua.LValue) {
		name, ok := k.(lua.LString)
		if err != nil || !ok {
			return
		}
		if vt, ok := v.(*lua.LTable); ok && vt.RawGetString("value") != lua.LNil {
			err = addField(m, string(name), vt)
			return
		}
		err = addValues(m, string(name), v, -1, "")
	})
	return err
}

// addField adds a field described by {value = ..., value_type = n,
// representation = "..."}.
func addField(m *message.Message, name string, ft *lua.LTable) error {
	vt := -1
	if n, ok := ft.RawGetString("value_type").(lua.LNumber); ok {
		vt = int(n)
	}
	repr, _ := ft.RawGetString("representation").(lua.LString)
	return addValues(m, name, ft.RawGetString("value"), vt, string(repr))
}

// addValues adds the field name with value v (a scalar or an array of
// scalars of one type).
func addValues(m *message.Message, name string, v lua.LValue, vt int, repr string) error {
	values := []lua.LValue{v}
	if arr, ok := v.(*lua.LTable); ok {
		values = values[:0]
		for i := 1; i <= arr.Len(); i++ {
			values = append(values, arr.RawGetInt(i))
		}
		if len(values) == 0 {
			return nil
		}
	}
	return addValueList(m, name, values, vt, repr)
}

// addValueList adds the field name with values, which must be of one type.
func addValueList(m *message.Message, name string, values []lua.LValue, vt int, repr string) error {
	var typ message.ValueType
	switch values[0].(type) {
	case lua.LString:
		typ = message.ValueString
		if vt == int(message.ValueBytes) {
			typ = message.ValueBytes
		}
	case lua.LNumber:
		typ = message.ValueDouble
		if vt == int(message.ValueInteger) {
			typ = message.ValueInteger
		}
	case lua.LBool:
		typ = message.ValueBool
	default:
		return fmt.Errorf("field %q: unsupported type %s", name, values[0].Type())
	}
	f := m.AppendField(name, typ, repr)
	for _, x := range values {
		var err error
		switch typ {
		case message.ValueString, message.ValueBytes:
			s, ok := x.(lua.LString)
			if !ok {
				return fmt.Errorf("field %q: mixed value types", name)
			}
			if typ == message.ValueBytes {
				err = f.AddBytes([]byte(s))
			} else {
				err = f.AddString(string(s))
			}
		case message.ValueDouble, message.ValueInteger:
			n, ok := x.(lua.LNumber)
			if !ok {
				return fmt.Errorf("field %q: mixed value types", name)
			}
			if typ == message.ValueInteger {
				err = f.AddInteger(int64(n))
			} else {
				err = f.AddDouble(float64(n))
			}
		case message.ValueBool:
			b, ok := x.(lua.LBool)
			if !ok {
				return fmt.Errorf("field %q: mixed value types", name)
			}
			err = f.AddBool(bool(b))
		}
		if err != nil {
			return fmt.Errorf("field %q: %w", name, err)
		}
	}
	return nil
}
