package carbon_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/carbon"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

// server is a carbon plaintext receiver on a free port: it collects the
// lines of every connection.
type server struct {
	ln    net.Listener
	lines chan string
	conns chan net.Conn
}

func newServer(t *testing.T) *server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{ln: ln, lines: make(chan string, 1000), conns: make(chan net.Conn, 100)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns <- c
			go func() {
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					s.lines <- sc.Text()
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *server) read(t *testing.T, n int) []string {
	t.Helper()
	var got []string
	timeout := time.After(plugintest.Deadline)
	for len(got) < n {
		select {
		case l := <-s.lines:
			got = append(got, l)
		case <-timeout:
			t.Fatalf("got %d lines %q, want %d", len(got), got, n)
		}
	}
	return got
}

func newOutput(t *testing.T, mod func(*carbon.Config)) pipeline.Output {
	t.Helper()
	reg, _ := pipeline.Lookup("CarbonOutput")
	cfg := reg.NewConfig().(*carbon.Config)
	mod(cfg)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := reg.Build(cfg, pipeline.NewEnv("carbon", "CarbonOutput", nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	o := p.(pipeline.Output)
	t.Cleanup(func() { o.(interface{ Close() error }).Close() })
	return o
}

func record(payload string) pipeline.Record {
	p := pipeline.NewPack()
	p.MutableMessage().SetType("heka.statmetric")
	p.MutableMessage().SetPayload(payload)
	return pipeline.Record{Pack: p}
}

func TestOutputTCP(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(map[bool]string{false: "connection per message", true: "tcp_keep_alive"}[keep], func(t *testing.T) {
			s := newServer(t)
			o := newOutput(t, func(c *carbon.Config) { c.Address = s.ln.Addr().String(); c.TCPKeepAlive = keep })
			if err := o.(pipeline.Connector).Connect(t.Context()); err != nil {
				t.Fatal(err)
			}
			payload := "stats.a 1 100\nmalformed line\nstats.b 2.500000 100\n\nstats.c x 100\n"
			for range 3 {
				if err := o.Write(t.Context(), record(payload)); err != nil {
					t.Fatal(err)
				}
			}
			got := s.read(t, 6)
			if !keep {
				// One connection per message: the server reads the three
				// connections side by side, so their lines may interleave.
				slices.Sort(got)
				got = []string{got[0], got[3], got[1], got[4], got[2], got[5]}
			}
			want := "stats.a 1 100,stats.b 2.500000 100"
			for i := 0; i < 6; i += 2 {
				if strings.Join(got[i:i+2], ",") != want {
					t.Errorf("lines %q, want %s three times", got, want)
				}
			}
			wantConns := 3
			if keep {
				wantConns = 1
			}
			if len(s.conns) != wantConns {
				t.Errorf("%d connections, want %d", len(s.conns), wantConns)
			}
			if r := o.(pipeline.Reporter).Report(); r[1].Value.(int64) != 6 {
				t.Errorf("MalformedCount = %v, want 6", r[1].Value)
			}
		})
	}
}

// TestOutputReconnects: carbon closes the kept connection, then is down:
// the write asks for a retry; once carbon is back, Connect and the same
// write succeed and nothing is lost.
func TestOutputReconnects(t *testing.T) {
	s := newServer(t)
	addr := s.ln.Addr().String()
	o := newOutput(t, func(c *carbon.Config) { c.Address = addr; c.TCPKeepAlive = true })
	ctx := t.Context()
	if err := o.Write(ctx, record("a 1 1\n")); err != nil {
		t.Fatal(err)
	}
	s.read(t, 1)
	(<-s.conns).Close()
	s.ln.Close()
	// The closed connection is noticed (at the latest the write after)
	// and the engine is asked to reconnect.
	var err error
	deadline := time.Now().Add(plugintest.Deadline)
	for err == nil && time.Now().Before(deadline) {
		err = o.Write(ctx, record("b 2 2\n"))
	}
	if !errors.Is(err, pipeline.ErrRetry) {
		t.Fatalf("write to a closed carbon: %v, want ErrRetry", err)
	}
	if err := o.(pipeline.Connector).Connect(ctx); !errors.Is(err, pipeline.ErrRetry) {
		t.Fatalf("connect to a carbon that is down: %v, want ErrRetry", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port taken meanwhile: %v", err)
	}
	s2 := &server{ln: ln, lines: make(chan string, 10), conns: make(chan net.Conn, 10)}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			s2.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	if err := o.(pipeline.Connector).Connect(ctx); err != nil {
		t.Fatal(err)
	}
	if err := o.Write(ctx, record("b 2 2\n")); err != nil {
		t.Fatal(err)
	}
	if got := s2.read(t, 1); got[0] != "b 2 2" {
		t.Errorf("got %q", got)
	}
}

// TestOutputUDP: lines go in datagrams of whole lines under 62 KiB.
func TestOutputUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	pc.(*net.UDPConn).SetReadBuffer(4 << 20)
	o := newOutput(t, func(c *carbon.Config) { c.Address = pc.LocalAddr().String(); c.Protocol = "udp" })
	var b strings.Builder
	n := 0
	for b.Len() < 150<<10 {
		b.WriteString("stats.counters.some.long.metric.name.count 12345 1764892800\n")
		n++
	}
	if err := o.Write(context.Background(), record(b.String())); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	lines, datagrams := 0, 0
	pc.SetReadDeadline(time.Now().Add(plugintest.Deadline))
	for lines < n {
		k, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatalf("after %d lines: %v", lines, err)
		}
		if k > 62<<10 || buf[k-1] != '\n' {
			t.Fatalf("datagram of %d bytes, ending %q", k, buf[k-1])
		}
		lines += strings.Count(string(buf[:k]), "\n")
		datagrams++
	}
	if datagrams != 3 {
		t.Errorf("%d datagrams, want 3", datagrams)
	}
}
