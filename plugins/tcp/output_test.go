package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/messagetest"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

// sink is a real TCP listener that reads Heka framed messages from every
// connection it accepts and reports each one with its connection number.
type sink struct {
	ln    net.Listener
	got   chan received
	conns chan net.Conn // every accepted connection, for the test to close
	wg    sync.WaitGroup
}

type received struct {
	conn    int
	payload string
}

func newSink(t *testing.T) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{ln: ln, got: make(chan received, 1000), conns: make(chan net.Conn, 100)}
	s.wg.Go(func() {
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns <- c
			s.wg.Go(func() {
				defer c.Close()
				r := message.NewReader(c, message.FrameOptions{})
				for {
					f, err := r.Next()
					if err != nil {
						return
					}
					var m message.Message
					if err := m.Unmarshal(f.Message); err != nil {
						t.Errorf("sink: %v", err)
						return
					}
					s.got <- received{conn: n, payload: m.GetPayload()}
				}
			})
		}
	})
	t.Cleanup(s.close)
	return s
}

// close stops accepting, closes every connection and waits for the readers.
func (s *sink) close() {
	s.ln.Close()
	for {
		select {
		case c := <-s.conns:
			c.Close()
			continue
		default:
		}
		break
	}
	s.wg.Wait()
}

func (s *sink) next(t *testing.T) received {
	t.Helper()
	select {
	case r := <-s.got:
		return r
	case <-time.After(waitLong):
		t.Fatal("sink received nothing")
		return received{}
	}
}

func (s *sink) conn(t *testing.T) net.Conn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(waitLong):
		t.Fatal("sink accepted no connection")
		return nil
	}
}

