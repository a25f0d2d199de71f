package message

import (
	"bytes"
	"testing"
)

func TestHeaderAccessors(t *testing.T) {
	var m Message
	for h := HeaderUuid; h <= HeaderHostname; h++ {
		if m.Has(h) {
			t.Errorf("zero Message has header %d", h)
		}
	}
	if got := m.GetSeverity(); got != DefaultSeverity {
		t.Errorf("default severity = %d, want %d", got, DefaultSeverity)
	}
	if m.GetUuid() != nil || m.GetPid() != 0 || m.GetPayload() != "" {
		t.Error("zero Message has non-zero values")
	}

	u := []byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10}
	m.SetUuid(u)
	u[0] = 0xff // SetUuid copies
	m.SetTimestamp(-5)
	m.SetType("type")
	m.SetLogger("logger")
	m.SetSeverity(0)
	m.SetPayload("payload")
	m.SetEnvVersion("env")
	m.SetPid(42)
	m.SetHostname("host")
	for h := HeaderUuid; h <= HeaderHostname; h++ {
		if !m.Has(h) {
			t.Errorf("header %d not present after Set", h)
		}
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"uuid", m.GetUuidString(), "01234567-89ab-cdef-fedc-ba9876543210"},
		{"timestamp", m.GetTimestamp(), int64(-5)},
		{"type", m.GetType(), "type"},
		{"logger", m.GetLogger(), "logger"},
		{"severity", m.GetSeverity(), int32(0)},
		{"payload", m.GetPayload(), "payload"},
		{"env_version", m.GetEnvVersion(), "env"},
		{"pid", m.GetPid(), int32(42)},
		{"hostname", m.GetHostname(), "host"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	m.Clear(HeaderSeverity)
	m.Clear(HeaderUuid)
	m.Clear(HeaderType)
	if m.Has(HeaderSeverity) || m.GetSeverity() != DefaultSeverity {
		t.Errorf("after Clear severity present=%v value=%d", m.Has(HeaderSeverity), m.GetSeverity())
	}
	if m.Has(HeaderUuid) || m.GetUuid() != nil || m.GetUuidString() != "" {
		t.Error("uuid survives Clear")
	}
	if m.Has(HeaderType) || m.GetType() != "" {
		t.Error("type survives Clear")
	}
	if !m.Has(HeaderLogger) {
		t.Error("Clear removed another header")
	}
}

func TestUuidString(t *testing.T) {
	tests := []struct {
		uuid []byte
		want string
	}{
		{nil, ""},
		{make([]byte, 15), ""},
		{make([]byte, 17), ""},
		{make([]byte, 16), "00000000-0000-0000-0000-000000000000"},
	}
	for _, tc := range tests {
		var m Message
		m.SetUuid(tc.uuid)
		if got := m.GetUuidString(); got != tc.want {
			t.Errorf("uuid % x: %q, want %q", tc.uuid, got, tc.want)
		}
		if !bytes.Equal(m.GetUuid(), tc.uuid) {
			t.Errorf("GetUuid = % x, want % x", m.GetUuid(), tc.uuid)
		}
	}
}

func TestResetRecyclesFields(t *testing.T) {
	var m Message
	m.SetType("x")
	f := m.AppendField("a", ValueInteger, "ms")
	if err := f.AddInteger(7); err != nil {
		t.Fatal(err)
	}
	m.Reset()
	if m.present != 0 || m.GetType() != "" || len(m.GetFields()) != 0 {
		t.Fatalf("Reset left %s", dump(&m))
	}
	g := m.AppendField("b", ValueString, "")
	if g != f {
		t.Error("AppendField after Reset did not recycle the Field")
	}
	if g.GetName() != "b" || g.GetValueType() != ValueString || g.GetRepresentation() != "" ||
		len(g.GetValueInteger()) != 0 {
		t.Errorf("recycled field not cleared: %+v", g)
	}
	if n := testing.AllocsPerRun(100, func() {
		m.Reset()
		m.SetType("t")
		_ = m.AppendField("b", ValueString, "").AddString("v")
	}); n != 0 {
		t.Errorf("refilling a reset Message: %v allocs, want 0", n)
	}
}

func TestCopyToIsDeep(t *testing.T) {
	src := new(Message)
	src.SetUuid(make([]byte, 16))
	src.SetSeverity(3)
	src.AddField(mustField(t, "b", []byte("abc"), "r"))
	src.AddField(mustField(t, "i", []int64{1, 2}, ""))
	long := new(Message)
	long.SetUuid(bytes.Repeat([]byte{1}, 20))

	for _, m := range []*Message{src, long, new(Message)} {
		dst := new(Message)
		dst.SetPayload("old")
		dst.AddField(mustField(t, "old", "v", ""))
		m.CopyTo(dst)
		if !dst.Equal(m) {
			t.Fatalf("CopyTo = %s\nwant %s", dump(dst), dump(m))
		}
		if c := m.Clone(); !c.Equal(m) {
			t.Fatalf("Clone = %s\nwant %s", dump(c), dump(m))
		}
	}

	c := src.Clone()
	c.GetUuid()[0] = 9
	c.GetFields()[0].GetValueBytes()[0][0] = 'X'
	c.GetFields()[1].GetValueInteger()[0] = 100
	if src.GetUuid()[0] != 0 || string(src.GetFields()[0].GetValueBytes()[0]) != "abc" ||
		src.GetFields()[1].GetValueInteger()[0] != 1 {
		t.Errorf("changing the clone changed the original: %s", dump(src))
	}
	src.CopyTo(src) // no-op
	if src.GetSeverity() != 3 || len(src.GetFields()) != 2 {
		t.Errorf("CopyTo itself changed the message: %s", dump(src))
	}
}

func TestEqual(t *testing.T) {
	base := func() *Message {
		m := new(Message)
		m.SetType("t")
		m.AddField(mustField(t, "d", 1.0, ""))
		return m
	}
	tests := []struct {
		name  string
		edit  func(m *Message)
		equal bool
	}{
		{"same", func(*Message) {}, true},
		{"severity set to its default", func(m *Message) { m.SetSeverity(DefaultSeverity) }, false},
		{"uuid set to empty", func(m *Message) { m.SetUuid(nil) }, false},
		{"header value", func(m *Message) { m.SetType("u") }, false},
		{"header cleared", func(m *Message) { m.Clear(HeaderType) }, false},
		{"extra field", func(m *Message) { m.AddField(NewFieldInit("x", ValueString, "")) }, false},
		{"field value", func(m *Message) { m.GetFields()[0].valueDouble[0] = 2 }, false},
		{"negative zero", func(m *Message) { m.GetFields()[0].valueDouble[0] = negZero() }, false},
		{"representation absent", func(m *Message) { m.GetFields()[0].present &^= fieldHasRepresentation }, false},
		{"value in another array", func(m *Message) { m.GetFields()[0].valueInteger = []int64{1} }, false},
	}
	for _, tc := range tests {
		a, b := base(), base()
		tc.edit(b)
		if got := a.Equal(b); got != tc.equal {
			t.Errorf("%s: Equal = %v, want %v", tc.name, got, tc.equal)
		}
		if got := b.Equal(a); got != tc.equal {
			t.Errorf("%s: reversed Equal = %v, want %v", tc.name, got, tc.equal)
		}
	}
	var nilMsg *Message
	if nilMsg.Equal(base()) || base().Equal(nil) || !nilMsg.Equal(nil) {
		t.Error("Equal mishandles nil")
	}
}

func negZero() float64 {
	z := 0.0
	return -z
}
