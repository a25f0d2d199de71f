package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
)

// payloadFrames frames one message per payload.
func payloadFrames(t *testing.T, typ string, payloads ...string) []byte {
	t.Helper()
	var out []byte
	for _, pl := range payloads {
		var m message.Message
		m.SetNewUUID()
		m.SetTimestamp(time.Now().UnixNano())
		m.SetType(typ)
		m.SetPayload(pl)
		var err error
		if out, err = message.AppendFrame(out, m.Marshal(), nil, message.DefaultMaxMessageSize); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestPanickingFilter: a filter that panics is reported with its name; with
// can_exit it is removed, heka.terminated is sent and the rest of the
// pipeline goes on; without it hekad shuts down with exit code 1.
func TestPanickingFilter(t *testing.T) {
	for _, canExit := range []bool{true, false} {
		t.Run(fmt.Sprintf("can_exit=%v", canExit), func(t *testing.T) {
			addr := freePort(t)
			dir := t.TempDir()
			out, term := filepath.Join(dir, "out.log"), filepath.Join(dir, "terminated.log")
			p := startBin(t, hekadTestBin, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[in]
type = "TcpInput"
address = %q

[boom]
type = "PanicFilter"
message_matcher = "Type == 'work'"
trigger = "explode"
can_exit = %v

[out]
type = "FileOutput"
message_matcher = "Type == 'work'"
path = %q
encoder = "PayloadEncoder"

[terminated]
type = "FileOutput"
message_matcher = "Type == 'heka.terminated'"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
`, addr, canExit, out, term))
			p.waitListening(addr)
			send(t, addr, payloadFrames(t, "work", "one", "explode", "two"))
			if !canExit {
				if code := p.wait(60 * time.Second); code != 1 {
					t.Fatalf("exit code %d, want 1", code)
				}
				if !strings.Contains(p.Stderr(), "boom") || !strings.Contains(p.Stderr(), "PanicFilter triggered") {
					t.Errorf("stderr does not name the plugin and the panic:\n%s", p.Stderr())
				}
				return
			}
			waitFor(t, 30*time.Second, "heka.terminated", func() bool {
				b, _ := os.ReadFile(term)
				return strings.Contains(string(b), "boom")
			})
			send(t, addr, payloadFrames(t, "work", "three"))
			waitFor(t, 30*time.Second, "messages after the panic", func() bool { return countLines(out) == 4 })
			// The filter never processed "explode" (nor "two", when it
			// was queued behind it): hekad counts them as lost and exits
			// non-zero, although the output wrote them.
			if code := p.stop(); code != 1 {
				t.Fatalf("exit code %d, want 1 (messages lost)", code)
			}
			if !strings.Contains(p.Stderr(), "+ 1 lost") && !strings.Contains(p.Stderr(), "+ 2 lost") {
				t.Errorf("the closing line does not count the lost messages:\n%s", p.Stderr())
			}
			if !strings.Contains(p.Stderr(), "PanicFilter triggered") {
				t.Errorf("the panic was not reported:\n%s", p.Stderr())
			}
		})
	}
}

// TestSlowOutputNoLoss writes through FileOutput into a FIFO that the test
// reads slowly, with tiny pools and channels: hekad must slow its input
// down instead of dropping or deadlocking, and deliver every message.
func TestSlowOutputNoLoss(t *testing.T) {
	addr := freePort(t)
	fifo := filepath.Join(t.TempDir(), "slow.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	const n = 3000
	got := make(chan []string, 1)
	go func() {
		f, err := os.Open(fifo) // blocks until hekad opens it for writing
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		var lines []string
		r := bufio.NewReaderSize(f, 256)
		for len(lines) < n {
			line, err := r.ReadString('\n')
			if err != nil {
				break
			}
			lines = append(lines, strings.TrimSuffix(line, "\n"))
			if len(lines)%100 == 0 {
				time.Sleep(10 * time.Millisecond) // a slow consumer, not synchronisation
			}
		}
		got <- lines
	}()
	p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"
poolsize = 8
plugin_chansize = 2

[in]
type = "TcpInput"
address = %q

[slow]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
`, addr, fifo))
	p.waitListening(addr)
	payloads := make([]string, n)
	for i := range payloads {
		payloads[i] = fmt.Sprintf("message %d", i)
	}
	send(t, addr, payloadFrames(t, "slow", payloads...))
	var lines []string
	select {
	case lines = <-got:
	case <-time.After(120 * time.Second):
		t.Fatal("the slow reader did not get every message: deadlock?")
	}
	if len(lines) != n {
		t.Fatalf("got %d messages, want %d", len(lines), n)
	}
	for i, l := range lines {
		if l != payloads[i] {
			t.Fatalf("message %d is %q, want %q", i, l, payloads[i])
		}
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestBadInputKeepsGoing sends garbage, a frame announcing an oversize
// message and a frame whose message does not decode between good messages:
// each problem is logged with the plugin's name and every good message
// still arrives.
func TestBadInputKeepsGoing(t *testing.T) {
	addr := freePort(t)
	out := filepath.Join(t.TempDir(), "out.log")
	p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[in]
type = "TcpInput"
address = %q

[out]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
`, addr, out))
	p.waitListening(addr)
	var stream bytes.Buffer
	stream.Write(payloadFrames(t, "good", "first"))
	stream.WriteString("some garbage between records")
	stream.Write([]byte{0x1e, 0x04, 0x08, 0x80, 0x80, 0x10, 0x1f}) // announces a 256 KiB message
	bad, _ := message.AppendFrame(nil, []byte{0x0a, 0xff, 0xff}, nil, message.DefaultMaxMessageSize)
	stream.Write(bad) // a frame whose message bytes do not decode
	stream.Write(payloadFrames(t, "good", "second", "third"))
	send(t, addr, stream.Bytes())
	waitFor(t, 30*time.Second, "the good messages", func() bool { return countLines(out) == 3 })
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	b, _ := os.ReadFile(out)
	if string(b) != "first\nsecond\nthird\n" {
		t.Errorf("output %q", b)
	}
	for _, want := range []string{"skipped framed data", "ProtobufDecoder"} {
		if !strings.Contains(p.Stderr(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, p.Stderr())
		}
	}
}
