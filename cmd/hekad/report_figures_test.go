package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// promisedFigures reads every plugin README and returns, per plugin type
// (its "## Type" section), the report figures it names: backquoted
// CamelCase names ending in Count, Connections, Duration or Bytes.
func promisedFigures(t *testing.T) map[string][]string {
	t.Helper()
	readmes, err := filepath.Glob("../../plugins/*/README.md")
	if err != nil || len(readmes) == 0 {
		t.Fatalf("no plugin README: %v", err)
	}
	figure := regexp.MustCompile("`([A-Z][A-Za-z]+(?:Count|Connections|Duration|Bytes))`")
	out := map[string][]string{}
	for _, path := range readmes {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		typ := ""
		for _, line := range strings.Split(string(b), "\n") {
			if h, ok := strings.CutPrefix(line, "## "); ok {
				typ = strings.TrimSpace(h)
				continue
			}
			for _, m := range figure.FindAllStringSubmatch(line, -1) {
				if typ == "" {
					t.Errorf("%s names %s before any plugin section", path, m[1])
					continue
				}
				out[typ] = append(out[typ], m[1])
			}
		}
	}
	return out
}

// rawEntries returns, per "Category/entry" of the last text report in
// stderr, its field names in order (duplicates kept).
func rawEntries(stderr string) map[string][]string {
	const banner = "========[heka.all-report]========\n"
	body := stderr[strings.LastIndex(stderr, banner)+len(banner):]
	body = body[:strings.Index(body, "\n========\n")]
	out := map[string][]string{}
	var cat, name string
	for _, line := range strings.Split(body, "\n") {
		switch {
		case strings.HasPrefix(line, "====") && strings.HasSuffix(line, "===="):
			cat = strings.Trim(line, "=")
		case strings.HasPrefix(line, "    "):
			k, _, _ := strings.Cut(strings.TrimSpace(line), ": ")
			out[cat+"/"+name] = append(out[cat+"/"+name], k)
		case strings.HasSuffix(line, ":"):
			name = strings.TrimSuffix(line, ":")
		}
	}
	return out
}

