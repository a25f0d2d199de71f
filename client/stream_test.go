package client

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hekad-go/hekad/client/hekadtest"
	"github.com/hekad-go/hekad/message"
)

// recordServer accepts stream connections and records the payloads of the
// framed messages it reads. It may also speak the receiving side of
// acknowledged shipping.
type recordServer struct {
	ln       net.Listener
	accepted atomic.Int64
	mu       sync.Mutex
	payloads []string       // in the order received
	got      map[string]int // payload -> times received
	// hello makes the server read the ack hello first; answer makes it
	// answer the hello and send acknowledgements.
	hello, answer bool
	// policy, called for the i-th record (from 0) of connection number
	// conn (from 1), says whether to acknowledge it and whether to close
	// the connection after it.
	policy func(conn, i int) (ack, close bool)
}

func startRecordServer(t testing.TB, network, addr string, hello, answer bool, policy func(conn, i int) (bool, bool)) *recordServer {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &recordServer{ln: ln, got: map[string]int{}, hello: hello, answer: answer, policy: policy}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c, int(s.accepted.Add(1)))
		}
	}()
	return s
}

// startFrameServer starts a plain server on addr (a fresh loopback port
// when empty) that closes each connection after closeAfter records (never
// when 0).
func startFrameServer(t testing.TB, network, addr string, closeAfter int) *recordServer {
	return startRecordServer(t, network, addr, false, false, func(_, i int) (bool, bool) {
		return false, closeAfter > 0 && i+1 == closeAfter
	})
}

func (s *recordServer) serve(c net.Conn, conn int) {
	defer c.Close()
	if s.hello {
		var hello [len(message.AckHello)]byte
		if _, err := io.ReadFull(c, hello[:]); err != nil || string(hello[:]) != message.AckHello {
			return
		}
		if s.answer {
			c.Write(hello[:])
		}
	}
	r := message.NewReader(c, message.FrameOptions{})
	var m message.Message
	for i := 0; ; i++ {
		f, err := r.Next()
		if err != nil {
			return
		}
		if err := m.Unmarshal(f.Message); err != nil {
			return
		}
		s.mu.Lock()
		s.got[m.GetPayload()]++
		s.payloads = append(s.payloads, m.GetPayload())
		s.mu.Unlock()
		ack, closeNow := s.policy(conn, i)
		if ack && s.answer {
			end := f.Offset + int64(len(f.Bytes))
			c.Write(binary.BigEndian.AppendUint64([]byte{'A'}, uint64(end)))
		}
		if closeNow {
			return
		}
	}
}

// count returns the number of records received.
func (s *recordServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.payloads)
}

// distinct returns the number of distinct payloads received.
func (s *recordServer) distinct() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// freeAddr returns a loopback TCP address that nothing listens on.
func freeAddr(t testing.TB) string { return hekadtest.FreeAddr(t, "tcp") }

