package logstreamer

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// lineHost is an InputHost that cuts streams into lines, records them and
// acknowledges each at once (Commit past it), unless hold is set.
type lineHost struct {
	mu     sync.Mutex
	lines  []string
	byName map[string][]string
	srcs   []pipeline.Source
}

func (h *lineHost) Stream(ctx context.Context, r io.Reader, src pipeline.Source) error {
	h.mu.Lock()
	h.srcs = append(h.srcs, src)
	h.mu.Unlock()
	buf := make([]byte, 0, 1<<16)
	off := src.Offset
	tmp := make([]byte, 4096)
	for {
		n, err := r.Read(tmp)
		buf = append(buf, tmp[:n]...)
		for {
			i := bytes.IndexByte(buf, '\n')
			if i < 0 {
				break
			}
			line := string(buf[:i])
			buf = buf[i+1:]
			off += int64(i + 1)
			h.mu.Lock()
			h.lines = append(h.lines, line)
			if h.byName == nil {
				h.byName = map[string][]string{}
			}
			h.byName[src.Name] = append(h.byName[src.Name], line)
			h.mu.Unlock()
			if src.Commit != nil {
				src.Commit(off)
			}
		}
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

func (h *lineHost) NewPack(context.Context) (*pipeline.Pack, error) { panic("unused") }
func (h *lineHost) Deliver(context.Context, *pipeline.Pack, pipeline.Ack) error {
	panic("unused")
}

func (h *lineHost) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.lines...)
}

// waitLines waits until the host holds n lines and returns them.
func (h *lineHost) waitLines(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if got := h.got(); len(got) >= n {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
	got := h.got()
	t.Fatalf("got %d lines, want %d: %q", len(got), n, got)
	return nil
}

// running is an input run by a test.
type running struct {
	in     *Input
	host   *lineHost
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
		if r.err != nil {
			t.Fatalf("Run: %v", r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
}

// start runs a LogstreamerInput named "ls" with cfg (short intervals),
// its journals in journalDir.
func start(t *testing.T, cfg Config, journalDir string) *running {
	t.Helper()
	cfg.CheckDataInterval = pipeline.Duration(5 * time.Millisecond)
	cfg.RescanInterval = pipeline.Duration(50 * time.Millisecond)
	cfg.JournalInterval = 20
	cfg.JournalDirectory = journalDir
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	g := pipeline.DefaultGlobals()
	g.Hostname = "testhost"
	env := pipeline.NewEnv("ls", "LogstreamerInput", &g, nil, nil)
	p, err := newInput(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{in: p.(*Input), host: &lineHost{}, cancel: cancel, done: make(chan struct{})}
	go func() { r.err = r.in.Run(ctx, r.host); close(r.done) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

func appendLines(t *testing.T, path string, from, to int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(lineData(from, to)); err != nil {
		t.Fatal(err)
	}
}

// lineData is lines "line from" to "line to-1", each with its newline.
func lineData(from, to int) []byte {
	var b bytes.Buffer
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.Bytes()
}

// writeGzip writes lines from to to-1 gzip-compressed to path.
func writeGzip(t *testing.T, path string, from, to int) {
	t.Helper()
	writeGzipData(t, path, lineData(from, to))
}

// writeGzipData writes data gzip-compressed to path.
func writeGzipData(t *testing.T, path string, data []byte) {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitLine waits until the host's last line is want.
func (h *lineHost) waitLine(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if got := h.got(); len(got) > 0 && got[len(got)-1] == want {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("last line is not %q: %q", want, h.got())
}

func wantLines(t *testing.T, got []string, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Fatalf("got %d lines, want %d: %q", len(got), to-from, got)
	}
	for i, l := range got {
		if want := fmt.Sprintf("line %d", from+i); l != want {
			t.Fatalf("line %d: got %q, want %q", i, l, want)
		}
	}
}

func accessConfig(dir string) Config {
	cfg := DefaultConfig()
	cfg.LogDirectory = dir
	cfg.FileMatch = `access\.log\.?(?P<Seq>\d*)`
	cfg.Priority = []string{"^Seq"}
	return cfg
}

func mustRename(t *testing.T, a, b string) {
	t.Helper()
	if err := os.Rename(a, b); err != nil {
		t.Fatal(err)
	}
}

func join(dir, name string) string { return filepath.Join(dir, name) }
