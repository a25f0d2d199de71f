package tcp

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// ackHost is an InputHost whose Stream splits Heka frames and, when hold
// is false, commits each record's end offset at once (as an engine that
// made it durable).
type ackHost struct {
	mu      sync.Mutex
	got     []string
	hold    atomic.Bool
	commits atomic.Int64
}

func (h *ackHost) Stream(ctx context.Context, r io.Reader, src pipeline.Source) error {
	sc := message.NewFrameScanner(message.FrameOptions{})
	off := src.Offset
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 4096), 1<<20)
	s.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		adv, frame, err := sc.Split(data, atEOF)
		off += int64(adv)
		if frame != nil {
			return adv, []byte(fmt.Sprint(off)), err // the token: the record's end
		}
		return adv, nil, err
	})
	for s.Scan() {
		var m message.Message
		if err := m.Unmarshal(sc.Message()); err != nil {
			return err
		}
		h.mu.Lock()
		h.got = append(h.got, m.GetPayload())
		h.mu.Unlock()
		if src.Commit != nil && !h.hold.Load() {
			var end int64
			fmt.Sscan(s.Text(), &end)
			src.Commit(end)
			h.commits.Add(1)
		}
	}
	return s.Err()
}

func (h *ackHost) NewPack(ctx context.Context) (*pipeline.Pack, error) {
	return pipeline.NewPack(), nil
}
func (h *ackHost) Deliver(ctx context.Context, p *pipeline.Pack, ack pipeline.Ack) error {
	return nil
}

func (h *ackHost) payloads() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.got...)
}

// ackCounter is the engine's side of a DelayedAcker.
type ackCounter struct{ n atomic.Int64 }

func (c *ackCounter) acked(n int, err error) {
	if err == nil {
		c.n.Add(int64(n))
	}
}

