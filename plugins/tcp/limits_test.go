package tcp

import (
	"io"
	"net"
	"testing"
	"time"
)

func field(in *Input, name string) int64 {
	for _, f := range in.Report() {
		if f.Name == name {
			return f.Value.(int64)
		}
	}
	return -1
}

func waitLim(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestMaxConnections: beyond max_connections a connection is closed at
// once and counted; once one closes, a new one is served again.
func TestMaxConnections(t *testing.T) {
	in := buildInput(t, func(c *InputConfig) { c.MaxConnections = 2 })
	runInput(t, in, framingHost())
	addr := in.Addr().String()
	var conns []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	waitLim(t, "2 open connections", func() bool { return field(in, "OpenConnections") == 2 })
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(waitLong))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("third connection: read %v, want EOF (closed by max_connections)", err)
	}
	c.Close()
	if got := field(in, "RejectedConnections"); got != 1 {
		t.Fatalf("RejectedConnections = %d, want 1", got)
	}
	conns[0].Close()
	waitLim(t, "1 open connection", func() bool { return field(in, "OpenConnections") == 1 })
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	waitLim(t, "2 open connections again", func() bool { return field(in, "OpenConnections") == 2 })
	if got := field(in, "RejectedConnections"); got != 1 {
		t.Fatalf("RejectedConnections = %d, want 1", got)
	}
}

// TestIdleTimeout: a connection that sends nothing for idle_timeout is
// closed and counted.
func TestIdleTimeout(t *testing.T) {
	in := buildInput(t, func(c *InputConfig) { c.IdleTimeout = 1 })
	runInput(t, in, framingHost())
	c, err := net.Dial("tcp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(waitLong))
	start := time.Now()
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("idle connection: read %v, want EOF", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Fatalf("closed after %v, before idle_timeout", d)
	}
	waitLim(t, "IdleClosedConnections 1", func() bool { return field(in, "IdleClosedConnections") == 1 })
}
