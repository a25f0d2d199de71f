package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
)

// The downstream outage scenario of issue 7. HEKAD_OUTAGE is how long the
// downstream stays down (default 2s; the acceptance is 60s).

// orderedSink accepts connections on addr and checks that the framed
// messages it reads carry the payloads prefix0, prefix1, ... in order,
// counting duplicates (a payload seen before) and gaps.
type orderedSink struct {
	prefix string
	mu     sync.Mutex
	next   int   // the next payload expected
	dups   int   // payloads below next
	gaps   []int // payloads above next, where the sequence broke
	others int   // payloads without the prefix
}

func listenOrdered(t *testing.T, addr, prefix string) *orderedSink {
	t.Helper()
	s := &orderedSink{prefix: prefix}
	serveTCP(t, addr, s.read)
	return s
}

func (s *orderedSink) read(c net.Conn) {
	defer c.Close()
	r := message.NewReader(bufio.NewReaderSize(c, 1<<20), message.FrameOptions{})
	var m message.Message
	for {
		f, err := r.Next()
		if err != nil {
			return
		}
		m = message.Message{}
		if m.Unmarshal(f.Message) != nil {
			continue
		}
		s.add(m.GetPayload())
	}
}

func (s *orderedSink) add(payload string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, err := strconv.Atoi(strings.TrimPrefix(payload, s.prefix))
	switch {
	case err != nil || !strings.HasPrefix(payload, s.prefix):
		s.others++
	case i == s.next:
		s.next++
	case i < s.next:
		s.dups++
	default:
		if len(s.gaps) < 10 {
			s.gaps = append(s.gaps, s.next, i)
		}
		s.next = i + 1
	}
}

// state returns the next payload expected, the duplicates, the gaps (pairs
// of expected, got) and the foreign payloads so far.
func (s *orderedSink) state() (next, dups int, gaps []int, others int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next, s.dups, append([]int(nil), s.gaps...), s.others
}

// streamer sends framed messages with payloads prefix0, prefix1, ... on
// one connection as fast as hekad takes them until stopped, keeping at most
// window messages ahead of done() (what hekad has processed): enough to keep
// hekad busy, without filling the sockets' buffers with minutes of work.
type streamer struct {
	c    *net.TCPConn
	sent atomic.Int64 // messages written completely
	stop chan struct{}
	done chan error
}

func startStreamer(t *testing.T, addr, typ, prefix string, window int, done func() int) *streamer {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	st := &streamer{c: c.(*net.TCPConn), stop: make(chan struct{}), done: make(chan error, 1)}
	go func() {
		const chunk = 1000
		var m message.Message
		var uuid [16]byte
		var msg, buf []byte
		for i := 0; ; i += chunk {
			select {
			case <-st.stop:
				st.done <- nil
				return
			default:
			}
			if i-done() > window {
				time.Sleep(time.Millisecond) // flow control, not synchronisation
				i -= chunk
				continue
			}
			buf = buf[:0]
			for j := i; j < i+chunk; j++ {
				binary.BigEndian.PutUint64(uuid[8:], uint64(j))
				m = message.Message{}
				m.SetUuid(uuid[:])
				m.SetTimestamp(time.Now().UnixNano())
				m.SetType(typ)
				m.SetPayload(prefix + strconv.Itoa(j))
				msg = m.AppendMarshal(msg[:0])
				var err error
				if buf, err = message.AppendFrame(buf, msg, nil, message.DefaultMaxMessageSize); err != nil {
					st.done <- err
					return
				}
			}
			if _, err := st.c.Write(buf); err != nil {
				st.done <- err
				return
			}
			st.sent.Add(chunk)
		}
	}()
	return st
}

// finish stops the sender, half-closes the connection and waits until hekad
// closed its side: hekad has then read every message. It returns how many
// messages were sent.
func (st *streamer) finish(t *testing.T) int {
	t.Helper()
	close(st.stop)
	if err := <-st.done; err != nil {
		t.Fatalf("sender: %v", err)
	}
	st.c.CloseWrite()
	st.c.SetReadDeadline(time.Now().Add(120 * time.Second))
	var b [1]byte
	if _, err := st.c.Read(b[:]); err == nil {
		t.Fatal("hekad wrote to its TcpInput connection")
	} else if !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("waiting for hekad to read everything: %v", err)
	}
	st.c.Close()
	return int(st.sent.Load())
}

