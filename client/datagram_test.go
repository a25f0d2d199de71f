package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
)

// listenDatagram opens a datagram socket for the test and returns it with
// its address.
func listenDatagram(t testing.TB, network string) (net.PacketConn, string) {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unixgram" {
		addr = filepath.Join(t.TempDir(), "s")
	}
	pc, err := net.ListenPacket(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc, pc.LocalAddr().String()
}

// readDatagram reads one datagram and decodes its single framed message.
func readDatagram(t *testing.T, pc net.PacketConn) *message.Message {
	t.Helper()
	msgs := readDatagramAll(t, pc)
	if len(msgs) != 1 {
		t.Fatalf("a datagram of %d messages, want 1", len(msgs))
	}
	return msgs[0]
}

// readDatagramAll reads one datagram and decodes every framed message in
// it.
func readDatagramAll(t *testing.T, pc net.PacketConn) []*message.Message {
	t.Helper()
	buf := make([]byte, 70000)
	pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	r := message.NewReader(bytes.NewReader(buf[:n]), message.FrameOptions{})
	var msgs []*message.Message
	for {
		f, err := r.Next()
		if err != nil {
			break
		}
		m := new(message.Message)
		if err := m.Unmarshal(f.Message); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	if st := r.Stats(); len(msgs) == 0 || st.Garbage != 0 {
		t.Fatalf("datagram of %d bytes: %d messages, %+v", n, len(msgs), st)
	}
	return msgs
}

func TestDatagramSender(t *testing.T) {
	for _, network := range []string{"udp", "unixgram"} {
		t.Run(network, func(t *testing.T) {
			pc, addr := listenDatagram(t, network)
			s, err := NewDatagramSender(network, addr, DatagramOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c, err := New(s, Options{Logger: "dg", Hostname: "h", Pid: 5})
			if err != nil {
				t.Fatal(err)
			}
			c.Incr("n", 2, 1)
			c.Info("line two")
			checkMessage(t, readDatagram(t, pc), want{"counter", "dg", "2", 6, "name:STRING:=[n] rate:DOUBLE:=[1]"}, "h", 5)
			checkMessage(t, readDatagram(t, pc), want{"oldstyle", "dg", "line two", 6, ""}, "h", 5)
			if err := c.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
			if err := c.Info("late"); !errors.Is(err, ErrClosed) {
				t.Errorf("send after close: %v", err)
			}
			if st := s.Stats(); st.Sent != 2 || st.Dropped != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
	if _, err := NewDatagramSender("tcp", "127.0.0.1:1", DatagramOptions{}); err == nil {
		t.Error("tcp accepted")
	}
}

// TestDatagramBatch: with BatchBytes, records are packed into datagrams of
// at most that size, in order; a record too large for a batch goes alone;
// what waits is sent at Flush, at Close, or after FlushInterval.
func TestDatagramBatch(t *testing.T) {
	pc, addr := listenDatagram(t, "udp")
	s, err := NewDatagramSender("udp", addr, DatagramOptions{BatchBytes: 1000, FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(s, Options{Logger: "batch", Hostname: "h", Pid: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		c.Info(fmt.Sprint(i))
	}
	c.Info(string(make([]byte, 1200))) // alone
	c.Info("20")
	if err := c.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	var got []string
	datagrams := 0
	for len(got) < 22 {
		msgs := readDatagramAll(t, pc)
		datagrams++
		for _, m := range msgs {
			p := m.GetPayload()
			if len(p) == 1200 {
				p = "big"
				if len(msgs) != 1 {
					t.Errorf("the large record shares its datagram with %d others", len(msgs)-1)
				}
			}
			got = append(got, p)
		}
	}
	want := "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 big 20"
	if fmt.Sprint(got) != "["+want+"]" {
		t.Errorf("records %v", got)
	}
	if datagrams < 4 || datagrams > 6 {
		t.Errorf("%d datagrams for 20 records of ~110 bytes in 1000-byte batches, a large one and a last one", datagrams)
	}
	// The interval sends a batch nobody flushes; Close sends the last.
	s2, err := NewDatagramSender("udp", addr, DatagramOptions{BatchBytes: 60000, FlushInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := New(s2, Options{Logger: "batch", Hostname: "h", Pid: 1})
	c2.Info("by the timer")
	if m := readDatagram(t, pc); m.GetPayload() != "by the timer" {
		t.Errorf("payload %q", m.GetPayload())
	}
	c.Info("at close")
	if err := c.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if m := readDatagram(t, pc); m.GetPayload() != "at close" {
		t.Errorf("payload %q", m.GetPayload())
	}
	if st := s.Stats(); st.Sent != 23 || st.Dropped != 0 || st.Queued != 0 {
		t.Errorf("stats %+v", st)
	}
	if err := c.Info("late"); !errors.Is(err, ErrClosed) {
		t.Errorf("after close: %v", err)
	}
	c2.Close(t.Context())
}

// TestDatagramRefused: a record the socket refuses is dropped and counted.
func TestDatagramRefused(t *testing.T) {
	dir := t.TempDir()
	pc, err := net.ListenPacket("unixgram", filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewDatagramSender("unixgram", pc.LocalAddr().String(), DatagramOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	pc.Close() // the peer is gone: writes fail at once
	if err := s.Send([]byte("x")); err == nil {
		t.Fatal("send to a closed unix socket succeeded")
	}
	if st := s.Stats(); st.Dropped != 1 || st.Sent != 0 {
		t.Errorf("stats %+v", st)
	}
}

// newUDPClient returns a client sending to a UDP socket that nobody reads
// (the kernel drops what overflows its buffer; the sends succeed).
func newUDPClient(t testing.TB, opts DatagramOptions) *Client {
	_, addr := listenDatagram(t, "udp")
	s, err := NewDatagramSender("udp", addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	c, err := New(s, Options{Logger: "bench", Hostname: "bench-host"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDatagramZeroAlloc: the steady path of each call with scalar fields
// over UDP allocates nothing.
func TestDatagramZeroAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	for _, opts := range []DatagramOptions{{}, {BatchBytes: 8000}} {
		testDatagramZeroAlloc(t, newUDPClient(t, opts), opts)
	}
}

func testDatagramZeroAlloc(t *testing.T, c *Client, opts DatagramOptions) {
	calls := []struct {
		name string
		call func()
	}{
		{"Incr", func() { c.Incr("requests", 1, 1) }},
		{"Gauge", func() { c.Gauge("connections", 12.5, 1) }},
		{"TimerSend", func() { c.TimerSend("db.query", 3*time.Millisecond, 1) }},
		{"Info", func() { c.Info("a log line") }},
		{"Send", func() { c.Send("app.event", "", SeverityNotice, "payload", String("user", "u1"), Int("n", 7)) }},
	}
	for _, tc := range calls {
		if a := testing.AllocsPerRun(1000, tc.call); a != 0 {
			t.Errorf("%s %+v: %v allocations per message", tc.name, opts, a)
		}
	}
}

func BenchmarkDatagramIncr(b *testing.B) {
	c := newUDPClient(b, DatagramOptions{})
	b.ReportAllocs()
	for b.Loop() {
		c.Incr("requests", 1, 1)
	}
}

// BenchmarkDatagramBatchIncr packs the messages into datagrams of up to
// 8000 bytes.
func BenchmarkDatagramBatchIncr(b *testing.B) {
	c := newUDPClient(b, DatagramOptions{BatchBytes: 8000})
	b.ReportAllocs()
	for b.Loop() {
		c.Incr("requests", 1, 1)
	}
}

func BenchmarkDatagramSendFields(b *testing.B) {
	c := newUDPClient(b, DatagramOptions{})
	b.ReportAllocs()
	for b.Loop() {
		c.Send("app.event", "", SeverityNotice, "payload", String("user", "u1"), Int("n", 7), Float("f", 0.5))
	}
}

// discardSender counts records and keeps nothing: the benchmarks below
// measure the client's own cost, without a socket.
type discardSender struct{ n int }

func (d *discardSender) Send([]byte) error           { d.n++; return nil }
func (d *discardSender) Close(context.Context) error { return nil }

func BenchmarkEncodeIncr(b *testing.B) {
	c, err := New(new(discardSender), Options{Logger: "bench", Hostname: "bench-host"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Incr("requests", 1, 1)
	}
}

// BenchmarkDatagramRawWrite is the floor under the UDP sender: a bare
// write of a 110-byte datagram on a connected socket, without the client.
func BenchmarkDatagramRawWrite(b *testing.B) {
	_, addr := listenDatagram(b, "udp")
	conn, err := net.Dial("udp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	rec := make([]byte, 110)
	b.ReportAllocs()
	for b.Loop() {
		conn.Write(rec)
	}
}
