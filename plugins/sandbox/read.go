package sandbox

import (
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// reader serves read_message for the pack being processed.
type reader struct {
	pack *pipeline.Pack // nil outside process_message
	// own is an encoder's private copy of the message, made by its first
	// write_message; read_message then reads it.
	own *message.Message
	// next is the index of the field read_next_field returns next.
	next int
}

// set makes p the pack read_message reads (nil outside process_message).
func (r *reader) set(p *pipeline.Pack) {
	r.pack, r.own, r.next = p, nil, 0
}

// message is the message read_message reads, decoded in full.
func (r *reader) message() *message.Message {
	if r.own != nil {
		return r.own
	}
	return r.pack.Message()
}

// readNextField is read_next_field(): value_type, name, first value,
// representation and value count of the message's next field, then nils
// once every field was returned.
func (r *reader) readNextField(L *lua.LState) int {
	var fields []*message.Field
	if r.pack != nil {
		fields = r.message().GetFields()
	}
	if r.next >= len(fields) {
		for range 5 {
			L.Push(lua.LNil)
		}
		return 5
	}
	f := fields[r.next]
	r.next++
	first, _ := f.ValueAt(0)
	L.Push(lua.LNumber(f.GetValueType()))
	L.Push(lua.LString(f.GetName()))
	L.Push(fieldValue(first))
	L.Push(lua.LString(f.GetRepresentation()))
	L.Push(lua.LNumber(f.Len()))
	return 5
}

// decodeMessage is decode_message(bytes): the protobuf message as a table
// {Uuid, Timestamp, Type, Logger, Severity, Payload, EnvVersion, Pid,
// Hostname, Fields = {{name, value_type, representation, value = {...}}}}.
func decodeMessage(L *lua.LState) int {
	var m message.Message
	if err := m.Unmarshal([]byte(L.CheckString(1))); err != nil {
		L.RaiseError("decode_message() protobuf unmarshal failed: %v", err)
	}
	t := L.NewTable()
	t.RawSetString("Uuid", lua.LString(m.GetUuid()))
	t.RawSetString("Timestamp", lua.LNumber(m.GetTimestamp()))
	for _, h := range []struct {
		name  string
		value string
		has   message.HeaderField
	}{{"Type", m.GetType(), message.HeaderType}, {"Logger", m.GetLogger(), message.HeaderLogger},
		{"Payload", m.GetPayload(), message.HeaderPayload}, {"EnvVersion", m.GetEnvVersion(), message.HeaderEnvVersion},
		{"Hostname", m.GetHostname(), message.HeaderHostname}} {
		if m.Has(h.has) {
			t.RawSetString(h.name, lua.LString(h.value))
		}
	}
	t.RawSetString("Severity", lua.LNumber(m.GetSeverity()))
	if m.Has(message.HeaderPid) {
		t.RawSetString("Pid", lua.LNumber(m.GetPid()))
	}
	if fields := m.GetFields(); len(fields) > 0 {
		ft := L.CreateTable(len(fields), 0)
		for _, f := range fields {
			e := L.CreateTable(0, 4)
			e.RawSetString("name", lua.LString(f.GetName()))
			e.RawSetString("value_type", lua.LNumber(f.GetValueType()))
			e.RawSetString("representation", lua.LString(f.GetRepresentation()))
			vals := L.CreateTable(f.Len(), 0)
			for i := range f.Len() {
				v, _ := f.ValueAt(i)
				vals.RawSetInt(i+1, fieldValue(v))
			}
			e.RawSetString("value", vals)
			ft.Append(e)
		}
		t.RawSetString("Fields", ft)
	}
	L.Push(t)
	return 1
}

// messageArg fills m from inject_message's argument: a table (see
// tableToMessage) or a string holding an encoded message.
func messageArg(L *lua.LState, m *message.Message) {
	switch v := L.Get(1).(type) {
	case *lua.LTable:
		if err := tableToMessage(v, m); err != nil {
			L.RaiseError("inject_message() %v", err)
		}
	case lua.LString:
		if err := m.Unmarshal([]byte(v)); err != nil {
			L.RaiseError("inject_message() protobuf unmarshal failed: %v", err)
		}
	default:
		L.ArgError(1, "table or string expected, got "+v.Type().String())
	}
}

// readMessage is read_message(variable[, field_index[, array_index]]):
// a header, "raw" (the message's encoding) or Fields[name]; nil when absent.
func (r *reader) readMessage(L *lua.LState) int {
	name := L.CheckString(1)
	fi := L.OptInt(2, 0)
	ai := L.OptInt(3, 0)
	if fi < 0 || ai < 0 {
		L.ArgError(2, "field and array indices must be >= 0")
	}
	if r.pack == nil {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(r.variable(name, fi, ai))
	return 1
}

// variable is the value of one read_message variable.
func (r *reader) variable(name string, fi, ai int) lua.LValue {
	headers := r.own
	if r.own == nil {
		headers = r.pack.MessageHeaders()
	}
	if field, ok := fieldName(name); ok {
		v, ok := r.message().FieldValue(field, fi, ai)
		if !ok {
			return lua.LNil
		}
		return fieldValue(v)
	}
	m := headers
	switch name {
	case "Type":
		return lua.LString(m.GetType())
	case "Logger":
		return lua.LString(m.GetLogger())
	case "Payload":
		return lua.LString(m.GetPayload())
	case "EnvVersion":
		return lua.LString(m.GetEnvVersion())
	case "Hostname":
		return lua.LString(m.GetHostname())
	case "Uuid":
		return lua.LString(m.GetUuidString())
	case "Timestamp":
		return lua.LNumber(m.GetTimestamp())
	case "Severity":
		return lua.LNumber(m.GetSeverity())
	case "Pid":
		return lua.LNumber(m.GetPid())
	case "raw":
		if r.own != nil {
			return lua.LString(r.own.Marshal())
		}
		return lua.LString(r.pack.Bytes())
	}
	return lua.LNil
}

// fieldName is the name inside "Fields[name]".
func fieldName(v string) (string, bool) {
	if strings.HasPrefix(v, "Fields[") && strings.HasSuffix(v, "]") {
		return v[len("Fields[") : len(v)-1], true
	}
	return "", false
}

// fieldValue converts a field value to Lua.
func fieldValue(v any) lua.LValue {
	switch x := v.(type) {
	case string:
		return lua.LString(x)
	case []byte:
		if len(x) == 0 {
			return lua.LNil // Heka reads an empty BYTES value as nil
		}
		return lua.LString(x)
	case int64:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case bool:
		return lua.LBool(x)
	}
	return lua.LNil
}

// setHeader writes a header from a Lua value (inject_message and
// write_message): false when name is not a header or v has the wrong type.
func setHeader(m *message.Message, name string, v lua.LValue) bool {
	str, isStr := v.(lua.LString)
	num, isNum := v.(lua.LNumber)
	if !isStr && isNum {
		str, isStr = lua.LString(lua.LVAsString(num)), true
	}
	switch name {
	case "Type", "Logger", "Payload", "EnvVersion", "Hostname":
		if !isStr {
			return false
		}
		setString(m, name, string(str))
	case "Timestamp":
		ns, ok := timestampValue(v)
		if !ok {
			return false
		}
		m.SetTimestamp(ns)
	case "Severity", "Pid":
		n, ok := integerValue(v)
		if !ok {
			return false
		}
		if name == "Severity" {
			m.SetSeverity(int32(n))
		} else {
			m.SetPid(int32(n))
		}
	case "Uuid":
		if !isStr {
			return false
		}
		if len(str) == message.UUIDSize {
			m.SetUuid([]byte(str))
		} else {
			m.SetNewUUID()
		}
	default:
		return false
	}
	return true
}

// setString sets one of the string headers.
func setString(m *message.Message, name, v string) {
	switch name {
	case "Type":
		m.SetType(v)
	case "Logger":
		m.SetLogger(v)
	case "Payload":
		m.SetPayload(v)
	case "EnvVersion":
		m.SetEnvVersion(v)
	case "Hostname":
		m.SetHostname(v)
	}
}

// integerValue is a number, or a string holding an integer (write_message
// accepts both for Severity and Pid).
func integerValue(v lua.LValue) (int64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return int64(x), true
	case lua.LString:
		n, err := strconv.ParseInt(strings.TrimSpace(string(x)), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// timeLayouts are the date forms a Timestamp string may take when it is not
// a number of nanoseconds (Heka parsed them with a forgiving date parser).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999", "2006-01-02", time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC,
	time.UnixDate, "02/Jan/2006:15:04:05 -0700", "Jan _2 15:04:05 2006", "Jan _2 2006 15:04:05"}

// timestampValue is a Timestamp in nanoseconds from a number, an integer
// string, or a date string (UTC unless it names its zone).
func timestampValue(v lua.LValue) (int64, bool) {
	if n, ok := integerValue(v); ok {
		return n, true
	}
	s, ok := v.(lua.LString)
	if !ok {
		return 0, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, strings.TrimSpace(string(s))); err == nil {
			return t.UnixNano(), true
		}
	}
	return 0, false
}