func newStreamClient(t testing.TB, network, addr string, opts StreamOptions) (*Client, *StreamSender) {
	t.Helper()
	s, err := NewStreamSender(network, addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(s, Options{Logger: "stream", Hostname: "h", Pid: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s.Close(ctx)
	})
	return c, s
}

func TestStreamSender(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			addr := ""
			if network == "unix" {
				addr = filepath.Join(t.TempDir(), "s")
			}
			srv := startFrameServer(t, network, addr, 0)
			c, s := newStreamClient(t, network, srv.ln.Addr().String(), StreamOptions{})
			if srv.accepted.Load() != 0 {
				t.Fatal("connected before the first record")
			}
			const n = 1000
			for i := range n {
				if err := c.Info(fmt.Sprint(i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			if err := c.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
			hekadtest.WaitFor(t, 10*time.Second, "every message", func() bool { return srv.count() == n })
			srv.mu.Lock()
			for i, p := range srv.payloads {
				if p != fmt.Sprint(i) {
					t.Fatalf("message %d is %q: out of order", i, p)
				}
			}
			srv.mu.Unlock()
			if st := s.Stats(); st.Sent != n || st.Dropped != 0 || st.Queued != 0 || st.Reconnects != 0 {
				t.Errorf("stats %+v", st)
			}
			if err := c.Info("late"); !errors.Is(err, ErrClosed) {
				t.Errorf("send after close: %v", err)
			}
		})
	}
	if _, err := NewStreamSender("udp", "x", StreamOptions{}); err == nil {
		t.Error("udp accepted")
	}
}

// TestStreamDownThenUp: records sent while nothing listens are queued up to
// the bound, the rest dropped and counted; once the listener starts, every
// queued record arrives. Delivered + dropped = sent, exactly.
func TestStreamDownThenUp(t *testing.T) {
	addr := freeAddr(t)
	var dialErrors atomic.Int64
	c, s := newStreamClient(t, "tcp", addr, StreamOptions{
		QueueBytes: 64 << 10, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		OnError: func(error) { dialErrors.Add(1) },
	})
	const n = 2000
	var refused int
	for i := range n {
		if err := c.Info(fmt.Sprintf("message %04d", i)); errors.Is(err, ErrQueueFull) {
			refused++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	hekadtest.WaitFor(t, 10*time.Second, "a failed dial", func() bool { return dialErrors.Load() > 0 })
	st := s.Stats()
	if refused == 0 || st.Dropped != uint64(refused) || st.Queued != uint64(n-refused) {
		t.Fatalf("refused %d, stats %+v", refused, st)
	}
	srv := startFrameServer(t, "tcp", addr, 0)
	hekadtest.WaitFor(t, 10*time.Second, "the queued messages", func() bool { return srv.count() == n-refused })
	if err := c.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Sent != uint64(n-refused) || st.Dropped != uint64(refused) {
		t.Errorf("stats %+v, refused %d", st, refused)
	}
	if got := c.Stats(); got.Failed != uint64(refused) || got.Sent != uint64(n-refused) {
		t.Errorf("client stats %+v", got)
	}
}

// TestStreamBlock: with Block, Send waits for room instead of dropping:
// every record sent while nothing listens arrives once the server starts.
func TestStreamBlock(t *testing.T) {
	addr := freeAddr(t)
	c, s := newStreamClient(t, "tcp", addr, StreamOptions{QueueBytes: 4096, Block: true, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})
	const n = 500
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := c.Info(fmt.Sprint(i)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	hekadtest.WaitFor(t, 10*time.Second, "the queue to fill", func() bool { return s.Stats().Queued > 0 && len(done) == 0 })
	srv := startFrameServer(t, "tcp", addr, 0)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	hekadtest.WaitFor(t, 10*time.Second, "every message", func() bool { return srv.count() == n })
	if st := s.Stats(); st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}
	// Close wakes a Send that waits for room.
	c2, s2 := newStreamClient(t, "tcp", freeAddr(t), StreamOptions{QueueBytes: 300, Block: true})
	go func() {
		for {
			if err := c2.Info("x"); err != nil {
				done <- err
				return
			}
		}
	}()
	hekadtest.WaitFor(t, 10*time.Second, "the queue to fill", func() bool { return s2.Stats().Queued > 0 })
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	s2.Close(ctx)
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("blocked send after close: %v", err)
	}
}

// TestStreamReconnect: the server closes each connection after 10
// messages; the sender notices at a later write, reconnects and goes on.
// What the kernel took before the sender noticed is lost: TCP cannot tell
// (docs/client.md says so).
func TestStreamReconnect(t *testing.T) {
	srv := startFrameServer(t, "tcp", "", 10)
	c, s := newStreamClient(t, "tcp", srv.ln.Addr().String(), StreamOptions{MinBackoff: time.Millisecond})
	for i := range 10 {
		c.Info(fmt.Sprint(i))
	}
	hekadtest.WaitFor(t, 10*time.Second, "the first ten messages", func() bool { return srv.count() == 10 })
	sent := 10
	hekadtest.WaitFor(t, 10*time.Second, "a message on a new connection", func() bool {
		c.Info(fmt.Sprint(sent))
		sent++
		return srv.count() > 10
	})
	if st := s.Stats(); st.Reconnects == 0 || srv.accepted.Load() < 2 || st.Dropped != 0 {
		t.Errorf("stats %+v, %d connections", st, srv.accepted.Load())
	}
	t.Logf("%d sent, %d received", sent, srv.count())
}

// TestStreamCloseDeadline: with nothing listening, Close gives up at its
// deadline and counts what was queued as dropped.
func TestStreamCloseDeadline(t *testing.T) {
	c, s := newStreamClient(t, "tcp", freeAddr(t), StreamOptions{MinBackoff: time.Millisecond})
	for range 25 {
		c.Info("lost")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := s.Close(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("close: %v", err)
	}
	if st := s.Stats(); st.Dropped != 25 || st.Sent != 0 || st.Queued != 0 {
		t.Errorf("stats %+v", st)
	}
	if err := s.Close(t.Context()); err != nil {
		t.Errorf("second close: %v", err)
	}
}

// TestStreamSlowReader: a server that accepts but never reads does not
// block the sender: once the kernel buffers and the queue are full, Send
// returns ErrQueueFull at once.
func TestStreamSlowReader(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conns := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			conns <- c
		}
	}()
	c, s := newStreamClient(t, "tcp", ln.Addr().String(), StreamOptions{QueueBytes: 1 << 20})
	payload := string(make([]byte, 4000))
	// Fill the kernel's buffers and the queue: until Send has refused
	// every record for 100ms.
	var fullSince time.Time
	deadline := time.Now().Add(20 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("the queue never stayed full: %+v", s.Stats())
		}
		if err := c.Info(payload); !errors.Is(err, ErrQueueFull) {
			fullSince = time.Time{}
			continue
		}
		if fullSince.IsZero() {
			fullSince = time.Now()
		} else if time.Since(fullSince) > 100*time.Millisecond {
			break
		}
	}
	queued := s.Stats().Queued
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := s.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("close: %v", err)
	}
	st := s.Stats()
	if st.Queued != 0 || st.Dropped < queued || st.Sent+st.Dropped != c.Stats().Sent+c.Stats().Failed {
		t.Errorf("stats after close %+v (%d were queued), client %+v", st, queued, c.Stats())
	}
	select {
	case conn := <-conns:
		conn.Close()
	default:
	}
}

// TestStreamConcurrent: many goroutines share one client; every message
// arrives once.
func TestStreamConcurrent(t *testing.T) {
	srv := startFrameServer(t, "tcp", "", 0)
	c, s := newStreamClient(t, "tcp", srv.ln.Addr().String(), StreamOptions{})
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if err := c.Incr(fmt.Sprintf("w%d", w), int64(i), 1); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	hekadtest.WaitFor(t, 10*time.Second, "every message", func() bool { return srv.count() == workers*each })
}

func BenchmarkStreamIncr(b *testing.B) {
	c, s := newStreamClient(b, "tcp", hekadtest.Discard(b), StreamOptions{})
	b.ReportAllocs()
	for b.Loop() {
		c.Incr("requests", 1, 1)
	}
	if err := s.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	if st := s.Stats(); st.Dropped > 0 {
		b.ReportMetric(float64(st.Dropped)/float64(b.N), "dropped/op")
	}
}
