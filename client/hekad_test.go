package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/client/hekadtest"
	"github.com/hekad-go/hekad/message"
)

// hekadBin is hekad, built by TestMain for the tests that run it.
var hekadBin string

func TestMain(m *testing.M) { hekadtest.Main(m, &hekadBin) }

// teeSender keeps a copy of every record its Sender accepted.
type teeSender struct {
	Sender
	copy BufferSender
}

func (s *teeSender) Send(rec []byte) error {
	err := s.Sender.Send(rec)
	if err == nil {
		s.copy.Send(rec)
	}
	return err
}

// newSender returns a sender of the network to the matching input of h.
func newSender(t *testing.T, h *hekadtest.Hekad, network string) Sender {
	t.Helper()
	var s Sender
	var err error
	switch network {
	case "udp":
		s, err = NewDatagramSender("udp", h.UDP, DatagramOptions{})
	case "udp-batch":
		s, err = NewDatagramSender("udp", h.UDP, DatagramOptions{BatchBytes: 60000})
	case "unixgram":
		s, err = NewDatagramSender("unixgram", h.Path("dgram.sock"), DatagramOptions{})
	case "tcp":
		s, err = NewStreamSender("tcp", h.TCP, StreamOptions{})
	case "unix":
		s, err = NewStreamSender("unix", h.Path("stream.sock"), StreamOptions{})
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHekadCalls: every call, over every transport, reaches a real hekad
// as the very message the client encoded (uuid, timestamp and all), and
// with the fields and types of heka-py's conventions.
func TestHekadCalls(t *testing.T) {
	h := hekadtest.StartStandard(t, hekadBin, t.TempDir(), "")
	hostname, _ := os.Hostname()
	calls := []struct {
		call func(c *Client) error
		want want
	}{
		{func(c *Client) error {
			return c.Send("app.event", "", SeverityNotice, "hello", String("s", "v"), Int("i", -3),
				Float("f", 1.5), Bool("b", true), Any("ss", []string{"x", "y"}), Any("by", []byte{0, 1}),
				Int("size", 10).WithRepresentation("B"))
		}, want{"app.event", "", "hello", 5,
			"s:STRING:=[v] i:INTEGER:=[-3] f:DOUBLE:=[1.5] b:BOOL:=[true] ss:STRING:=[x y] by:BYTES:=[[0 1]] size:INTEGER:B=[10]"}},
		{func(c *Client) error { return c.Incr("hits", 3, 1) }, want{"counter", "", "3", 6, "name:STRING:=[hits] rate:DOUBLE:=[1]"}},
		{func(c *Client) error { return c.Gauge("temp", 21.5, 1) }, want{"gauge", "", "21.5", 6, "name:STRING:=[temp] rate:DOUBLE:=[1]"}},
		{func(c *Client) error { return c.TimerSend("db", 12*time.Millisecond, 0.5) }, want{"timer", "", "12", 6, "name:STRING:=[db] rate:DOUBLE:=[0.5]"}},
		{func(c *Client) error { return c.Warn("careful", Int("n", 1)) }, want{"oldstyle", "", "careful", 4, "n:INTEGER:=[1]"}},
		{func(c *Client) error { return c.Exception(errors.New("boom")) }, want{"oldstyle", "", "-", 1, "-"}},
	}
	for _, network := range []string{"udp", "udp-batch", "unixgram", "tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			tee := &teeSender{Sender: newSender(t, h, network)}
			logger := "calls-" + network
			c, err := New(tee, Options{Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range calls {
				if err := tc.call(c); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
			sent, err := tee.copy.Messages(nil)
			if err != nil {
				t.Fatal(err)
			}
			got := h.WaitReceived(t, "all.log", logger, len(calls))
			if len(got) != len(calls) {
				t.Fatalf("%d messages, want %d", len(got), len(calls))
			}
			for i, tc := range calls {
				w := tc.want
				w.logger = logger
				if w.payload == "-" {
					w.payload = got[i].GetPayload()
					if !strings.HasPrefix(w.payload, "boom\n") || got[i].FindFirstField(FieldStack) == nil {
						t.Errorf("exception %q %s", w.payload, fieldsString(got[i]))
					}
				}
				checkMessage(t, got[i], w, hostname, int32(os.Getpid()))
				if !got[i].Equal(sent[i]) {
					t.Errorf("message %d differs from the one sent (uuid %s, sent %s)", i, got[i].GetUuidString(), sent[i].GetUuidString())
				}
			}
			if n := len(h.Received(t, "signed.log", logger)); n != 0 {
				t.Errorf("%d unsigned messages passed message_signer", n)
			}
		})
	}
}

// TestHekadSigned: messages signed with the key hekad knows (md5 or sha1)
// are accepted and pass message_signer = "app"; a wrong key or an unknown
// key version gets them dropped by hekad's splitter.
func TestHekadSigned(t *testing.T) {
	h := hekadtest.StartStandard(t, hekadBin, t.TempDir(), "")
	tests := []struct {
		name    string
		signer  message.SigningConfig
		network string
		ok      bool
	}{
		{"md5 tcp", message.SigningConfig{Name: "app", Key: "secret", Version: 1}, "tcp", true},
		{"sha1 udp", message.SigningConfig{Name: "app", Hash: "sha1", Key: "secret", Version: 1}, "udp", true},
		{"wrong key", message.SigningConfig{Name: "app", Key: "guess", Version: 1}, "tcp", false},
		{"unknown version", message.SigningConfig{Name: "app", Key: "secret", Version: 2}, "udp", false},
	}
	const n = 5
	for _, tc := range tests {
		logger := "signed-" + strings.ReplaceAll(tc.name, " ", "-")
		c, err := New(newSender(t, h, tc.network), Options{Logger: logger, Signer: &tc.signer})
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if err := c.Info(fmt.Sprint(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Close(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	// A last unsigned message, sent after the others on the same
	// transports, tells when hekad has seen everything.
	for _, network := range []string{"tcp", "udp"} {
		c, _ := New(newSender(t, h, network), Options{Logger: "last"})
		c.Info("last")
		c.Close(t.Context())
	}
	h.WaitReceived(t, "all.log", "last", 2)
	h.Stop() // flushes the outputs
	for _, tc := range tests {
		logger := "signed-" + strings.ReplaceAll(tc.name, " ", "-")
		all, signed := len(h.Received(t, "all.log", logger)), len(h.Received(t, "signed.log", logger))
		want := 0
		if tc.ok {
			want = n
		}
		if all != want || signed != want {
			t.Errorf("%s: %d messages received, %d passed message_signer; want %d", tc.name, all, signed, want)
		}
	}
}

// TestHekadDownThenUp: a TCP client sends while hekad is down: the queue
// holds what fits, the rest is dropped and counted (by Send's error,
// counted here, and by the sender); when hekad starts, every queued
// message arrives: received = sent - dropped, exactly.
func TestHekadDownThenUp(t *testing.T) {
	dir := t.TempDir()
	tcp := hekadtest.FreeAddr(t, "tcp")
	s, err := NewStreamSender("tcp", tcp, StreamOptions{QueueBytes: 100 << 10, MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	const logger, n = "down-then-up", 3000
	c, err := New(s, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for i := range n {
		if err := c.Incr("queued", int64(i), 1); errors.Is(err, ErrQueueFull) {
			refused++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if refused == 0 || refused == n {
		t.Fatalf("%d of %d refused: the test wants some queued, some dropped", refused, n)
	}
	h := hekadtest.StartStandard(t, hekadBin, dir, tcp)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got := h.WaitReceived(t, "all.log", logger, n-refused)
	st := s.Stats()
	if len(got) != n-refused || st.Dropped != uint64(refused) || st.Sent != uint64(n-refused) {
		t.Errorf("received %d, refused %d of %d; sender stats %+v", len(got), refused, n, st)
	}
	// The queue kept the first messages, in order.
	for i, m := range got {
		if m.GetPayload() != fmt.Sprint(i) {
			t.Fatalf("message %d has payload %q", i, m.GetPayload())
		}
	}
}

// TestHekadRestartAck: hekad is stopped in the middle of an acknowledging
// TCP client's stream and started again; the client reconnects and writes
// again what was not acknowledged. Every message sent arrives (some twice):
// the messages lost are exactly those the client counts as dropped (none
// here).
func TestHekadRestartAck(t *testing.T) {
	dir := t.TempDir()
	tcp := hekadtest.FreeAddr(t, "tcp")
	h := hekadtest.StartStandard(t, hekadBin, dir, tcp)
	s, err := NewStreamSender("tcp", tcp, StreamOptions{Ack: true, MaxBackoff: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	const logger, n = "restart", 20000
	c, err := New(s, Options{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n / 2 {
		c.Info(fmt.Sprint(i))
	}
	// Stop hekad while the first half is on its way, send the second half
	// while it is down, then start it again.
	h.Stop()
	for i := n / 2; i < n; i++ {
		c.Info(fmt.Sprint(i))
	}
	hekadtest.StartStandard(t, hekadBin, dir, tcp)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	msgs, err := hekadtest.ReadMessages(filepath.Join(dir, "all.log"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		if m.GetLogger() == logger {
			seen[m.GetPayload()] = true
		}
	}
	lost := 0
	for i := range n {
		if !seen[fmt.Sprint(i)] {
			lost++
		}
	}
	if lost != int(st.Dropped) || st.Sent+st.Dropped != n {
		t.Errorf("%d lost, sender stats %+v", lost, st)
	}
	t.Logf("%d messages, %d distinct received, %d records written in all, %d reconnections", n, len(seen), len(msgs), st.Reconnects)
}

// TestHekadCatFieldTypes: a message with a field of each Go type, sent to
// hekad and written by its FileOutput, read back with heka-cat: each field
// has Heka's value type.
func TestHekadCatFieldTypes(t *testing.T) {
	cat, err := hekadtest.BuildCommand(t.TempDir(), "heka-cat")
	if err != nil {
		t.Fatal(err)
	}
	h := hekadtest.StartStandard(t, hekadBin, t.TempDir(), "")
	s, err := NewStreamSender("tcp", h.TCP, StreamOptions{Ack: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(s, Options{Logger: "types"})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Info("typed", Int("int", -3), Any("int32", int32(7)), Float("float", 2.5), Bool("bool", true),
		String("string", "s"), Any("strings", []string{"a", "b"}), Any("bytes", []byte("xy")),
		Any("ints", []int64{1, 2}), Int("ms", 12).WithRepresentation("ms"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(t.Context()); err != nil { // acknowledged: in all.log
		t.Fatal(err)
	}
	out, err := exec.Command(cat, "-format", "txt", "-match", "Logger == 'types'", h.Path("all.log")).Output()
	if err != nil {
		t.Fatalf("heka-cat: %v", err)
	}
	for _, want := range []string{
		`name:"int" value_type:INTEGER representation:"" value_integer:-3 `,
		`name:"int32" value_type:INTEGER representation:"" value_integer:7 `,
		`name:"float" value_type:DOUBLE representation:"" value_double:2.5 `,
		`name:"bool" value_type:BOOL representation:"" value_bool:true `,
		`name:"string" value_type:STRING representation:"" value_string:"s" `,
		`name:"strings" value_type:STRING representation:"" value_string:"a" value_string:"b" `,
		`name:"bytes" value_type:BYTES representation:"" value_bytes:"xy" `,
		`name:"ints" value_type:INTEGER representation:"" value_integer:1 value_integer:2 `,
		`name:"ms" value_type:INTEGER representation:"ms" value_integer:12 `,
		"Type: oldstyle\n", "Logger: types\n", "Payload: typed\n", "Severity: 6\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("heka-cat output lacks %q:\n%s", want, out)
		}
	}
}

// TestHekadUDPBatch: 10,000 messages packed into 60,000-byte datagrams all
// reach hekad, whose UdpInput splits each datagram into its records.
func TestHekadUDPBatch(t *testing.T) {
	h := hekadtest.StartStandard(t, hekadBin, t.TempDir(), "")
	s := newSender(t, h, "udp-batch").(*DatagramSender)
	c, err := New(s, Options{Logger: "udp-batch-bulk"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 10000
	for i := range n {
		if err := c.Incr("bulk", int64(i), 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	got := h.WaitReceived(t, "all.log", "udp-batch-bulk", n)
	if st := s.Stats(); len(got) != n || st.Sent != n || st.Dropped != 0 {
		t.Errorf("%d received, sender stats %+v", len(got), st)
	}
	for i, m := range got {
		if m.GetPayload() != fmt.Sprint(i) {
			t.Fatalf("message %d has payload %q", i, m.GetPayload())
		}
	}
}