// buildAckOutput builds a TcpOutput with ack = true sending to addr.
func buildAckOutput(t *testing.T, addr string, mod func(*OutputConfig)) (ackOutput, *ackCounter) {
	t.Helper()
	reg, _ := pipeline.Lookup("TcpOutput")
	cfg := reg.NewConfig().(*OutputConfig)
	cfg.Address = addr
	cfg.Ack = true
	cfg.AckTimeout = 2
	cfg.HelloTimeout = 200
	if mod != nil {
		mod(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := reg.Build(cfg, pipeline.NewEnv("tcp_out", "TcpOutput", nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	o := p.(ackOutput)
	c := &ackCounter{}
	o.SetAcker(c.acked)
	t.Cleanup(func() { o.Close() })
	return o, c
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func writeN(t *testing.T, o ackOutput, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := o.Write(t.Context(), record(t, fmt.Sprint(i))); err != nil {
			t.Fatalf("Write %d: %v", i, err)
		}
	}
}

// A TcpOutput and a TcpInput that both enable ack: records are
// acknowledged only once the receiving host commits them, in batches.
func TestAckBetweenHekads(t *testing.T) {
	in := buildInput(t, func(c *InputConfig) { c.Ack = true })
	h := &ackHost{}
	h.hold.Store(true)
	runInput(t, in, h)
	o, acks := buildAckOutput(t, in.Addr().String(), nil)
	writeN(t, o, 0, 100)
	waitUntil(t, "100 records received", func() bool { return len(h.payloads()) == 100 })
	time.Sleep(50 * time.Millisecond)
	if n := acks.n.Load(); n != 0 {
		t.Fatalf("%d records acknowledged before the receiver made any durable", n)
	}
	h.hold.Store(false)
	writeN(t, o, 100, 1900)
	waitUntil(t, "2000 acknowledged", func() bool { return acks.n.Load() == 2000 })
	frames := in.ackFrames.Load()
	if frames == 0 || frames >= 1000 {
		t.Errorf("%d ack frames for 2000 records: want batched acknowledgements", frames)
	}
	if in.acking.Load() != 1 {
		t.Errorf("acking connections %d, want 1", in.acking.Load())
	}
	t.Logf("2000 records, %d ack frames", frames)
}

// A receiver that never answers (Heka's TcpInput): it reads the hello as
// bytes before the first record, and the sender acknowledges records at
// write after hello_timeout, as Heka.
func TestAckHekaReceiverNeverAnswers(t *testing.T) {
	s := newSink(t) // reads frames, never writes
	o, acks := buildAckOutput(t, s.ln.Addr().String(), nil)
	writeN(t, o, 0, 10)
	for i := range 10 {
		if r := s.next(t); r.payload != fmt.Sprint(i) {
			t.Fatalf("record %d: %q", i, r.payload)
		}
	}
	waitUntil(t, "10 acknowledged after the hello timeout", func() bool { return acks.n.Load() == 10 })
	writeN(t, o, 10, 5) // now at write
	if n := acks.n.Load(); n != 15 {
		t.Fatalf("acknowledged %d, want 15", n)
	}
	if n := o.ack.legacies.Load(); n != 1 {
		t.Errorf("legacy connections %d, want 1", n)
	}
}

// The hello is bytes a Heka-style framing scanner skips before the first
// record: nothing is delivered from it.
func TestAckHelloSkippedByFraming(t *testing.T) {
	var skips []message.Skip
	sc := message.NewFrameScanner(message.FrameOptions{OnSkip: func(k message.Skip) { skips = append(skips, k) }})
	data := append([]byte(AckHello), framed(t, "test", "x")...)
	if strings.ContainsRune(AckHello, message.RecordSeparator) {
		t.Fatal("the hello holds a record separator")
	}
	adv, frame, err := sc.Split(data, false)
	for err == nil && frame == nil && adv > 0 {
		data = data[adv:]
		adv, frame, err = sc.Split(data, false)
	}
	if err != nil || frame == nil {
		t.Fatalf("no record: %v", err)
	}
	if len(skips) != 1 || skips[0].Offset != 0 || skips[0].Len != len(AckHello) || skips[0].Reason != message.SkipGarbage {
		t.Fatalf("skips %+v", skips)
	}
}

// A receiver with ack enabled never writes to a connection whose sender
// did not say hello (a Heka TcpOutput never reads its socket).
func TestAckInputSilentWithoutHello(t *testing.T) {
	in := buildInput(t, func(c *InputConfig) { c.Ack = true })
	h := &ackHost{}
	runInput(t, in, h)
	c, err := net.Dial("tcp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 20 {
		if _, err := c.Write(framed(t, "test", fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	waitUntil(t, "20 records", func() bool { return len(h.payloads()) == 20 })
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	var b [1]byte
	if n, err := c.Read(b[:]); n != 0 || err == nil {
		t.Fatalf("the receiver wrote to a connection without hello: %d bytes, %v", n, err)
	}
	if in.acking.Load() != 0 {
		t.Fatal("counted as acking")
	}
	// A text stream whose first byte starts like the hello still reaches
	// the splitter whole.
	r, hello, _ := readHello(strings.NewReader("\x00HEKA-other"))
	rest, _ := io.ReadAll(r)
	if hello || string(rest) != "\x00HEKA-other" {
		t.Fatalf("hello %v, rest %q", hello, rest)
	}
}

// fakeReceiver answers the hello of each connection; ackConn says whether
// it acknowledges what it reads on connection n (0-based) or closes it
// after reading `closeAfter` records.
func fakeReceiver(t *testing.T, closeAfter int) (addr string, got chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 10000)
	go func() {
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(n int, c net.Conn) {
				defer c.Close()
				r, hello, _ := readHello(c)
				if !hello {
					t.Errorf("connection %d: no hello", n)
					return
				}
				io.WriteString(c, AckHello)
				sc := message.NewFrameScanner(message.FrameOptions{})
				br := bufio.NewReader(r)
				var buf []byte
				var off int64
				records := 0
				for {
					chunk := make([]byte, 4096)
					k, err := br.Read(chunk)
					if err != nil {
						return
					}
					buf = append(buf, chunk[:k]...)
					for {
						adv, frame, _ := sc.Split(buf, false)
						if adv == 0 {
							break
						}
						buf = buf[adv:]
						off += int64(adv)
						if frame == nil {
							continue
						}
						var m message.Message
						m.Unmarshal(sc.Message())
						got <- m.GetPayload()
						records++
						if n == 0 && records == closeAfter {
							return // reset: nothing acknowledged
						}
						if n > 0 {
							c.Write(binary.BigEndian.AppendUint64([]byte{'A'}, uint64(off)))
						}
					}
				}
			}(n, c)
		}
	}()
	return ln.Addr().String(), got
}

// A connection that ends before its records are acknowledged: the
// output reconnects by itself (nothing more to write) and sends them
// again; duplicates, never loss.
func TestAckResendAfterReset(t *testing.T) {
	addr, got := fakeReceiver(t, 30)
	o, acks := buildAckOutput(t, addr, nil)
	writeN(t, o, 0, 30)
	waitUntil(t, "30 acknowledged after the resend", func() bool { return acks.n.Load() == 30 })
	seen := map[string]int{}
	for len(got) > 0 {
		seen[<-got]++
	}
	for i := range 30 {
		if seen[fmt.Sprint(i)] != 2 {
			t.Errorf("record %d received %d times, want 2 (sent again after the reset)", i, seen[fmt.Sprint(i)])
		}
	}
	if n := o.ack.resent.Load(); n != 30 {
		t.Errorf("resent %d, want 30", n)
	}
}

// No acknowledgement within ack_timeout: the output reconnects and sends
// again; max_unacked bounds what Write accepts meanwhile.
func TestAckTimeoutAndWindow(t *testing.T) {
	in := buildInput(t, func(c *InputConfig) { c.Ack = true })
	h := &ackHost{}
	h.hold.Store(true)
	runInput(t, in, h)
	o, acks := buildAckOutput(t, in.Addr().String(), func(c *OutputConfig) {
		c.AckTimeout = 1
		c.MaxUnacked = 5
	})
	writeN(t, o, 0, 5)
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if err := o.Write(ctx, record(t, "5")); err == nil {
		t.Fatal("Write beyond max_unacked returned")
	}
	waitUntil(t, "a reconnection", func() bool { return o.ack.resent.Load() >= 5 })
	h.hold.Store(false)
	writeN(t, o, 5, 1)
	waitUntil(t, "6 acknowledged", func() bool { return acks.n.Load() == 6 })
}

// reconnect_after with acknowledgements: the output reconnects after every
// 10 records, but only once the receiver acknowledged what it wrote on the
// connection, so nothing is received twice.
func TestAckReconnectAfterSendsNothingTwice(t *testing.T) {
	in := buildInput(t, func(c *InputConfig) { c.Ack = true })
	h := &ackHost{}
	runInput(t, in, h)
	o, acks := buildAckOutput(t, in.Addr().String(), func(c *OutputConfig) { c.ReconnectAfter = 10 })
	writeN(t, o, 0, 100)
	waitUntil(t, "100 acknowledged", func() bool { return acks.n.Load() == 100 })
	seen := map[string]int{}
	for _, p := range h.payloads() {
		seen[p]++
	}
	for i := range 100 {
		if c := seen[fmt.Sprint(i)]; c != 1 {
			t.Errorf("record %d received %d times, want once", i, c)
		}
	}
	if n := in.acking.Load(); n < 10 {
		t.Errorf("%d connections for 100 records with reconnect_after = 10, want at least 10", n)
	}
	if n := o.ack.resent.Load(); n != 0 {
		t.Errorf("%d records sent again", n)
	}
}
