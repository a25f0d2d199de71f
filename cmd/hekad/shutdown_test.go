package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
)

// The acceptance scenarios of issue 7 (graceful shutdown). Their sizes are
// moderate by default, so that `make test` (with -race) stays quick; the
// environment gives the acceptance sizes (docs/delivery.md, "Acceptance
// scenarios"):
//
//	HEKAD_SCENARIO_RUNS      runs of each shutdown scenario (default 2)
//	HEKAD_SCENARIO_MESSAGES  messages of the stream scenario (default 50000)
//	HEKAD_SCENARIO_CONNS     one-message connections (default 10000)

// envInt returns the integer in the environment variable name, or def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// closing is hekad's closing line: "shutdown: N messages received = D
// delivered + Q queued + X dropped (U unmatched) + L lost", with the
// optional tails for the disk queues and records not routed.
type closing struct {
	Received, Delivered, Queued, Dropped, Unmatched, Lost int64
	Buffered, NotRouted                                   int64
}

var (
	closingRE   = regexp.MustCompile(`shutdown: (\d+) messages received = (\d+) delivered \+ (\d+) queued \+ (\d+) dropped \((\d+) unmatched\) \+ (\d+) lost`)
	bufferedRE  = regexp.MustCompile(`disk queues hold (\d+) records`)
	notRoutedRE = regexp.MustCompile(`(\d+) records read but not routed`)
)

