package sandbox

import (
	"strings"

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
	full, headers := r.own, r.own
	if r.own == nil {
		full, headers = r.pack.Message(), r.pack.MessageHeaders()
	}
	if field, ok := fieldName(name); ok {
		v, ok := full.FieldValue(field, fi, ai)
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
		if !isNum {
			return false
		}
		m.SetTimestamp(int64(num))
	case "Severity":
		if !isNum {
			return false
		}
		m.SetSeverity(int32(num))
	case "Pid":
		if !isNum {
			return false
		}
		m.SetPid(int32(num))
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
