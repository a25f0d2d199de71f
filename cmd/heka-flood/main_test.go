package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/client/hekadtest"
	"github.com/hekad-go/hekad/message"
)

// hekadBin is hekad, built by TestMain.
var hekadBin string

func TestMain(m *testing.M) { hekadtest.Main(m, &hekadBin) }

// writeConfig writes a flood configuration to a temp file.
func writeConfig(t *testing.T, cfg string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "flood.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runFlood runs heka-flood and returns its exit status and output.
func runFlood(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestPicker(t *testing.T) {
	tests := []struct {
		name                       string
		corrupt, signed, oversized float64
		n                          uint64
		wantSigned, wantOversized  int
		wantCorrupt                int
	}{
		{"none", 0, 0, 0, 1000, 0, 0, 0},
		// Signed at 10, 20, ..., 990. Oversized steps up at 20, 40, ...,
		// which are signed, so it fires on the next message: 21, ..., 981.
		{"signed and oversized", 0, 10, 5, 1000, 99, 49, 0},
		{"all signed", 0, 100, 0, 1000, 999, 0, 0},
		{"corrupt", 1, 0, 0, 1000, 0, 0, 9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPicker(&test{CorruptPercentage: tc.corrupt, SignedPercentage: tc.signed, OversizedPercentage: tc.oversized})
			var signed, oversized, corrupt []uint64
			for i := range tc.n {
				k, c := p.pick(i)
				switch k {
				case kindSigned:
					signed = append(signed, i)
				case kindOversized:
					oversized = append(oversized, i)
				}
				if c {
					corrupt = append(corrupt, i)
				}
			}
			if len(signed) != tc.wantSigned || len(oversized) != tc.wantOversized || len(corrupt) != tc.wantCorrupt {
				t.Errorf("%d signed, %d oversized, %d corrupt", len(signed), len(oversized), len(corrupt))
			}
			if tc.wantOversized > 0 && (oversized[0] != 21 || signed[0] != 10) {
				t.Errorf("first signed %d, first oversized %d", signed[0], oversized[0])
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, cfg, test, want string
	}{
		{"unknown key", "[default]\nip_address = \"x:1\"\nsender = \"tcp\"\nip_adress = 1\n", "default", `unknown keys: default.ip_adress`},
		{"no section", "[other]\nip_address = \"x:1\"\nsender = \"tcp\"\n", "default", "no test section [default] (sections: other)"},
		{"sender", "[default]\nip_address = \"x:1\"\nsender = \"http\"\n", "default", `sender: "http" is not one of`},
		{"address", "[default]\nsender = \"tcp\"\n", "default", "ip_address: required"},
		{"tls", "[default]\nip_address = \"x:1\"\nsender = \"tcp\"\nuse_tls = true\n", "default", "TLS is not supported"},
		{"percentage", "[default]\nip_address = \"x:1\"\nsender = \"tcp\"\ncorrupt_percentage = 101.0\n", "default", "corrupt_percentage: 101"},
		{"signer", "[default]\nip_address = \"x:1\"\nsender = \"tcp\"\nsigned_percentage = 1.0\n", "default", "needs a [<test>.signer]"},
		{"hash", "[default]\nip_address = \"x:1\"\nsender = \"tcp\"\nsigned_percentage = 1.0\n[default.signer]\nname = \"a\"\nhmac_hash = \"sha256\"\n", "default", `hmac_hash "sha256"`},
		{"interval", "[default]\nip_address = \"x:1\"\nsender = \"tcp\"\nmessage_interval = \"soon\"\n", "default", "message_interval"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.cfg)
			code, _, stderr := runFlood(t, "-config", path, "-test", tc.test)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q, want it to contain %q", code, stderr, tc.want)
			}
		})
	}
	if code, _, stderr := runFlood(t, "-config", filepath.Join(t.TempDir(), "none.toml")); code != 1 || !strings.Contains(stderr, "none.toml") {
		t.Errorf("missing file: exit %d %q", code, stderr)
	}
}

// TestSampleConfig: every section of the sample flood.toml loads.
func TestSampleConfig(t *testing.T) {
	for _, name := range []string{"default", "mixed", "small", "signed_sha1", "udp"} {
		if _, err := loadTest("flood.toml", name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestUsage(t *testing.T) {
	code, out, _ := runFlood(t)
	if code != 0 || !strings.Contains(out, "-config") || !strings.Contains(out, "-test") {
		t.Errorf("exit %d, usage %q", code, out)
	}
	if code, _, _ := runFlood(t, "-bogus"); code != 2 {
		t.Errorf("bad flag: exit %d", code)
	}
}

var summaryLine = regexp.MustCompile(`(?m)^Sent (\d+) messages\. [0-9.]+ msg/sec [0-9.]+ Mbit/sec$`)

// TestFloodHekad runs heka-flood against a real hekad and counts what
// hekad received: every message, but the oversized ones (skipped by
// hekad's splitter); the signed ones pass message_signer.
func TestFloodHekad(t *testing.T) {
	h := hekadtest.StartStandard(t, hekadBin, t.TempDir(), "")
	tests := []struct {
		name, cfg                string
		wantReceived, wantSigned int
	}{
		{"tcp fixed", `sender = "tcp"
num_messages = 1000
static_message_size = 200`, 1000, 0},
		{"tcp variable signed oversized", `sender = "tcp"
num_messages = 1000
variable_size_messages = true
signed_percentage = 10.0
oversized_percentage = 5.0
[default.signer]
name = "app"
hmac_key = "secret"
version = 1`, 951, 99},
		{"udp sha1", `sender = "udp"
num_messages = 300
ascii_only = true
signed_percentage = 100.0
[default.signer]
name = "app"
hmac_hash = "sha1"
hmac_key = "secret"
version = 1`, 300, 299},
		{"unix", `sender = "unix"
num_messages = 500`, 500, 0},
	}
	before, beforeSigned := 0, 0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := h.TCP
			switch {
			case strings.Contains(tc.cfg, `"udp"`):
				addr = h.UDP
			case strings.Contains(tc.cfg, `"unix"`):
				addr = h.Path("stream.sock")
			}
			path := writeConfig(t, fmt.Sprintf("[default]\nip_address = %q\n%s\n", addr, tc.cfg))
			code, out, stderr := runFlood(t, "-config", path)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			m := summaryLine.FindAllStringSubmatch(out, -1)
			if len(m) == 0 || m[len(m)-1][1] != numMessages(tc.cfg) {
				t.Errorf("no summary line for %s messages in %q", numMessages(tc.cfg), out)
			}
			want := fmt.Sprintf("Clean shutdown: %[1]s messages sent; %[1]s messages delivered; 0 dropped.", numMessages(tc.cfg))
			if !strings.Contains(out, want) {
				t.Errorf("output %q lacks %q", out, want)
			}
			all := h.WaitReceived(t, "all.log", "flood", before+tc.wantReceived)
			// The oversized messages are skipped, not late: hekad read the
			// stream past them to the last message.
			signed := h.WaitReceived(t, "signed.log", "flood", beforeSigned+tc.wantSigned)
			if len(all) != before+tc.wantReceived || len(signed) != beforeSigned+tc.wantSigned {
				t.Errorf("hekad received %d messages, %d signed; want %d, %d", len(all)-before, len(signed)-beforeSigned, tc.wantReceived, tc.wantSigned)
			}
			for _, m := range all[before:] {
				if m.GetType() != "hekabench" || !strings.HasPrefix(m.GetPayload(), "hekabench: ") {
					t.Fatalf("message type %q payload %.30q", m.GetType(), m.GetPayload())
				}
			}
			before, beforeSigned = len(all), len(signed)
		})
	}
}

// numMessages returns the num_messages value of a test configuration.
func numMessages(cfg string) string {
	m := regexp.MustCompile(`num_messages = (\d+)`).FindStringSubmatch(cfg)
	return m[1]
}

// TestFloodCorrupt: corrupted messages do not stop hekad, and it
// receives exactly the messages that survive in the bytes heka-flood sent
// (recorded by a proxy and read again here): those whose frame and
// protobuf are still whole. (How many survive varies: a corrupted length
// in a frame header can swallow hundreds of the messages after it.)
func TestFloodCorrupt(t *testing.T) {
	h := hekadtest.StartStandard(t, hekadBin, t.TempDir(), "")
	px := startRecorder(t, h.TCP)
	path := writeConfig(t, fmt.Sprintf("[default]\nip_address = %q\nsender = \"tcp\"\nnum_messages = 1000\ncorrupt_percentage = 10.0\n", px.addr))
	if code, _, stderr := runFlood(t, "-config", path); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := px.intact(t, "flood")
	// A marker sent after the flood tells when hekad has read it all.
	path = writeConfig(t, fmt.Sprintf("[default]\nip_address = %q\nsender = \"tcp\"\nnum_messages = 1\nstatic_message_size = 7\n", h.TCP))
	runFlood(t, "-config", path)
	hekadtest.WaitFor(t, 30*time.Second, "the marker", func() bool {
		for _, m := range h.Received(t, "all.log", "flood") {
			if len(m.GetPayload()) == len("hekabench: ")+len(hostname(t))+len(" - ")+7 {
				return true
			}
		}
		return false
	})
	n := len(h.Received(t, "all.log", "flood")) - 1
	t.Logf("%d of 1000 messages intact in what heka-flood sent, %d received", want, n)
	if n != want || want > 1000 || want == 0 {
		t.Errorf("hekad received %d of the 1000 messages sent, %d of them intact in what was sent", n, want)
	}
	h.Stop()
}

// recorder forwards the connections made to addr to a target and keeps a
// copy of the bytes of each.
type recorder struct {
	addr  string
	mu    sync.Mutex
	conns []*bytes.Buffer
	wg    sync.WaitGroup
}

func startRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	r := &recorder{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			buf := new(bytes.Buffer)
			r.mu.Lock()
			r.conns = append(r.conns, buf)
			r.wg.Add(1)
			r.mu.Unlock()
			go func() {
				defer r.wg.Done()
				io.Copy(io.MultiWriter(d, buf), c)
				c.Close()
				d.(*net.TCPConn).CloseWrite()
				io.Copy(io.Discard, d) // until hekad closes: it read it all
				d.Close()
			}()
		}
	}()
	return r
}

