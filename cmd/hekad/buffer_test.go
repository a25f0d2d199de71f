package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
)

// bufferedConfig is a hekad with a TcpInput, a FileOutput archive of every
// payload and a TcpOutput (buffered by default, as in Heka) to downstream.
func bufferedConfig(baseDir, in, downstream, archive string) string {
	return fmt.Sprintf(`
[hekad]
base_dir = %q

[in]
type = "TcpInput"
address = %q

[archive]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"

[up]
type = "TcpOutput"
message_matcher = "TRUE"
address = %q
[up.retries]
delay = "20ms"
max_delay = "200ms"
max_jitter = "10ms"

[PayloadEncoder]
`, baseDir, in, archive, downstream)
}

// sink accepts connections on addr and collects the payloads of the framed
// messages it reads.
type sink struct {
	mu  sync.Mutex
	got []string
}

func listenSink(t *testing.T, addr string) *sink {
	t.Helper()
	s := &sink{}
	serveTCP(t, addr, s.read)
	return s
}

func (s *sink) read(c net.Conn) {
	defer c.Close()
	r := message.NewReader(c, message.FrameOptions{})
	for {
		f, err := r.Next()
		if err != nil {
			return
		}
		var m message.Message
		if m.Unmarshal(f.Message) == nil {
			s.mu.Lock()
			s.got = append(s.got, m.GetPayload())
			s.mu.Unlock()
		}
	}
}

func (s *sink) payloads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

// checkAll reports payloads missing from got (0..n-1) and duplicates.
func checkAll(t *testing.T, got []string, n int) (dups int) {
	t.Helper()
	seen := make([]int, n)
	for _, p := range got {
		i, err := strconv.Atoi(p)
		if err != nil || i < 0 || i >= n {
			t.Errorf("unexpected payload %q", p)
			continue
		}
		seen[i]++
	}
	var missing []int
	for i, c := range seen {
		if c == 0 {
			missing = append(missing, i)
		}
		if c > 1 {
			dups += c - 1
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d messages missing, first %v", len(missing), missing[:min(10, len(missing))])
	}
	return dups
}

func seqPayloads(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}

// TestBufferedOutputDownstreamDown: while the TcpOutput's downstream is
// down, the archive receives every message (the dead output fills its own
// disk queue, not the router); when the downstream comes up it receives
// every message, in order.
func TestBufferedOutputDownstreamDown(t *testing.T) {
	const n = 5000
	base := t.TempDir()
	in, down := freePort(t), freePort(t)
	archive := filepath.Join(base, "archive.log")
	p := startHekad(t, bufferedConfig(base, in, down, archive))
	p.waitListening(in)
	send(t, in, payloadFrames(t, "work", seqPayloads(n)...))
	waitFor(t, 30*time.Second, "the archive while the downstream is down", func() bool { return countLines(archive) == n })

	s := listenSink(t, down)
	waitFor(t, 60*time.Second, "every message downstream", func() bool { return len(s.payloads()) >= n })
	got := s.payloads()
	if dups := checkAll(t, got, n); dups != 0 {
		t.Errorf("%d duplicates", dups)
	}
	for i, pl := range got[:n] {
		if pl != strconv.Itoa(i) {
			t.Errorf("downstream order broken at %d: %q", i, pl)
			break
		}
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if !strings.Contains(p.Stderr()+p.Stdout(), "+ 0 lost") {
		t.Errorf("no closing line with 0 lost")
	}
}

// queuedRecords counts the framed records in the disk queue files of dir.
func queuedRecords(dir string) int {
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	n := 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		r := message.NewReader(fh, message.FrameOptions{})
		for {
			if _, err := r.Next(); err != nil {
				break
			}
			n++
		}
		fh.Close()
	}
	return n
}

// TestBufferedOutputSurvivesKill: kill -9 of hekad while its disk queue
// holds every message and the downstream is down; after a restart the
// downstream receives every message (none lost).
func TestBufferedOutputSurvivesKill(t *testing.T) {
	const n = 5000
	base := t.TempDir()
	in, down := freePort(t), freePort(t)
	archive := filepath.Join(base, "archive.log")
	cfg := bufferedConfig(base, in, down, archive)
	p := startHekad(t, cfg)
	p.waitListening(in)
	send(t, in, payloadFrames(t, "work", seqPayloads(n)...))
	qdir := filepath.Join(base, "output_queue", "up")
	waitFor(t, 30*time.Second, "the queue holds every message", func() bool { return queuedRecords(qdir) >= n })
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.wait(10 * time.Second)

	s := listenSink(t, down)
	p2 := startHekad(t, cfg)
	waitFor(t, 60*time.Second, "every message after the restart", func() bool { return len(s.payloads()) >= n })
	dups := checkAll(t, s.payloads(), n)
	t.Logf("sent %d, received %d, duplicated %d", n, len(s.payloads()), dups)
	if code := p2.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