// TestReportPromisedFigures runs a hekad with every plugin type whose
// README promises report figures and checks, in its SIGUSR1 report, that
// every promised figure is there, that no entry shows a figure twice (a
// plugin's own figure shadowing the engine's), and that the counts agree:
// the router's ProcessMessageCount, each output's and the decoders'.
func TestReportPromisedFigures(t *testing.T) {
	// Where each plugin type of the config below appears in the report.
	entries := map[string][2]string{
		"TcpInput":            {"Inputs", "in"},
		"UdpInput":            {"Inputs", "u"},
		"HekaFramingSplitter": {"Splitters", "in-HekaFramingSplitter"},
		"TokenSplitter":       {"Splitters", "u-TokenSplitter"},
		"ProtobufDecoder":     {"Decoders", "in-ProtobufDecoder"},
		"PayloadRegexDecoder": {"Decoders", "u-rx"},
		"TcpOutput":           {"Outputs", "tcp_out"},
		"UdpOutput":           {"Outputs", "udp_out"},
		"FileOutput":          {"Outputs", "file"},
		"PayloadEncoder":      {"Encoders", "file-PayloadEncoder"},
		"ProtobufEncoder":     {"Encoders", "tcp_out-ProtobufEncoder"},
	}
	promised := promisedFigures(t)
	for _, want := range [][2]string{{"TcpInput", "AcceptedConnections"}, {"ProtobufDecoder", "DecodeFailureCount"}} {
		found := false
		for _, f := range promised[want[0]] {
			found = found || f == want[1]
		}
		if !found {
			t.Errorf("the READMEs no longer promise %s's %s: promised %v", want[0], want[1], promised)
		}
	}
	for typ := range promised {
		if _, ok := entries[typ]; !ok {
			t.Errorf("plugins/*/README.md promises figures of %s (%v): add a %s section to this test's configuration", typ, promised[typ], typ)
		}
	}

	tcpDown, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcpDown.Close()
	go func() {
		for {
			c, err := tcpDown.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	}()
	udpDown, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udpDown.Close()
	go func() {
		buf := make([]byte, 65536)
		for {
			if _, _, err := udpDown.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	udpIn := pc.LocalAddr().String()
	pc.Close()
	tcpIn := freePort(t)
	file := filepath.Join(t.TempDir(), "out.log")
	p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[in]
type = "TcpInput"
address = %q

[u]
type = "UdpInput"
address = %q
splitter = "TokenSplitter"
decoder = "rx"
log_decode_failures = false

[rx]
type = "PayloadRegexDecoder"
match_regex = '^ok (?P<word>\w+)'

[tcp_out]
type = "TcpOutput"
message_matcher = "TRUE"
address = %q
use_buffering = false

[udp_out]
type = "UdpOutput"
message_matcher = "TRUE"
address = %q
encoder = "PayloadEncoder"

[file]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
`, tcpIn, udpIn, tcpDown.Addr().String(), udpDown.LocalAddr().String(), file))
	p.waitListening(tcpIn)
	waitFor(t, 30*time.Second, "the UdpInput to listen", func() bool { return strings.Contains(p.Stdout(), "input started plugin=u ") })

	const n = 20
	var ps []string
	for i := range n {
		ps = append(ps, fmt.Sprintf("m%d", i))
	}
	send(t, tcpIn, payloadFrames(t, "data", ps...))
	c, err := net.Dial("udp", udpIn)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("ok first\nbad record\n")) // one message, one decode failure
	c.Close()
	const routed = n + 1

	// Every figure below is final once the last message is delivered and
	// the decoder has seen the datagram's second record, which it may
	// decode after the first one's message was delivered: poll the
	// reports until they all agree (the counts only grow), or give up and
	// name those that do not.
	want := []struct {
		cat, name, field string
		want             int64
	}{
		{"Globals", "Router", "ProcessMessageCount", routed},
		{"Globals", "Messages", "ReceivedCount", routed},
		{"Globals", "Messages", "UndecodedCount", 1}, // u's record that rx failed on
		{"Outputs", "file", "ProcessMessageCount", routed},
		{"Outputs", "tcp_out", "ProcessMessageCount", routed},
		{"Outputs", "tcp_out", "SentCount", routed},
		{"Outputs", "udp_out", "ProcessMessageCount", routed},
		{"Outputs", "udp_out", "SentCount", routed},
		{"Outputs", "udp_out", "TooLongCount", 0},
		{"Inputs", "in", "AcceptedConnections", 2}, // waitListening and send
		{"Inputs", "in", "DecodeFailureCount", 0},
		{"Inputs", "u", "DatagramCount", 1},
		{"Inputs", "u", "DecodeFailureCount", 1},
		{"Decoders", "in-ProtobufDecoder", "ProcessMessageCount", n},
		{"Decoders", "in-ProtobufDecoder", "DecodeFailureCount", 0},
		{"Decoders", "u-rx", "ProcessMessageCount", 2},
		{"Decoders", "u-rx", "DecodeFailureCount", 1},
	}
	for _, o := range []string{"file", "tcp_out", "udp_out"} {
		want = append(want, struct {
			cat, name, field string
			want             int64
		}{"Outputs", o, "DeliveredCount", routed})
	}
	var rep textReport
	var wrong []string
	deadline := time.Now().Add(60 * time.Second)
	for {
		rep, wrong = p.report(), nil
		for _, c := range want {
			if got := rep.int(c.cat, c.name, c.field); got != c.want {
				wrong = append(wrong, fmt.Sprintf("%s %s %s = %d, want %d", c.cat, c.name, c.field, got, c.want))
			}
		}
		if len(wrong) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, w := range wrong {
		t.Error(w)
	}
	raw := rawEntries(p.Stderr())

	for typ, figs := range promised {
		at, ok := entries[typ]
		if !ok {
			continue
		}
		for _, f := range figs {
			if _, ok := rep[at[0]][at[1]][f]; !ok {
				t.Errorf("%s's README promises %s; the report entry %s/%s lacks it: %v", typ, f, at[0], at[1], raw[at[0]+"/"+at[1]])
			}
		}
	}
	for entry, fields := range raw {
		seen := map[string]bool{}
		for _, f := range fields {
			if seen[f] {
				t.Errorf("report entry %s shows %s twice: %v", entry, f, fields)
			}
			seen[f] = true
		}
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.wait(60 * time.Second); code != 0 {
		t.Errorf("exit code %d", code)
	}
}
