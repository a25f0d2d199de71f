package client

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
)

var testNow = time.Date(2026, 12, 5, 1, 2, 3, 456789000, time.UTC)

// newBufferClient returns a client with fixed identity and clock writing to
// a BufferSender.
func newBufferClient(t testing.TB, opts Options) (*Client, *BufferSender) {
	t.Helper()
	b := new(BufferSender)
	if opts.Logger == "" {
		opts.Logger = "app"
	}
	if opts.Hostname == "" {
		opts.Hostname = "host1"
	}
	if opts.Pid == 0 {
		opts.Pid = 4242
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return testNow }
	}
	c, err := New(b, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, b
}

// want is the expected content of one message.
type want struct {
	typ, logger, payload string
	severity             int32
	fields               string // as fieldsString formats them
}

// fieldsString formats a message's fields as "name:TYPE:rep=[values] ...".
func fieldsString(m *message.Message) string {
	var parts []string
	for _, f := range m.GetFields() {
		var vals []string
		for i := range f.Len() {
			v, _ := f.ValueAt(i)
			vals = append(vals, fmt.Sprint(v))
		}
		parts = append(parts, fmt.Sprintf("%s:%v:%s=%v", f.GetName(), f.GetValueType(), f.GetRepresentation(), vals))
	}
	return strings.Join(parts, " ")
}

// checkMessage compares m with w and with the client's identity.
func checkMessage(t *testing.T, m *message.Message, w want, hostname string, pid int32) {
	t.Helper()
	if m.GetType() != w.typ || m.GetLogger() != w.logger || m.GetPayload() != w.payload || m.GetSeverity() != w.severity {
		t.Errorf("type %q logger %q payload %q severity %d, want %q %q %q %d",
			m.GetType(), m.GetLogger(), m.GetPayload(), m.GetSeverity(), w.typ, w.logger, w.payload, w.severity)
	}
	if w.fields != "-" {
		if got := fieldsString(m); got != w.fields {
			t.Errorf("fields\n got %s\nwant %s", got, w.fields)
		}
	}
	if m.GetHostname() != hostname || m.GetPid() != pid || m.GetEnvVersion() != EnvVersion {
		t.Errorf("hostname %q pid %d env_version %q, want %q %d %q", m.GetHostname(), m.GetPid(), m.GetEnvVersion(), hostname, pid, EnvVersion)
	}
	u := m.GetUuid()
	if len(u) != 16 || u[6]>>4 != 4 || u[8]>>6 != 2 {
		t.Errorf("uuid %x is not a version 4 uuid", u)
	}
	if m.GetTimestamp() == 0 {
		t.Error("no timestamp")
	}
}

