package sandbox

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	lsb "github.com/hekad-go/hekad/internal/lua/sandbox"
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// Decoder is SandboxDecoder: process_message is called for every record
// (read_message reads the record's message, usually its Payload); the script
// injects the messages it makes with inject_message (or inject_payload), or
// rewrites the record's own message with write_message.
type Decoder struct {
	name string
	tz   *time.Location // config.tz, nil for UTC
	sb   *lazySandbox
	rd   reader

	ctx      context.Context
	injected []*pipeline.Pack // what the script injected, in order; nil: the message in first
	first    *message.Message // the first injected message, handed on in the record's own pack
}

func newDecoder(cfg Config, env *pipeline.Env) (pipeline.Decoder, error) {
	tz, err := cfg.zone()
	if err != nil {
		return nil, fmt.Errorf("sandbox decoder %q: %w", env.Name(), err)
	}
	d := &Decoder{name: env.Name(), tz: tz}
	sb, err := newSandbox(cfg, env, "sandbox decoder", lsb.Restricted, messageHosts(d, &d.rd))
	if err != nil {
		return nil, err
	}
	d.sb = sb
	return d, nil
}

// Close preserves the script's data (preserve_data) and releases the
// sandbox. The engine closes each decoder instance when its stream ends.
func (d *Decoder) Close() error { return d.sb.close("sandbox decoder", d.name) }

// Decode runs process_message on p. Status 0 routes what the script
// injected, or p itself (as write_message left it) when it injected
// nothing; a negative status fails this record ("Failed parsing"); a
// positive status, a script error or a broken limit is fatal (ErrFatal: the
// input stops), as in Heka.
func (d *Decoder) Decode(ctx context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	if err := d.sb.start(ctx); err != nil {
		return out, fmt.Errorf("sandbox decoder %q: %w: %w", d.name, pipeline.ErrFatal, err)
	}
	d.ctx, d.injected = ctx, d.injected[:0]
	d.rd.set(p)
	status, msg, err := d.sb.ProcessMessage(ctx)
	d.ctx = nil
	d.rd.set(nil)
	if err != nil || status != 0 {
		for _, q := range d.injected {
			if q != nil {
				q.Recycle()
			}
		}
		clear(d.injected)
		d.injected = d.injected[:0]
		switch {
		case err != nil:
			return out, fmt.Errorf("sandbox decoder %q: %w: %w", d.name, pipeline.ErrFatal, err)
		case status > 0:
			return out, fmt.Errorf("sandbox decoder %q: %w: process_message() returned %d: %s", d.name, pipeline.ErrFatal, status, msg)
		}
		return out, fmt.Errorf("sandbox decoder %q: Failed parsing: %s payload: %s", d.name, msg, p.MessageHeaders().GetPayload())
	}
	if len(d.injected) == 0 {
		return append(out, p), nil
	}
	for _, q := range d.injected {
		if q == nil { // the first injection takes the record's pack
			d.first, q = p.SwapMessage(d.first), p
		}
		out = append(out, q)
	}
	clear(d.injected)
	d.injected = d.injected[:0]
	return out, nil
}

// spawn returns the message of an injection: the first of a call goes in
// d.first (a nil pack: Decode hands it on in the record's own pack, so a
// decoder that makes one message per record takes nothing more from the
// pool), the others in packs of their own.
func (d *Decoder) spawn(L *lua.LState, fn string) (*pipeline.Pack, *message.Message) {
	if d.rd.pack == nil {
		L.RaiseError("%s() called outside process_message", fn)
	}
	if !slices.Contains(d.injected, nil) {
		if d.first == nil {
			d.first = new(message.Message)
		}
		d.first.Reset()
		return nil, d.first
	}
	p, err := d.rd.pack.Spawn(d.ctx)
	if err != nil {
		L.RaiseError("%s() aborted: %v", fn, err)
	}
	return p, p.MutableMessage()
}