// TestOutageBufferedOutput: hekad with a buffered TcpOutput whose
// downstream is down for a while and a FileOutput archive, fed at full
// rate throughout. During the outage the archive keeps growing (the dead
// output fills its disk queue, not the router); when the downstream comes
// back it receives every message, in order, none twice; the closing line
// says 0 lost.
func TestOutageBufferedOutput(t *testing.T) {
	outage := 2 * time.Second
	if s := os.Getenv("HEKAD_OUTAGE"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			t.Fatalf("HEKAD_OUTAGE=%q: want a positive duration", s)
		}
		outage = d
	}
	base := t.TempDir()
	in, down := freePort(t), freePort(t)
	archive := filepath.Join(base, "archive.log")
	p := startHekad(t, fmt.Sprintf(`
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
flush_operator = "OR"
flush_count = 1000
flush_interval = 100

[up]
type = "TcpOutput"
message_matcher = "TRUE"
address = %q
[up.retries]
delay = "20ms"
max_delay = "200ms"
max_jitter = "10ms"

[PayloadEncoder]
`, base, in, archive, down))
	p.waitListening(in)

	tl := &tail{path: archive}
	sent := &tail{path: archive} // the sender's own
	st := startStreamer(t, in, "outage", "o", 30000, sent.count)
	// count also checks that hekad still runs.
	count := func() int {
		if p.exited() {
			t.Fatalf("hekad exited early: %v", p.err)
		}
		return tl.count()
	}
	// The archive is sampled every interval: each sample must hold more
	// than the one before.
	interval := min(time.Second, outage/4)
	start := time.Now()
	tick := time.NewTicker(interval)
	last, samples := count(), 0
	for time.Since(start) < outage {
		<-tick.C
		n := count()
		if n <= last {
			t.Errorf("%v into the outage the archive stalled at %d messages", time.Since(start).Round(time.Millisecond), n)
		}
		last = n
		samples++
	}
	tick.Stop()
	during := time.Since(start)
	archivedDuring, sentDuring := count(), int(st.sent.Load())
	t.Logf("outage of %v: %d messages sent, %d archived (%.0f/s, %d samples, none stalled)",
		outage, sentDuring, archivedDuring, float64(archivedDuring)/during.Seconds(), samples)
	if archivedDuring == 0 {
		t.Fatal("nothing archived during the outage")
	}

	// The downstream comes back; the sender goes on for a moment more
	// (while the archive must keep growing), then stops. Catching up is the
	// downstream receiving every message sent.
	s := listenOrdered(t, down, "o")
	back := time.Now()
	for range 2 {
		time.Sleep(interval / 2) // sampling, not synchronisation
		n := count()
		if n <= last {
			t.Errorf("after the outage the archive stalled at %d messages", n)
		}
		last = n
	}
	total := st.finish(t)
	waitFor(t, 5*time.Minute+30*outage, fmt.Sprintf("%d messages in the archive and downstream", total), func() bool {
		next, _, _, _ := s.state()
		return count() >= total && next >= total
	})
	catchUp := time.Since(back)
	t.Logf("the downstream came back and received all %d messages (%d after the outage) in %v (%.0f/s)",
		total, total-sentDuring, catchUp.Round(time.Millisecond), float64(total)/catchUp.Seconds())
	if code := p.stop(); code != 0 {
		t.Errorf("exit code %d", code)
	}
	cl := closingLine(t, p.Stdout()+p.Stderr())
	t.Logf("closing line %+v", cl)
	if cl.Received != int64(total) || cl.Lost != 0 || cl.Dropped != 0 || cl.NotRouted != 0 {
		t.Errorf("closing line %+v: want %d received, 0 lost, 0 dropped", cl, total)
	}
	if cl.Buffered != 0 {
		t.Errorf("the disk queue still holds %d records", cl.Buffered)
	}
	next, dups, gaps, others := s.state()
	if next != total || dups != 0 || len(gaps) != 0 || others != 0 {
		t.Errorf("downstream: %d in order, %d duplicates, gaps (expected, got) %v, %d foreign: want %d in order and nothing else",
			next, dups, gaps, others, total)
	}
	checkArchive(t, archive, "o", total)
}

// checkArchive checks that the archive holds the payloads prefix0 ...
// prefix(n-1), one a line, in order.
func checkArchive(t *testing.T, path, prefix string, n int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	i := 0
	for sc.Scan() {
		if want := prefix + strconv.Itoa(i); sc.Text() != want {
			t.Errorf("archive line %d is %q, want %q", i+1, sc.Text(), want)
			return
		}
		i++
	}
	if i != n {
		t.Errorf("the archive holds %d messages, want %d", i, n)
	}
}
