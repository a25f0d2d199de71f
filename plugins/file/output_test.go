package file

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"github.com/hekad-go/hekad/internal/strftime"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/messagetest"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

const waitLong = 10 * time.Second

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "FileOutput")
}

// build builds a FileOutput through its registration, writing to out.log
// in a new temporary directory unless mod changes the path.
func build(t testing.TB, mod func(*OutputConfig)) *Output {
	t.Helper()
	reg, ok := pipeline.Lookup("FileOutput")
	if !ok {
		t.Fatal("FileOutput not registered")
	}
	cfg := reg.NewConfig().(*OutputConfig)
	cfg.Path = filepath.Join(t.TempDir(), "out.log")
	cfg.Encoder = "ProtobufEncoder"
	if mod != nil {
		mod(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	p, err := reg.Build(cfg, pipeline.NewEnv("file_out", "FileOutput", nil, nil, nil))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	o := p.(*Output)
	t.Cleanup(func() { o.Close() })
	return o
}

func record(t testing.TB, payload string) pipeline.Record {
	t.Helper()
	p := pipeline.NewPack()
	p.MutableMessage().SetType("test")
	p.MutableMessage().SetPayload(payload)
	b, err := message.AppendFrame(nil, p.Message().Marshal(), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return pipeline.Record{Pack: p, Data: b}
}

func write(t testing.TB, o *Output, payload string) {
	t.Helper()
	if err := o.Write(t.Context(), record(t, payload)); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// payloads reads the framed messages of the file at path.
func payloads(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	r := message.NewReader(f, message.FrameOptions{})
	for {
		fr, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		var m message.Message
		if err := m.Unmarshal(fr.Message); err != nil {
			t.Fatal(err)
		}
		out = append(out, m.GetPayload())
	}
}

func TestWriteFramed(t *testing.T) {
	plugintest.CheckGoroutines(t)
	o := build(t, func(c *OutputConfig) { c.FlushInterval = 0 })
	if err := o.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		write(t, o, fmt.Sprint("m", i))
	}
	settle(t, o)
	if got := strings.Join(payloads(t, o.Path()), ","); got != "m0,m1,m2" {
		t.Errorf("file holds %q", got)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
}

// settle waits for the background write of a connected output, if one is
// under way, so that the file holds everything flushed so far.
func settle(t testing.TB, o *Output) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.waitLocked(); err != nil {
		t.Fatalf("background write: %v", err)
	}
}

// TestFlushRules drives the flush rules step by step: "w" writes a record,
// "t" fires the flush_interval timer; after each step the file must hold
// the given number of records. The real timer is an hour (or off), so only
// "t" fires it.
func TestFlushRules(t *testing.T) {
	tests := []struct {
		name     string
		op       string
		count    uint32
		interval pipeline.Millis
		steps    string
		want     []int
	}{
		{"OR count only", "OR", 3, 0, "wwww", []int{0, 0, 3, 3}},
		{"OR timer writes any", "OR", 3, 3600_000, "wtwww", []int{0, 1, 1, 1, 4}},
		{"OR empty timer", "OR", 2, 3600_000, "tww", []int{0, 0, 2}},
		{"AND needs both", "AND", 2, 3600_000, "wwtwtw", []int{0, 0, 2, 2, 2, 4}},
		{"AND timer first", "AND", 2, 3600_000, "twwtw", []int{0, 0, 2, 2, 2}},
		{"AND defaults", "AND", 1, 3600_000, "wttw", []int{0, 1, 1, 2}},
		{"AND no interval", "AND", 2, 0, "www", []int{0, 2, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := build(t, func(c *OutputConfig) {
				c.FlushOperator, c.FlushCount, c.FlushInterval = tc.op, tc.count, tc.interval
			})
			if err := o.Connect(t.Context()); err != nil {
				t.Fatal(err)
			}
			for i, step := range tc.steps {
				switch step {
				case 'w':
					write(t, o, fmt.Sprint(i))
				case 't':
					o.onInterval()
				}
				settle(t, o)
				if got := len(payloads(t, o.Path())); got != tc.want[i] {
					t.Fatalf("after step %d (%s): %d records in the file, want %d", i, tc.steps[:i+1], got, tc.want[i])
				}
			}
		})
	}
}

func TestFlushIntervalTimer(t *testing.T) {
	plugintest.CheckGoroutines(t)
	o := build(t, func(c *OutputConfig) { c.FlushInterval = 5 })
	if err := o.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	write(t, o, "timed")
	plugintest.Eventually(t, waitLong, "the timer to write the record", func() bool {
		return len(payloads(t, o.Path())) == 1
	})
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCloseWritesBuffer(t *testing.T) {
	plugintest.CheckGoroutines(t)
	o := build(t, func(c *OutputConfig) { c.FlushCount, c.FlushInterval = 100, 0 })
	if err := o.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		write(t, o, fmt.Sprint(i))
	}
	if n := len(payloads(t, o.Path())); n != 0 {
		t.Fatalf("%d records written before flush_count was reached", n)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(payloads(t, o.Path())); n != 5 {
		t.Errorf("%d records after Close, want 5", n)
	}
}

func TestContextEndWritesBuffer(t *testing.T) {
	plugintest.CheckGoroutines(t)
	o := build(t, func(c *OutputConfig) { c.FlushCount = 100 })
	ctx, cancel := context.WithCancel(t.Context())
	if err := o.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	write(t, o, "last words")
	cancel()
	plugintest.Eventually(t, waitLong, "the buffer to be written at shutdown", func() bool {
		return len(payloads(t, o.Path())) == 1
	})
}

func TestPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	o := build(t, func(c *OutputConfig) {
		c.Path = filepath.Join(dir, "out.log")
		c.Perm, c.FolderPerm, c.FlushInterval = "600", "750", 0
	})
	write(t, o, "x")
	fi, err := os.Stat(o.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		di, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if di.Mode().Perm() != 0o750 {
			t.Errorf("directory %s mode %v, want 0750", d, di.Mode().Perm())
		}
	}
}

// TestReopenAfterRename is logrotate's move-then-HUP: records written
// after Reopen go to a new file at the path, none to the moved one.
func TestReopenAfterRename(t *testing.T) {
	o := build(t, func(c *OutputConfig) { c.FlushCount, c.FlushInterval = 2, 0 })
	if err := o.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	path := o.Path()
	write(t, o, "before-1")
	write(t, o, "before-2")
	write(t, o, "buffered") // waits for a second record
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := o.Reopen(); err != nil {
		t.Fatal(err)
	}
	write(t, o, "after-1")
	write(t, o, "after-2")
	settle(t, o)
	if got := strings.Join(payloads(t, path+".1"), ","); got != "before-1,before-2,buffered" {
		t.Errorf("moved file holds %q", got)
	}
	if got := strings.Join(payloads(t, path), ","); got != "after-1,after-2" {
		t.Errorf("new file holds %q", got)
	}
}

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	o := build(t, func(c *OutputConfig) {
		c.Path = filepath.Join(dir, "out-%Y%m%d-%H%M.log")
		c.RotationInterval, c.FlushInterval = 1, 0
	})
	now := time.Date(2016, 5, 3, 10, 59, 59, 0, time.UTC)
	o.now = func() time.Time { return now }
	write(t, o, "ten")
	now = now.Add(2 * time.Second)
	write(t, o, "eleven")
	now = now.Add(30 * time.Minute)
	write(t, o, "eleven too")
	if got := strings.Join(payloads(t, filepath.Join(dir, "out-20160503-1059.log")), ","); got != "ten" {
		t.Errorf("10 o'clock file holds %q", got)
	}
	if got := strings.Join(payloads(t, filepath.Join(dir, "out-20160503-1100.log")), ","); got != "eleven,eleven too" {
		t.Errorf("11 o'clock file holds %q", got)
	}
	if o.Path() != filepath.Join(dir, "out-20160503-1100.log") {
		t.Errorf("Path() = %q", o.Path())
	}
}

// TestWriteFailureRetries writes to /dev/full: the failed record is handed
// back with ErrRetry and is not kept, so the engine's retry does not
// duplicate it.
func TestWriteFailureRetries(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	o := build(t, func(c *OutputConfig) { c.Path, c.FlushInterval = "/dev/full", 0 })
	err := o.Write(t.Context(), record(t, "x"))
	if !errors.Is(err, pipeline.ErrRetry) {
		t.Fatalf("Write to a full device = %v, want ErrRetry", err)
	}
	if len(o.buf) != 0 || o.count != 0 {
		t.Errorf("failed record kept in the buffer (%d bytes, count %d)", len(o.buf), o.count)
	}
}

// TestBackgroundWriteFailure writes to /dev/full once connected: the
// background write fails, the next flush hands the current record back
// with ErrRetry, and the bytes of the failed write are kept, ahead of it,
// for the next attempt (nothing lost, nothing written twice).
func TestBackgroundWriteFailure(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	plugintest.CheckGoroutines(t)
	o := build(t, func(c *OutputConfig) { c.Path, c.FlushInterval = "/dev/full", 0 })
	if err := o.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	first, second := record(t, "first"), record(t, "second")
	if err := o.Write(t.Context(), first); err != nil {
		t.Fatalf("first Write = %v, want nil (the write happens in the background)", err)
	}
	if err := o.Write(t.Context(), second); !errors.Is(err, pipeline.ErrRetry) {
		t.Fatalf("second Write = %v, want ErrRetry", err)
	}
	o.mu.Lock()
	kept := string(o.buf)
	o.mu.Unlock()
	if kept != string(first.Data) {
		t.Errorf("buffer holds %q, want the failed record %q only", kept, first.Data)
	}
	if err := o.Close(); err == nil {
		t.Error("Close on a full device succeeded")
	}
}

func TestConfig(t *testing.T) {
	const head = "[o]\ntype = \"FileOutput\"\nmessage_matcher = \"TRUE\"\n"
	plugintest.CheckInvalid(t, "FileOutput", map[string]string{
		head + "encoder = \"E\"\n":                                        "path",
		head + "path = \"/x\"\n":                                          "encoder: required",
		head + "path = \"/x\"\nencoder = \"E\"\nperm = \"abc\"\n":         "perm",
		head + "path = \"/x\"\nencoder = \"E\"\nfolder_perm = \"9\"\n":    "folder_perm",
		head + "path = \"/x\"\nencoder = \"E\"\nflush_count = 0\n":        "flush_count",
		head + "path = \"/x\"\nencoder = \"E\"\nflush_operator = \"X\"\n": "flush_operator",
		head + "path = \"/x\"\nencoder = \"E\"\nrotation_interval = 2\n":  "rotation_interval",
		head + "path = \"/x\"\nencoder = \"E\"\nflush_intervall = 2\n":    "flush_intervall",
	})
}

func TestStrftime(t *testing.T) {
	tm := time.Date(2016, 5, 3, 7, 4, 5, 0, time.UTC)
	tests := []struct{ layout, want string }{
		{"%Y-%m-%d %H:%M:%S", "2016-05-03 07:04:05"},
		{"%F %T", "2016-05-03 07:04:05"},
		{"%y%j %a %A %b %B %e|%k|%l|%I %p", "16124 Tue Tuesday May May  3| 7| 7|07 AM"},
		{"%s %u %w %D %R %C", "1462259045 2 2 05/03/16 07:04 20"},
		{"%z %Z %% %Q end%", "+0000 UTC % %Q end%"},
	}
	for _, tc := range tests {
		if got := strftime.String(tc.layout, tm); got != tc.want {
			t.Errorf("strftime(%q) = %q, want %q", tc.layout, got, tc.want)
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	pk := pipeline.NewPack()
	messagetest.FillBenchmarkMessage(pk.MutableMessage())
	data, err := message.AppendFrame(nil, pk.Message().Marshal(), nil, 0)
	if err != nil {
		b.Fatal(err)
	}
	rec := pipeline.Record{Pack: pk, Data: data}
	for _, bc := range []struct {
		name string
		mod  func(*OutputConfig)
	}{
		{"defaults", nil},
		{"flush_count=100/OR", func(c *OutputConfig) { c.FlushCount, c.FlushOperator = 100, "OR" }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			o := build(b, bc.mod)
			if err := o.Connect(b.Context()); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := o.Write(b.Context(), rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