func TestCalls(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		call func(c *Client) error
		want want
	}{
		{"send", func(c *Client) error {
			return c.Send("my.type", "other", SeverityNotice, "hello", String("s", "v"), Int("i", -3),
				Float("f", 1.5), Bool("b", true), Any("ss", []string{"x", "y"}), Any("by", []byte{1, 2}),
				Int("size", 10).WithRepresentation("B"))
		}, want{"my.type", "other", "hello", 5,
			"s:STRING:=[v] i:INTEGER:=[-3] f:DOUBLE:=[1.5] b:BOOL:=[true] ss:STRING:=[x y] by:BYTES:=[[1 2]] size:INTEGER:B=[10]"}},
		{"send default logger", func(c *Client) error { return c.Send("t", "", SeverityEmergency, "") },
			want{"t", "app", "", 0, ""}},
		{"incr", func(c *Client) error { return c.Incr("hits", 3, 1) },
			want{"counter", "app", "3", 6, "name:STRING:=[hits] rate:DOUBLE:=[1]"}},
		{"incr fields", func(c *Client) error { return c.Incr("hits", -1, 1, String("path", "/")) },
			want{"counter", "app", "-1", 6, "name:STRING:=[hits] rate:DOUBLE:=[1] path:STRING:=[/]"}},
		{"gauge", func(c *Client) error { return c.Gauge("temp", 21.5, 1) },
			want{"gauge", "app", "21.5", 6, "name:STRING:=[temp] rate:DOUBLE:=[1]"}},
		{"gauge integer", func(c *Client) error { return c.Gauge("conns", 42, 1) },
			want{"gauge", "app", "42", 6, "name:STRING:=[conns] rate:DOUBLE:=[1]"}},
		{"gauge huge", func(c *Client) error { return c.Gauge("big", math.MaxFloat64, 1) },
			want{"gauge", "app", "1.7976931348623157e+308", 6, "-"}},
		{"timer send", func(c *Client) error { return c.TimerSend("db", 1500*time.Microsecond, 1) },
			want{"timer", "app", "2", 6, "name:STRING:=[db] rate:DOUBLE:=[1]"}},
		{"timer send rate", func(c *Client) error { return c.TimerSend("db", 12*time.Millisecond, 0.25) },
			want{"timer", "app", "12", 6, "name:STRING:=[db] rate:DOUBLE:=[0.25]"}},
		{"timer since", func(c *Client) error { return c.TimerSince("q", testNow.Add(-40*time.Millisecond), 1) },
			want{"timer", "app", "40", 6, "name:STRING:=[q] rate:DOUBLE:=[1]"}},
		{"timer", func(c *Client) error { return c.Timer("fn", 1, func() {}) },
			want{"timer", "app", "0", 6, "name:STRING:=[fn] rate:DOUBLE:=[1]"}},
		{"debug", func(c *Client) error { return c.Debug("d") }, want{"oldstyle", "app", "d", 7, ""}},
		{"info", func(c *Client) error { return c.Info("i", Int("n", 1)) }, want{"oldstyle", "app", "i", 6, "n:INTEGER:=[1]"}},
		{"notice", func(c *Client) error { return c.Notice("n") }, want{"oldstyle", "app", "n", 5, ""}},
		{"warn", func(c *Client) error { return c.Warn("w") }, want{"oldstyle", "app", "w", 4, ""}},
		{"error", func(c *Client) error { return c.Error("e") }, want{"oldstyle", "app", "e", 3, ""}},
		{"critical", func(c *Client) error { return c.Critical("c") }, want{"oldstyle", "app", "c", 2, ""}},
		{"exception", func(c *Client) error { return c.Exception(boom, String("req", "r1")) },
			want{"oldstyle", "app", "-", 1, "-"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, b := newBufferClient(t, Options{})
			if err := tc.call(c); err != nil {
				t.Fatal(err)
			}
			msgs, err := b.Messages(nil)
			if err != nil || len(msgs) != 1 {
				t.Fatalf("%d messages, %v", len(msgs), err)
			}
			m := msgs[0]
			w := tc.want
			if w.payload == "-" {
				w.payload = m.GetPayload()
			}
			checkMessage(t, m, w, "host1", 4242)
			if m.GetTimestamp() != testNow.UnixNano() {
				t.Errorf("timestamp %d, want %d", m.GetTimestamp(), testNow.UnixNano())
			}
			if st := c.Stats(); st.Sent != 1 || st.Failed != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestException(t *testing.T) {
	c, b := newBufferClient(t, Options{})
	if err := c.Exception(fmt.Errorf("open db: %w", errors.New("refused"))); err != nil {
		t.Fatal(err)
	}
	if err := c.Exception(nil); err != nil {
		t.Fatal(err)
	}
	msgs, err := b.Messages(nil)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	m := msgs[0]
	stack := m.FindFirstField(FieldStack)
	if stack == nil || stack.GetValueType() != message.ValueString || stack.Len() == 0 {
		t.Fatalf("no stack field: %s", fieldsString(m))
	}
	top := stack.GetValueString()[0]
	if !strings.HasPrefix(top, "github.com/hekad-go/hekad/client.TestException ") || !strings.Contains(top, "client_test.go:") {
		t.Errorf("top frame %q is not the caller of Exception", top)
	}
	if v, _ := m.GetFieldValue(FieldErrorType); v != "*fmt.wrapError" {
		t.Errorf("error_type %v", v)
	}
	if !strings.HasPrefix(m.GetPayload(), "open db: refused\ngithub.com/hekad-go/hekad/client.TestException\n\t") {
		t.Errorf("payload %q", m.GetPayload())
	}
	if m.GetSeverity() != int32(SeverityAlert) || m.GetType() != TypeOldstyle {
		t.Errorf("severity %d type %q", m.GetSeverity(), m.GetType())
	}
}

func panicker() { panic("kaput") }

func TestRecover(t *testing.T) {
	c, b := newBufferClient(t, Options{})
	var got any
	func() {
		defer func() { got = recover() }()
		defer c.Recover()
		panicker()
	}()
	if got != "kaput" {
		t.Fatalf("recovered %v, want the panic value again", got)
	}
	msgs, err := b.Messages(nil)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	m := msgs[0]
	if !strings.HasPrefix(m.GetPayload(), "panic: kaput\n") {
		t.Errorf("payload %q", m.GetPayload())
	}
	top := m.FindFirstField(FieldStack).GetValueString()[0]
	if !strings.HasPrefix(top, "github.com/hekad-go/hekad/client.panicker ") {
		t.Errorf("top frame %q, want panicker", top)
	}
	if v, _ := m.GetFieldValue(FieldErrorType); v != "string" {
		t.Errorf("error_type %v", v)
	}
	// Without a panic, nothing is sent.
	func() { defer c.Recover() }()
	if b.Len() != 1 {
		t.Errorf("%d records after a call without panic", b.Len())
	}
}

func TestSampling(t *testing.T) {
	c, b := newBufferClient(t, Options{})
	const n = 20000
	for range n {
		c.Incr("a", 1, 0.25)
		c.Gauge("g", 1, 0)
		c.TimerSince("t", testNow, -1)
	}
	ran := 0
	c.Timer("f", 0, func() { ran++ })
	got := b.Len()
	// 0.25 of n: 5000, with a standard deviation of about 61.
	if got < 4500 || got > 5500 {
		t.Errorf("%d of %d counters at rate 0.25", got, n)
	}
	if st := c.Stats(); st.Sent != uint64(got) || st.SampledOut != uint64(3*n+1-got) {
		t.Errorf("stats %+v, sent %d", st, got)
	}
	if ran != 1 {
		t.Errorf("a sampled-out Timer ran fn %d times", ran)
	}
	msgs, _ := b.Messages(nil)
	if v, _ := msgs[0].GetFieldValue("rate"); v != 0.25 {
		t.Errorf("rate field %v", v)
	}
}

func TestSigned(t *testing.T) {
	tests := []struct {
		hash string
		hmac int
	}{{"", 16}, {"md5", 16}, {"sha1", 20}}
	for _, tc := range tests {
		t.Run("hash="+tc.hash, func(t *testing.T) {
			c, b := newBufferClient(t, Options{Signer: &message.SigningConfig{Name: "app", Hash: tc.hash, Key: "secret", Version: 3}})
			if err := c.Info("signed"); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Messages(map[string]string{"app_3": "wrong"}); err == nil {
				t.Error("a wrong key verified")
			}
			r := message.NewReader(strings.NewReader(string(b.Bytes())), message.FrameOptions{Keys: map[string]string{"app_3": "secret"}})
			f, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if f.Signer != "app" || f.Header.KeyVersion != 3 || len(f.Header.Hmac) != tc.hmac {
				t.Errorf("signer %q version %d hmac %d bytes", f.Signer, f.Header.KeyVersion, len(f.Header.Hmac))
			}
		})
	}
	if _, err := New(new(BufferSender), Options{Signer: &message.SigningConfig{Name: "x", Hash: "sha256"}}); err == nil {
		t.Error("sha256 accepted")
	}
}

func TestErrors(t *testing.T) {
	c, b := newBufferClient(t, Options{MaxMessageSize: 200})
	if err := c.Info(strings.Repeat("x", 300)); !errors.Is(err, message.ErrMessageTooLarge) {
		t.Errorf("oversize: %v", err)
	}
	if err := c.Info("x", Any("bad", struct{}{})); err == nil || !strings.Contains(err.Error(), `"bad"`) {
		t.Errorf("bad field: %v", err)
	}
	if err := c.Info("x", Any("nil", nil)); err == nil {
		t.Error("nil field accepted")
	}
	if b.Len() != 0 || c.Stats().Failed != 3 {
		t.Errorf("%d records, stats %+v", b.Len(), c.Stats())
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Error("nil sender accepted")
	}
}

func TestSendMessage(t *testing.T) {
	c, b := newBufferClient(t, Options{})
	var m message.Message
	m.SetType("raw")
	m.SetHostname("elsewhere")
	m.SetTimestamp(7)
	m.AppendField("k", message.ValueInteger, "").AddInteger(9)
	if err := c.SendMessage(&m); err != nil {
		t.Fatal(err)
	}
	if m.Has(message.HeaderUuid) {
		t.Error("SendMessage changed its argument")
	}
	msgs, _ := b.Messages(nil)
	checkMessage(t, msgs[0], want{"raw", "app", "", 6, "k:INTEGER:=[9]"}, "elsewhere", 4242)
	if msgs[0].GetTimestamp() != 7 {
		t.Errorf("timestamp %d", msgs[0].GetTimestamp())
	}
}

func TestDefaults(t *testing.T) {
	c, err := New(new(BufferSender), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.opts.Severity != SeverityInfo || c.opts.Hostname == "" || c.opts.Pid == 0 || c.Logger() == "" || c.opts.EnvVersion != "0.8" {
		t.Errorf("defaults %+v", c.opts)
	}
	c, _ = New(new(BufferSender), Options{}.SeverityOf(SeverityEmergency))
	if c.opts.Severity != SeverityEmergency {
		t.Errorf("severity %d", c.opts.Severity)
	}
}