func buildOutput(t *testing.T, mod func(*OutputConfig)) *Output {
	t.Helper()
	reg, ok := pipeline.Lookup("TcpOutput")
	if !ok {
		t.Fatal("TcpOutput not registered")
	}
	cfg := reg.NewConfig().(*OutputConfig)
	if mod != nil {
		mod(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	p, err := reg.Build(cfg, pipeline.NewEnv("tcp_out", "TcpOutput", nil, nil, nil))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	o := p.(*Output)
	t.Cleanup(func() { o.Close() })
	return o
}

func record(t testing.TB, payload string) pipeline.Record {
	p := pipeline.NewPack()
	p.MutableMessage().SetType("test")
	p.MutableMessage().SetPayload(payload)
	return pipeline.Record{Pack: p, Data: framed(t, "test", payload)}
}

func TestOutputWrites(t *testing.T) {
	plugintest.CheckGoroutines(t)
	s := newSink(t)
	o := buildOutput(t, func(c *OutputConfig) { c.Address = s.ln.Addr().String(); c.KeepAlive = true })
	ctx := t.Context()
	if err := o.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if err := o.Write(ctx, record(t, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		if r := s.next(t); r.payload != fmt.Sprint(i) || r.conn != 0 {
			t.Errorf("got %+v, want message %d on connection 0", r, i)
		}
	}
	if f := o.Report(); f[0].Name != "SentCount" || f[0].Value.(int64) != 10 {
		t.Errorf("%s = %v, want SentCount = 10", f[0].Name, f[0].Value)
	}
	o.Close()
	s.close()
}

// TestOutputReconnectsAfterPeerClose plays the engine: when the listener
// drops the connection, Write fails with ErrRetry, Connect opens a new
// connection and the same record is written again, so nothing is lost.
func TestOutputReconnectsAfterPeerClose(t *testing.T) {
	plugintest.CheckGoroutines(t)
	s := newSink(t)
	o := buildOutput(t, func(c *OutputConfig) { c.Address = s.ln.Addr().String() })
	ctx := t.Context()
	if err := o.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	if err := o.Write(ctx, record(t, "first")); err != nil {
		t.Fatal(err)
	}
	if r := s.next(t); r.payload != "first" {
		t.Fatalf("got %q", r.payload)
	}
	s.conn(t).Close()
	plugintest.Eventually(t, waitLong, "the output to notice the closed connection", func() bool {
		return o.cur.peerGone.Load()
	})

	rec := record(t, "second")
	err := o.Write(ctx, rec)
	if !errors.Is(err, pipeline.ErrRetry) {
		t.Fatalf("Write on a dropped connection = %v, want ErrRetry", err)
	}
	if err := o.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	if err := o.Write(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if r := s.next(t); r.payload != "second" || r.conn != 1 {
		t.Errorf("got %+v, want \"second\" on the second connection", r)
	}
}

func TestOutputConnectFailureRetries(t *testing.T) {
	plugintest.CheckGoroutines(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	o := buildOutput(t, func(c *OutputConfig) { c.Address = addr })
	if err := o.Connect(t.Context()); !errors.Is(err, pipeline.ErrRetry) {
		t.Errorf("Connect to a closed port = %v, want ErrRetry", err)
	}
	if err := o.Write(t.Context(), record(t, "x")); !errors.Is(err, pipeline.ErrRetry) {
		t.Errorf("Write without a listener = %v, want ErrRetry", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := o.Connect(ctx); errors.Is(err, pipeline.ErrRetry) || err == nil {
		t.Errorf("Connect with a cancelled context = %v, want the context's error", err)
	}
}

func TestOutputReconnectAfter(t *testing.T) {
	plugintest.CheckGoroutines(t)
	s := newSink(t)
	o := buildOutput(t, func(c *OutputConfig) { c.Address = s.ln.Addr().String(); c.ReconnectAfter = 2 })
	ctx := t.Context()
	if err := o.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := o.Write(ctx, record(t, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	perConn := map[int][]string{}
	for range 5 {
		r := s.next(t)
		perConn[r.conn] = append(perConn[r.conn], r.payload)
	}
	want := map[int][]string{0: {"0", "1"}, 1: {"2", "3"}, 2: {"4"}}
	if fmt.Sprint(perConn) != fmt.Sprint(want) {
		t.Errorf("records per connection %v, want %v", perConn, want)
	}
}

func TestOutputLocalAddress(t *testing.T) {
	plugintest.CheckGoroutines(t)
	s := newSink(t)
	o := buildOutput(t, func(c *OutputConfig) {
		c.Address = s.ln.Addr().String()
		c.LocalAddress = "127.0.0.1:0"
	})
	if err := o.Write(t.Context(), record(t, "from local")); err != nil {
		t.Fatal(err)
	}
	c := s.conn(t)
	if host, _, _ := net.SplitHostPort(c.RemoteAddr().String()); host != "127.0.0.1" {
		t.Errorf("connection from %s, want 127.0.0.1", c.RemoteAddr())
	}
	if r := s.next(t); r.payload != "from local" {
		t.Errorf("got %q", r.payload)
	}
}

// TestOutputWriteHonoursContext checks that a Write blocked on a peer that
// does not read returns when its context is done.
func TestOutputWriteHonoursContext(t *testing.T) {
	plugintest.CheckGoroutines(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	o := buildOutput(t, func(c *OutputConfig) { c.Address = ln.Addr().String() })
	if err := o.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	peer := <-accepted // never read from
	defer peer.Close()

	ctx, cancel := context.WithCancel(t.Context())
	big := pipeline.Record{Pack: pipeline.NewPack(), Data: make([]byte, 64<<20)}
	done := make(chan error, 1)
	go func() { done <- o.Write(ctx, big) }()
	cancel()
	select {
	case err := <-done:
		if err == nil || errors.Is(err, pipeline.ErrRetry) {
			t.Errorf("Write after cancel = %v, want the context's error", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Write did not return after its context was cancelled")
	}
}

func TestOutputConfig(t *testing.T) {
	reg, _ := pipeline.Lookup("TcpOutput")
	c := pipeline.DefaultOutputCommon()
	reg.NewConfig().(pipeline.OutputCommonDefaulter).DefaultOutputCommon(&c)
	if c.Encoder != "ProtobufEncoder" || !c.UseBuffering || c.Buffering.MaxFileSize != 128<<20 || c.Buffering.CursorUpdateCount != 50 {
		t.Errorf("common defaults %+v", c)
	}
	if !reg.NewConfig().(pipeline.FramingDefaulter).FramesProtobufByDefault() {
		t.Error("use_framing should default to true with ProtobufEncoder")
	}
	plugintest.CheckInvalid(t, "TcpOutput", map[string]string{
		"[o]\ntype = \"TcpOutput\"\nmessage_matcher = \"TRUE\"\naddress = \"nocolon\"\n":              "address",
		"[o]\ntype = \"TcpOutput\"\nmessage_matcher = \"TRUE\"\nlocal_address = \"x\"\n":              "local_address",
		"[o]\ntype = \"TcpOutput\"\nmessage_matcher = \"TRUE\"\nreconnect_after = -1\n":               "reconnect_after",
		"[o]\ntype = \"TcpOutput\"\nmessage_matcher = \"TRUE\"\nuse_tls = true\n":                     "use_tls",
		"[o]\ntype = \"TcpOutput\"\nmessage_matcher = \"TRUE\"\nkeep_alive_period = \"5\"\n":          "keep_alive_period",
		"[o]\ntype = \"TcpOutput\"\nmessage_matcher = \"TRUE\"\n[o.buffering]\nfull_action = \"x\"\n": "full_action",
	})
	// use_buffering and its table are accepted (see README).
	if err := plugintest.DecodeSection("[o]\ntype = \"TcpOutput\"\nmessage_matcher = \"TRUE\"\nuse_buffering = true\n[o.buffering]\nmax_buffer_size = 1073741824\n", "TcpOutput"); err != nil {
		t.Error(err)
	}
}

func BenchmarkOutputWrite(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.Copy(io.Discard, c)
	}()
	reg, _ := pipeline.Lookup("TcpOutput")
	cfg := reg.NewConfig().(*OutputConfig)
	cfg.Address = ln.Addr().String()
	p, err := reg.Build(cfg, pipeline.NewEnv("tcp_out", "TcpOutput", nil, nil, nil))
	if err != nil {
		b.Fatal(err)
	}
	o := p.(*Output)
	defer o.Close()
	ctx := b.Context()
	if err := o.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	pk := pipeline.NewPack()
	messagetest.FillBenchmarkMessage(pk.MutableMessage())
	data, err := message.AppendFrame(nil, pk.Message().Marshal(), nil, 0)
	if err != nil {
		b.Fatal(err)
	}
	rec := pipeline.Record{Pack: pk, Data: data}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Write(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
}