// intact waits for the recorded connections to end and counts, as
// hekad's HekaFramingSplitter and ProtobufDecoder would, the messages of
// logger in them.
func (r *recorder) intact(t *testing.T, logger string) int {
	t.Helper()
	hekadtest.WaitFor(t, 30*time.Second, "heka-flood's connection", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.conns) > 0
	})
	r.wg.Wait()
	n := 0
	for _, buf := range r.conns {
		rd := message.NewReader(bytes.NewReader(buf.Bytes()), message.FrameOptions{Keys: map[string]string{"app_1": "secret"}})
		for {
			f, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			var m message.Message
			if m.Unmarshal(f.Message) == nil && m.GetLogger() == logger {
				n++
			}
		}
	}
	return n
}

func hostname(t *testing.T) string {
	h, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// BenchmarkFloodTCP measures heka-flood's own rate: messages of about 200
// bytes over TCP to a receiver that discards them.
func BenchmarkFloodTCP(b *testing.B) {
	tc := &test{IPAddress: hekadtest.Discard(b), Sender: "tcp", StaticMessageSize: 100, AsciiOnly: true, NumMessages: uint64(b.N)}
	if err := tc.validate(); err != nil {
		b.Fatal(err)
	}
	f, err := newFlood(tc, "bench-host", io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(f.tp.unsigned[0])))
	b.ReportAllocs()
	b.ResetTimer()
	sum := f.run(context.Background(), io.Discard)
	b.StopTimer()
	if sum.delivered != uint64(b.N) || sum.dropped != 0 {
		b.Fatalf("summary %+v", sum)
	}
	b.ReportMetric(float64(b.N)/sum.elapsed.Seconds(), "msg/s")
}

// TestFloodInterrupted: with num_messages = 0 heka-flood sends until it is
// interrupted (its context is cancelled by SIGINT or SIGTERM), then prints
// its summary and exits 0.
func TestFloodInterrupted(t *testing.T) {
	// The interruption comes once the receiver has read a first byte, not
	// after a fixed time: on a loaded machine heka-flood may not have
	// delivered anything within a fraction of a second.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var b [1]byte
				if n, _ := io.ReadFull(c, b[:]); n > 0 {
					cancel()
				}
				io.Copy(io.Discard, c)
			}()
		}
	}()
	path := writeConfig(t, fmt.Sprintf("[default]\nip_address = %q\nsender = \"tcp\"\nmessage_interval = \"100us\"\n", ln.Addr().String()))
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"-config", path}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	m := summaryLine.FindAllStringSubmatch(out.String(), -1)
	if len(m) == 0 || m[len(m)-1][1] == "0" || !strings.Contains(out.String(), " messages delivered; 0 dropped.") {
		t.Errorf("output %q", out.String())
	}
}