// fillFrom sets the headers of m that are absent from those of orig.
func fillFrom(m, orig *message.Message) {
	if !m.Has(message.HeaderUuid) {
		m.SetUuid(orig.GetUuid())
	}
	if !m.Has(message.HeaderTimestamp) {
		m.SetTimestamp(orig.GetTimestamp())
	}
	for _, h := range []struct {
		field message.HeaderField
		name  string
		value string
	}{{message.HeaderType, "Type", orig.GetType()}, {message.HeaderLogger, "Logger", orig.GetLogger()},
		{message.HeaderHostname, "Hostname", orig.GetHostname()}} {
		if !m.Has(h.field) && orig.Has(h.field) {
			setString(m, h.name, h.value)
		}
	}
	if !m.Has(message.HeaderSeverity) && orig.Has(message.HeaderSeverity) {
		m.SetSeverity(orig.GetSeverity())
	}
	if !m.Has(message.HeaderPid) && orig.Has(message.HeaderPid) {
		m.SetPid(orig.GetPid())
	}
}

// injectMessage is inject_message(table) in a decoder.
func (d *Decoder) injectMessage(L *lua.LState) int {
	p, m := d.spawn(L, "inject_message")
	filled := false
	defer func() { // also while a Lua error unwinds: give the pack back
		if !filled && p != nil {
			p.Recycle()
		}
	}()
	orig := d.rd.pack.MessageHeaders()
	if t, ok := L.Get(1).(*lua.LTable); ok {
		hadUuid, hadTs := t.RawGetString("Uuid") != lua.LNil, t.RawGetString("Timestamp") != lua.LNil
		messageArg(L, m)
		if !hadUuid {
			m.Clear(message.HeaderUuid)
		}
		if !hadTs {
			m.Clear(message.HeaderTimestamp)
		}
	} else {
		messageArg(L, m)
	}
	fillFrom(m, orig)
	if d.tz != nil && hadTimestamp(L) {
		m.SetTimestamp(rezone(m.GetTimestamp(), d.tz))
	}
	filled = true
	d.injected = append(d.injected, p)
	return 0
}

// hadTimestamp reports whether inject_message's table sets Timestamp (an
// encoded message always does).
func hadTimestamp(L *lua.LState) bool {
	t, ok := L.Get(1).(*lua.LTable)
	return !ok || t.RawGetString("Timestamp") != lua.LNil
}

// rezone reads the wall clock of ns in UTC as a wall clock in loc.
func rezone(ns int64, loc *time.Location) int64 {
	t := time.Unix(0, ns).UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc).UnixNano()
}

// injectPayload is inject_payload([type[, name[, ...]]]) in a decoder: a
// message with the record's headers, the output buffer as Payload and the
// payload_type and payload_name fields.
func (d *Decoder) injectPayload(L *lua.LState) int {
	typ, name, payload := d.sb.InjectPayload(L)
	if len(payload) == 0 {
		return 0
	}
	p, m := d.spawn(L, "inject_payload")
	orig := d.rd.pack.MessageHeaders()
	fillFrom(m, orig) // the headers, not the fields
	if orig.Has(message.HeaderEnvVersion) {
		m.SetEnvVersion(orig.GetEnvVersion())
	}
	m.SetPayload(string(payload))
	m.AppendField("payload_type", message.ValueString, "file-extension").AddString(typ)
	m.AppendField("payload_name", message.ValueString, "").AddString(name)
	d.sb.Output().Reset()
	d.injected = append(d.injected, p)
	return 0
}

// writeMessage is write_message(variable, value[, representation[,
// field_index[, array_index]]]) on the record's own message.
func (d *Decoder) writeMessage(L *lua.LState) int {
	if d.rd.pack == nil {
		L.RaiseError("write_message() called outside process_message")
	}
	return writeMessage(L, d.rd.pack.MutableMessage())
}

