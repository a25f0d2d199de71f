package logstreamer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// countHost counts the newlines of its streams and commits after each
// read, as an engine that acknowledges at once would.
type countHost struct{ lines atomic.Int64 }

func (h *countHost) Stream(ctx context.Context, r io.Reader, src pipeline.Source) error {
	buf := make([]byte, 256<<10)
	off := src.Offset
	for {
		n, err := r.Read(buf)
		if n > 0 {
			h.lines.Add(int64(bytes.Count(buf[:n], []byte{'\n'})))
			off += int64(n)
			src.Commit(off)
		}
		if err != nil {
			return nil
		}
	}
}
func (h *countHost) NewPack(context.Context) (*pipeline.Pack, error) { panic("unused") }
func (h *countHost) Deliver(context.Context, *pipeline.Pack, pipeline.Ack) error {
	panic("unused")
}

// BenchmarkTail reads a pre-written file of b.N nginx-like lines through
// a stream (reader, hash window, commits), without the engine.
func BenchmarkTail(b *testing.B) {
	dir := b.TempDir()
	var buf bytes.Buffer
	for i := 0; i < b.N; i++ {
		fmt.Fprintf(&buf, "192.0.2.%d - - [25/Nov/2026:08:00:00 +0000] \"GET /index.html HTTP/1.1\" 200 %d \"-\" \"curl/8.0\"\n", i%256, i)
	}
	os.WriteFile(filepath.Join(dir, "access.log"), buf.Bytes(), 0o644)
	cfg := accessConfig(dir)
	cfg.JournalDirectory = b.TempDir()
	cfg.CheckDataInterval = pipeline.Duration(time.Millisecond)
	g := pipeline.DefaultGlobals()
	p, err := newInput(cfg, pipeline.NewEnv("bench", "LogstreamerInput", &g, nil, nil))
	if err != nil {
		b.Fatal(err)
	}
	h := &countHost{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.SetBytes(int64(buf.Len() / max(b.N, 1)))
	b.ResetTimer()
	start := time.Now()
	go func() { p.Run(ctx, h); close(done) }()
	for h.lines.Load() < int64(b.N) {
		time.Sleep(100 * time.Microsecond)
	}
	el := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	b.ReportMetric(float64(b.N)/el.Seconds(), "lines/s")
}