// closingLine finds the closing line in hekad's log and checks that its
// figures add up.
func closingLine(t *testing.T, log string) closing {
	t.Helper()
	var line string
	for l := range strings.Lines(log) {
		if closingRE.MatchString(l) {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no closing line in hekad's log:\n%s", log)
	}
	m := closingRE.FindStringSubmatch(line)
	n := make([]int64, len(m))
	for i := 1; i < len(m); i++ {
		n[i], _ = strconv.ParseInt(m[i], 10, 64)
	}
	c := closing{Received: n[1], Delivered: n[2], Queued: n[3], Dropped: n[4], Unmatched: n[5], Lost: n[6]}
	if m := bufferedRE.FindStringSubmatch(line); m != nil {
		c.Buffered, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := notRoutedRE.FindStringSubmatch(line); m != nil {
		c.NotRouted, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if c.Delivered+c.Queued+c.Dropped+c.Lost != c.Received {
		t.Errorf("closing line does not add up: %d + %d + %d + %d != %d\n%s",
			c.Delivered, c.Queued, c.Dropped, c.Lost, c.Received, line)
	}
	if c.Unmatched > c.Dropped {
		t.Errorf("closing line: %d unmatched > %d dropped", c.Unmatched, c.Dropped)
	}
	return c
}

// tail counts the lines of a growing file, reading only what was added
// since the last call.
type tail struct {
	path  string
	off   int64
	lines int
	buf   []byte
}

// count returns the number of complete lines in the file so far.
func (tl *tail) count() int {
	f, err := os.Open(tl.path)
	if err != nil {
		return tl.lines
	}
	defer f.Close()
	if tl.buf == nil {
		tl.buf = make([]byte, 1<<20)
	}
	for {
		n, err := f.ReadAt(tl.buf, tl.off)
		if n > 0 {
			// Count complete lines only: stop at the last newline.
			chunk := tl.buf[:n]
			last := bytes.LastIndexByte(chunk, '\n')
			if last < 0 {
				return tl.lines
			}
			tl.lines += bytes.Count(chunk[:last+1], []byte{'\n'})
			tl.off += int64(last + 1)
		}
		if err != nil || n < len(tl.buf) {
			return tl.lines
		}
	}
}

// readLines returns the lines of the file at path.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Split(string(b), "\n")
	if s[len(s)-1] != "" {
		t.Errorf("%s does not end with a newline", path)
	}
	return s[:len(s)-1]
}

// countFrames counts the framed messages in the file at path and checks
// that each decodes.
func countFrames(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := message.NewReader(bufio.NewReaderSize(f, 1<<20), message.FrameOptions{})
	n := 0
	for {
		fr, err := r.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Errorf("%s: after %d frames: %v", path, n, err)
			return n
		}
		var m message.Message
		if err := m.Unmarshal(fr.Message); err != nil {
			t.Errorf("%s: frame %d does not decode: %v", path, n, err)
		}
		n++
	}
}

// numbered frames n messages of type typ whose payloads are prefix0,
// prefix1, ... One call takes about a second per 200,000 messages.
func numbered(t *testing.T, typ, prefix string, from, n int) []byte {
	t.Helper()
	out := make([]byte, 0, n*64)
	var m message.Message
	for i := from; i < from+n; i++ {
		m = message.Message{}
		m.SetNewUUID()
		m.SetTimestamp(time.Now().UnixNano())
		m.SetType(typ)
		m.SetPayload(prefix + strconv.Itoa(i))
		var err error
		if out, err = message.AppendFrame(out, m.Marshal(), nil, message.DefaultMaxMessageSize); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestShutdownMidStream: SIGTERM at a random point of a stream of framed
// messages into two filters and two outputs. Everything hekad read before
// the signal is processed: the closing line says 0 lost, and the outputs
// hold exactly the messages the closing line says were received, in the
// order they were sent, without a gap.
func TestShutdownMidStream(t *testing.T) {
	runs := envInt(t, "HEKAD_SCENARIO_RUNS", 2)
	n := envInt(t, "HEKAD_SCENARIO_MESSAGES", 50000)
	stream := numbered(t, "scen", "m", 0, n)
	for run := range runs {
		t.Run(fmt.Sprintf("run%d", run+1), func(t *testing.T) {
			addr := freePort(t)
			dir := t.TempDir()
			archive, framed := filepath.Join(dir, "archive.log"), filepath.Join(dir, "framed.log")
			// PanicFilter with a trigger nobody sends is a TRUE filter that
			// decodes every message; CounterFilter injects a report every
			// second, which the archive takes too.
			p := startBin(t, hekadTestBin, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[in]
type = "TcpInput"
address = %q

[every]
type = "PanicFilter"
message_matcher = "TRUE"
trigger = "never sent"

[counter]
type = "CounterFilter"
ticker_interval = 1

[archive]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"
flush_interval = 50

[framed]
type = "FileOutput"
message_matcher = "Type == 'scen'"
path = %q
encoder = "ProtobufEncoder"

[PayloadEncoder]
`, addr, archive, framed))
			p.waitListening(addr)

			// The signal goes when the archive holds k messages, k at
			// random in the first 70% of the stream: the archive is
			// flushed every 50 ms and hekad reads at most its pools and
			// buffers ahead of its outputs, so the stream is then still
			// flowing.
			k := n/10 + rand.IntN(n*6/10)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// The sender paces itself (16 KiB a millisecond at most) and
			// keeps at most a tenth of the stream ahead of the archive,
			// so that the stream still flows when the signal goes,
			// however fast this machine: unpaced, the whole stream fit in
			// the kernel's socket buffers and hekad read all of it before
			// its archive reached k; paced only by time, a fast hekad
			// still read the rest of the stream while its archive (flushed
			// every 50 ms) caught up with k.
			sent := make(chan int, 1)
			stop := make(chan struct{})
			go func() {
				ahead := &tail{path: archive}
				perMsg := (len(stream) + n - 1) / n
				w := 0
				for w < len(stream) {
					limit := min(len(stream), (ahead.count()+n/10)*perMsg)
					if w >= limit {
						select {
						case <-stop:
							sent <- w
							return
						case <-time.After(time.Millisecond): // polling the archive
						}
						continue
					}
					m, err := c.Write(stream[w:min(limit, w+16<<10)])
					w += m
					if err != nil {
						break
					}
					time.Sleep(time.Millisecond)
				}
				sent <- w
			}()
			tl := &tail{path: archive}
			waitFor(t, 120*time.Second, fmt.Sprintf("%d messages in the archive", k), func() bool { return tl.count() >= k })
			p.cmd.Process.Signal(syscall.SIGTERM)
			code := p.wait(120 * time.Second)
			close(stop)
			c.Close()
			<-sent

			cl := closingLine(t, p.Stdout()+p.Stderr())
			t.Logf("signal at %d archived; closing line: %+v", k, cl)
			if code != 0 {
				t.Errorf("exit code %d", code)
			}
			if cl.Lost != 0 || cl.NotRouted != 0 || cl.Queued != 0 {
				t.Errorf("lost %d, not routed %d, queued %d: want 0", cl.Lost, cl.NotRouted, cl.Queued)
			}
			if cl.Dropped != 0 {
				t.Errorf("%d dropped: every message matches an output", cl.Dropped)
			}
			lines := readLines(t, archive)
			if int64(len(lines)) != cl.Received {
				t.Errorf("the archive holds %d messages, the closing line says %d received", len(lines), cl.Received)
			}
			// The stream's messages are m0, m1, ... in order; the rest
			// are the counter's reports.
			got := 0
			for _, l := range lines {
				if strings.HasPrefix(l, "Got ") {
					continue
				}
				if l != "m"+strconv.Itoa(got) {
					t.Fatalf("archive: message %d is %q, want m%d", got, l, got)
				}
				got++
			}
			if f := countFrames(t, framed); f != got {
				t.Errorf("the framed output holds %d messages, the archive %d", f, got)
			}
			if got >= n {
				t.Errorf("hekad read all %d messages before the signal: not a mid-stream shutdown", n)
			}
			if got < k {
				t.Errorf("the archive holds %d stream messages, fewer than the %d seen before the signal", got, k)
			}
			t.Logf("stream: %d of %d messages read and archived; %d counter reports", got, n, len(lines)-got)
		})
	}
}

// sendOne sends one message on a new connection, half-closes it and waits
// for hekad to close its side. It reports whether hekad read the message:
// the connection ended with a clean close and no error on the socket.
// hekad closes a connection holding unread data with a reset; a message
// that arrives after hekad closed an idle connection at shutdown is
// answered with a reset too, which leaves an error on the socket although
// the read sees hekad's earlier close as a clean end of stream.
func sendOne(addr string, frame []byte) (dialed, read bool) {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return false, false
	}
	defer c.Close()
	if _, err := c.Write(frame); err != nil {
		return true, false
	}
	tc := c.(*net.TCPConn)
	tc.CloseWrite()
	c.SetReadDeadline(time.Now().Add(60 * time.Second))
	if _, err := io.Copy(io.Discard, c); err != nil {
		return true, false
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return true, false
	}
	soErr := -1
	rc.Control(func(fd uintptr) {
		soErr, err = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_ERROR)
	})
	return true, err == nil && soErr == 0
}

// TestShutdownManyConnections: SIGTERM while thousands of one-message
// connections arrive, from a few goroutines, into a buffered TcpOutput
// (its disk queue) whose downstream is up or down. Every message the
// closing line says was received is queued (0 lost); after a restart with
// the downstream up, the downstream holds every one of them.
func TestShutdownManyConnections(t *testing.T) {
	runs := envInt(t, "HEKAD_SCENARIO_RUNS", 2)
	n := envInt(t, "HEKAD_SCENARIO_CONNS", 10000)
	const senders = 8
	frames := make([][]byte, n)
	for i := range frames {
		frames[i] = numbered(t, "conn", "c", i, 1)
	}
	tests := []struct {
		name       string
		downstream bool // up during the first run
	}{
		{"downstream up", true},
		{"downstream down", false},
	}
	for _, tc := range tests {
		for run := range runs {
			t.Run(fmt.Sprintf("%s/run%d", tc.name, run+1), func(t *testing.T) {
				base := t.TempDir()
				in, down := freePort(t), freePort(t)
				cfg := fmt.Sprintf(`
[hekad]
base_dir = %q

[in]
type = "TcpInput"
address = %q

[up]
type = "TcpOutput"
message_matcher = "TRUE"
address = %q
[up.retries]
delay = "20ms"
max_delay = "200ms"
max_jitter = "10ms"
`, base, in, down)
				var s *sink
				if tc.downstream {
					s = listenSink(t, down)
				}
				p := startHekad(t, cfg)
				p.waitListening(in)

				// The signal goes after k connections were read, k at
				// random between 20% and 80% of n; the senders go on until
				// hekad stops listening.
				k := int64(n/5 + rand.IntN(n*3/5))
				var next, dialed, acked atomic.Int64
				var signalled atomic.Bool
				read := make([]bool, n)
				var wg sync.WaitGroup
				for range senders {
					wg.Go(func() {
						for {
							i := next.Add(1) - 1
							if i >= int64(n) {
								return
							}
							d, r := sendOne(in, frames[i])
							if !d {
								if !signalled.Load() {
									t.Errorf("connection %d refused before the signal", i)
								}
								return
							}
							dialed.Add(1)
							if r {
								read[i] = true
								if acked.Add(1) == k {
									signalled.Store(true)
									p.cmd.Process.Signal(syscall.SIGTERM)
								}
							}
						}
					})
				}
				code := p.wait(120 * time.Second)
				wg.Wait()
				if !signalled.Load() {
					t.Fatalf("the signal was never sent (%d connections read)", acked.Load())
				}
				cl := closingLine(t, p.Stdout()+p.Stderr())
				t.Logf("%d connections dialed, %d read cleanly, signal after %d; closing line %+v",
					dialed.Load(), acked.Load(), k, cl)
				if code != 0 {
					t.Errorf("exit code %d", code)
				}
				if cl.Lost != 0 || cl.NotRouted != 0 || cl.Dropped != 0 {
					t.Errorf("lost %d, not routed %d, dropped %d: want 0", cl.Lost, cl.NotRouted, cl.Dropped)
				}
				if cl.Queued != cl.Received {
					t.Errorf("%d received but %d queued: the buffered output takes every message", cl.Received, cl.Queued)
				}
				if cl.Received < acked.Load() || cl.Received > dialed.Load() {
					t.Errorf("%d received: want between %d (read cleanly) and %d (dialed)", cl.Received, acked.Load(), dialed.Load())
				}
				if cl.Received >= int64(n) {
					t.Errorf("every connection was read before the signal took effect: not a mid-stream shutdown")
				}
				if !tc.downstream && cl.Buffered != cl.Received {
					t.Errorf("downstream down: the disk queue holds %d records, want %d", cl.Buffered, cl.Received)
				}
				if tc.downstream {
					// What left the queue was written to the downstream.
					waitFor(t, 30*time.Second, "the records that left the queue downstream", func() bool {
						return int64(len(s.payloads())) >= cl.Received-cl.Buffered
					})
				} else {
					s = listenSink(t, down)
				}

				p2 := startHekad(t, cfg)
				p2.waitListening(in)
				waitFor(t, 120*time.Second, fmt.Sprintf("%d messages downstream after the restart", cl.Received), func() bool {
					return int64(len(s.payloads())) >= cl.Received
				})
				if code := p2.stop(); code != 0 {
					t.Errorf("restart: exit code %d", code)
				}
				cl2 := closingLine(t, p2.Stdout()+p2.Stderr())
				if cl2.Lost != 0 || cl2.Buffered != 0 {
					t.Errorf("restart: closing line %+v: want 0 lost and an empty queue", cl2)
				}

				seen := make(map[string]int)
				for _, pl := range s.payloads() {
					seen[pl]++
				}
				dups := len(s.payloads()) - len(seen)
				if int64(len(seen)) != cl.Received {
					t.Errorf("downstream holds %d distinct messages, hekad received %d", len(seen), cl.Received)
				}
				for i, r := range read {
					if r && seen["c"+strconv.Itoa(i)] == 0 {
						t.Errorf("message c%d was read (clean close) but never arrived downstream", i)
					}
				}
				for pl := range seen {
					if i, err := strconv.Atoi(strings.TrimPrefix(pl, "c")); err != nil || i < 0 || i >= n || !strings.HasPrefix(pl, "c") {
						t.Errorf("unexpected payload %q downstream", pl)
					}
				}
				if dups > 1 {
					t.Errorf("%d duplicates downstream: want at most cursor_update_count (1)", dups)
				}
				t.Logf("downstream: %d messages, %d distinct, %d duplicates", len(s.payloads()), len(seen), dups)
			})
		}
	}
}

// TestShutdownStuckOutput: one output is stuck in a system call (a
// FileOutput opening a FIFO nobody reads), another is healthy. On SIGTERM
// hekad gives up after shutdown_timeout, its closing line adds up and
// counts what the stuck output held as lost (or queued, when that output
// has a disk queue), and the exit status says whether anything was lost.
func TestShutdownStuckOutput(t *testing.T) {
	const timeout = 3 * time.Second
	// A -race build sleeps a second at exit while threads are left (the
	// one stuck in the FIFO's open): not hekad's time.
	t.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	tests := []struct {
		name      string
		matcher   string // the stuck output's
		buffered  bool   // the stuck output has a disk queue
		stuck     int    // messages of type "stuck"
		free      int    // messages of type "free"
		wantLost  int64
		wantQueue int64
		wantCode  int
	}{
		// Unbuffered, the stuck output holds up the router once its
		// channel and the pool are full: a few messages only.
		{name: "stuck takes all", matcher: "TRUE", stuck: 20, wantLost: 20, wantCode: 1},
		{name: "stuck takes some", matcher: "Type == 'stuck'", stuck: 10, free: 10, wantLost: 10, wantCode: 1},
		// With a disk queue, the stuck output holds up nothing; what it
		// holds is on disk for the next start, not lost.
		{name: "stuck buffered", matcher: "TRUE", buffered: true, stuck: 2000, wantQueue: 2000, wantCode: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := freePort(t)
			dir := t.TempDir()
			healthy, fifo := filepath.Join(dir, "healthy.log"), filepath.Join(dir, "stuck.fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"
shutdown_timeout = %q

[in]
type = "TcpInput"
address = %q

[healthy]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"
flush_interval = 50

[stuck]
type = "FileOutput"
message_matcher = %q
path = %q
encoder = "PayloadEncoder"
use_buffering = %v

[PayloadEncoder]
`, timeout.String(), addr, healthy, tc.matcher, fifo, tc.buffered))
			p.waitListening(addr)
			stream := append(numbered(t, "stuck", "s", 0, tc.stuck), numbered(t, "free", "f", 0, tc.free)...)
			send(t, addr, stream)
			total := tc.stuck + tc.free
			tl := &tail{path: healthy}
			waitFor(t, 60*time.Second, fmt.Sprintf("%d messages in the healthy output", total), func() bool { return tl.count() >= total })

			start := time.Now()
			p.cmd.Process.Signal(syscall.SIGTERM)
			code := p.wait(timeout + 60*time.Second)
			took := time.Since(start)
			log := p.Stdout() + p.Stderr()
			cl := closingLine(t, log)
			t.Logf("exit %d after %v; closing line %+v", code, took.Round(time.Millisecond), cl)

			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d", code, tc.wantCode)
			}
			if cl.Received != int64(total) {
				t.Errorf("%d received, want %d", cl.Received, total)
			}
			if cl.Lost != tc.wantLost || cl.Queued != tc.wantQueue {
				t.Errorf("%d lost, %d queued: want %d lost, %d queued", cl.Lost, cl.Queued, tc.wantLost, tc.wantQueue)
			}
			if tc.buffered && cl.Buffered != tc.wantQueue {
				t.Errorf("the disk queue holds %d records, want %d", cl.Buffered, tc.wantQueue)
			}
			if n := countLines(healthy); n != total {
				t.Errorf("the healthy output holds %d messages, want %d", n, total)
			}
			// hekad gives up at shutdown_timeout; logging the closing
			// line and exiting take a moment more (up to a second or two
			// for a race-enabled build on a loaded machine), far less
			// than a second shutdown_timeout.
			if took > timeout+2*time.Second {
				t.Errorf("hekad took %v to stop, shutdown_timeout is %v", took, timeout)
			}
			if !strings.Contains(log, "drain time ("+timeout.String()+") is up") {
				t.Errorf("hekad did not say that it gave up at shutdown_timeout")
			}
		})
	}
}