// writeMessage does write_message on m.
func writeMessage(L *lua.LState, m *message.Message) int {
	if n := L.GetTop(); n < 2 || n > 5 {
		L.RaiseError("write_message() takes 2 to 5 arguments, got %d", n)
	}
	name := L.CheckString(1)
	v := L.Get(2)
	repr := L.OptString(3, "")
	fi, ai := L.OptInt(4, 0), L.OptInt(5, 0)
	field, isField := fieldName(name)
	if !isField {
		if !writeHeader(m, name, v) {
			L.RaiseError("write_message() failed")
		}
		return 0
	}
	switch v.(type) {
	case lua.LString, lua.LNumber, lua.LBool, *lua.LNilType:
	default:
		L.RaiseError("write_message() failed: unsupported value type %s", v.Type())
	}
	if err := writeField(m, field, v, repr, fi, ai); err != nil {
		L.RaiseError("write_message() failed: %v", err)
	}
	return 0
}

// writeField writes Fields[name][fi][ai] = v with Heka's rules: a new field
// when fi is the count of fields of that name (DOUBLE for numbers, STRING,
// BOOL); an existing one keeps its type (INTEGER fields cannot be written)
// and takes a value at ai or one past its end; nil deletes the field (a name
// that no field has is no error, an index past those it has is).
func writeField(m *message.Message, name string, v lua.LValue, repr string, fi, ai int) error {
	f := m.FindField(name, fi)
	if v == lua.LNil {
		switch {
		case f != nil:
			m.DeleteField(f)
		case len(m.FindAllFields(name)) > 0: // the name exists, the index does not
			return fmt.Errorf("field %s[%d] does not exist", name, fi)
		}
		return nil // deleting a field that does not exist is no error, as in Heka
	}
	if f == nil {
		if fi != len(m.FindAllFields(name)) || ai != 0 {
			return fmt.Errorf("field %s[%d][%d] does not exist", name, fi, ai)
		}
		return addValues(m, name, v, -1, repr)
	}
	values := make([]lua.LValue, 0, f.Len()+1)
	for i := range f.Len() {
		x, _ := f.ValueAt(i)
		values = append(values, fieldValue(x))
	}
	switch {
	case f.GetValueType() == message.ValueInteger:
		return fmt.Errorf("field %s is an INTEGER field", name)
	case !sameType(f.GetValueType(), v):
		return fmt.Errorf("field %s is a %v field, got a %s", name, f.GetValueType(), v.Type())
	case ai < len(values):
		values[ai] = v
	case ai == len(values):
		values = append(values, v)
	default:
		return fmt.Errorf("array index %d past the end of %s", ai, name)
	}
	vt, fr := int(f.GetValueType()), f.GetRepresentation()
	if repr != "" {
		fr = repr
	}
	m.DeleteField(f)
	return addValueList(m, name, values, vt, fr)
}

// writeHeader is write_message of a header, stricter than inject_message's
// tables as Heka's: string headers take strings only, Uuid a 16-byte or a
// 36-character hexadecimal form.
func writeHeader(m *message.Message, name string, v lua.LValue) bool {
	s, isStr := v.(lua.LString)
	switch name {
	case "Type", "Logger", "Payload", "EnvVersion", "Hostname":
		if !isStr {
			return false
		}
	case "Uuid":
		u, ok := parseUUID(string(s))
		if !isStr || !ok {
			return false
		}
		m.SetUuid(u)
		return true
	}
	return setHeader(m, name, v)
}

// parseUUID reads 16 raw bytes or the hyphenated hexadecimal form.
func parseUUID(s string) ([]byte, bool) {
	if len(s) == message.UUIDSize {
		return []byte(s), true
	}
	if len(s) != 36 {
		return nil, false
	}
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != message.UUIDSize || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return nil, false
	}
	return b, true
}

// sameType reports whether v can be a value of a field of type t.
func sameType(t message.ValueType, v lua.LValue) bool {
	switch v.(type) {
	case lua.LString:
		return t == message.ValueString || t == message.ValueBytes
	case lua.LNumber:
		return t == message.ValueDouble
	case lua.LBool:
		return t == message.ValueBool
	}
	return false
}

var _ pipeline.Decoder = (*Decoder)(nil)
