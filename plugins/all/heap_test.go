package all

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline/config"
	"github.com/hekad-go/hekad/pipeline/engine"
)

// TestTcpInputIdleConnectionsHeap: connections that each sent 300 KB of
// lines and then stay open without sending cost hekad little heap: each
// stream gives its read-ahead buffer back once drained and keeps only its
// min_buffer_size buffer. Before that change, 2,000 such connections held
// 340 MB. The engine runs in this process so that its live heap can be read
// after a collection.
func TestTcpInputIdleConnectionsHeap(t *testing.T) {
	const (
		conns   = idleConns
		perConn = 300 << 10
		// A read-ahead buffer is 256 KiB, the small one 8 KiB; the engine's
		// pools fill up with the traffic too (a few MiB, whatever the
		// number of connections).
		bound = 16<<20 + conns*16<<10
	)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	plan, err := config.LoadBytes("heap.toml", fmt.Appendf(nil, `
[hekad]
base_dir = %q
[in]
type = "TcpInput"
address = %q
splitter = "TokenSplitter"
decoder = ""
[PayloadEncoder]
[out]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"
`, t.TempDir(), addr, filepath.Join(t.TempDir(), "out.log")))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(plan, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var c net.Conn
	deadline := time.Now().Add(20 * time.Second)
	for c == nil {
		if c, err = net.Dial("tcp", addr); err != nil {
			if time.Now().After(deadline) {
				t.Fatalf("TcpInput does not listen: %v", err)
			}
			c = nil
			time.Sleep(10 * time.Millisecond)
		}
	}
	c.Close()
	base := liveHeap()

	line := bytes.Repeat([]byte("x"), 99)
	line = append(line, '\n')
	data := bytes.Repeat(line, perConn/len(line))
	open := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	for range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, c)
		if _, err := c.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	want := int64(conns * (perConn / len(line)))
	deadline = time.Now().Add(2 * time.Minute)
	for eng.Stats().Delivered < want {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d lines delivered", eng.Stats().Delivered, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	grown := int64(liveHeap()) - int64(base)
	t.Logf("%d idle connections after %d KiB each: live heap grew %.1f MiB", conns, perConn>>10, float64(grown)/(1<<20))
	if grown > bound {
		t.Errorf("live heap grew %d bytes with %d idle connections, want at most %d", grown, conns, bound)
	}
}

// liveHeap is the heap in use after two collections (the second empties
// what sync.Pools kept through the first).
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
