package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/internal/testbuild"
	"github.com/hekad-go/hekad/message"
)

// framedMessages returns n framed protobuf messages of about size bytes.
func framedMessages(t *testing.T, n, size int) []byte {
	t.Helper()
	var out []byte
	for i := range n {
		var m message.Message
		m.SetNewUUID()
		m.SetTimestamp(time.Now().UnixNano())
		m.SetType("e2e.test")
		m.SetLogger("e2e")
		m.SetSeverity(int32(i % 8))
		m.SetHostname("host.example")
		m.SetPayload(strings.Repeat("x", size))
		f, err := message.NewField("seq", int64(i), "count")
		if err != nil {
			t.Fatal(err)
		}
		m.AddField(f)
		var err2 error
		out, err2 = message.AppendFrame(out, m.Marshal(), nil, message.DefaultMaxMessageSize)
		if err2 != nil {
			t.Fatal(err2)
		}
	}
	return out
}

// TestFramedPassthrough sends framed protobuf through TcpInput ->
// ProtobufDecoder -> FileOutput(ProtobufEncoder, framing) and expects the
// file to be byte-identical to what was sent, with every message there
// after SIGTERM. A frame whose message does not decode, in the middle, is
// dropped. With a TRUE matcher nothing reads the messages and the decoder
// only checks them; a matcher on a field makes it decode them: both must
// forward the same bytes.
func TestFramedPassthrough(t *testing.T) {
	first, second := framedMessages(t, 1000, 200), framedMessages(t, 1000, 200)
	undecodable, err := message.AppendFrame(nil, []byte{0x0a, 0xff, 0x01}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	good := append(append([]byte{}, first...), second...)
	sent := append(append(append([]byte{}, first...), undecodable...), second...)
	for _, matcher := range []string{"TRUE", "Fields[seq] >= 0"} {
		t.Run(matcher, func(t *testing.T) {
			addr := freePort(t)
			out := filepath.Join(t.TempDir(), "out.log")
			p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[in]
type = "TcpInput"
address = %q
log_decode_failures = false

[out]
type = "FileOutput"
message_matcher = %q
path = %q
encoder = "ProtobufEncoder"
flush_count = 100
`, addr, matcher, out))
			p.waitListening(addr)
			send(t, addr, sent)
			if code := p.stop(); code != 0 {
				t.Fatalf("exit code %d, stderr:\n%s", code, p.Stderr())
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, good) {
				t.Fatalf("output file differs from the decodable input: %d bytes written, %d sent", len(got), len(good))
			}
		})
	}
}

const nginxRegex = `^(?P<remote_addr>\S+) - (?P<remote_user>\S+) \[(?P<time_local>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) (?P<body_bytes_sent>\d+) "(?P<http_referer>[^"]*)" "(?P<http_user_agent>[^"]*)"`

// TestNginxRouting parses nginx combined log lines with PayloadRegexDecoder
// and routes them by a Fields matcher to two files. The message_fields are
// written as Heka's documentation writes them, with an unquoted
// representation key (bytes_sent|B) that TOML 1.0 alone would reject.
func TestNginxRouting(t *testing.T) {
	addr := freePort(t)
	dir := t.TempDir()
	ok, bad := filepath.Join(dir, "ok.log"), filepath.Join(dir, "errors.log")
	p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[nginx_in]
type = "TcpInput"
address = %q
splitter = "TokenSplitter"
decoder = "nginx_decoder"

[nginx_decoder]
type = "PayloadRegexDecoder"
match_regex = '%s'

	[nginx_decoder.message_fields]
	Type = "nginx.access"
	status = "%%status%%"
	request = "%%request%%"
	bytes_sent|B = "%%body_bytes_sent%%"

[ok_out]
type = "FileOutput"
message_matcher = "Type == 'nginx.access' && Fields[status] == '200' && Fields[bytes_sent] != NIL"
path = %q
encoder = "PayloadEncoder"

[error_out]
type = "FileOutput"
message_matcher = "Type == 'nginx.access' && Fields[status] =~ /^5/"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
append_newlines = false
`, addr, nginxRegex, ok, bad))
	p.waitListening(addr)
	var lines bytes.Buffer
	for i := range 300 {
		status := []int{200, 200, 404, 500, 503}[i%5]
		fmt.Fprintf(&lines, "10.0.0.%d - - [25/Nov/2026:08:00:%02d +0000] \"GET /item/%d HTTP/1.1\" %d %d \"-\" \"curl/8.0\"\n",
			i%250, i%60, i, status, 100+i)
	}
	lines.WriteString("this line does not match the regex\n")
	send(t, addr, lines.Bytes())
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if n := countLines(ok); n != 120 {
		t.Errorf("ok.log has %d lines, want 120", n)
	}
	if n := countLines(bad); n != 120 {
		t.Errorf("errors.log has %d lines, want 120", n)
	}
	b, _ := os.ReadFile(bad)
	if !strings.Contains(string(b), "\" 503 ") || strings.Contains(string(b), "\" 200 ") {
		t.Errorf("errors.log holds the wrong lines:\n%.300s", b)
	}
}

// TestCheckOpensNoSocket runs -check on a config whose input address is
// held by the test: binding it would fail, so success shows -check does not
// bind, and the listener still works afterwards.
func TestCheckOpensNoSocket(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "hekad.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
[in]
type = "TcpInput"
address = %q

[out]
type = "LogOutput"
message_matcher = "TRUE"
encoder = "RstEncoder"

[RstEncoder]
`, l.Addr().String())), 0o644)
	code, stdout, stderr := runHekad(t, "-check", "-config", cfg)
	if code != 0 {
		t.Fatalf("-check exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "valid") {
		t.Errorf("-check stdout = %q", stdout)
	}
}

// TestConfigErrors runs -check on each broken config of testdata/config-errors
// and compares what hekad prints on stderr with the golden expected.err.
func TestConfigErrors(t *testing.T) {
	cases, err := filepath.Glob("testdata/config-errors/*.toml")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, c := range cases {
		name := strings.TrimSuffix(filepath.Base(c), ".toml")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(strings.TrimSuffix(c, ".toml") + ".err")
			if err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runHekad(t, "-check", "-config", c)
			if code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if got := strings.TrimSpace(stderr); got != strings.TrimSpace(string(want)) {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestVersionListSample(t *testing.T) {
	code, out, _ := runHekad(t, "-version")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 4 || lines[0] != "0.10.1" || !strings.HasPrefix(lines[1], "hekad ") ||
		!strings.HasPrefix(lines[2], "commit ") || !strings.HasPrefix(lines[3], "built with go") {
		t.Errorf("-version: %d %q", code, out)
	}
	code, out, _ = runHekad(t, "-list")
	for _, name := range []string{"TcpInput", "TcpOutput", "FileOutput", "LogOutput", "CounterFilter",
		"ProtobufDecoder", "ProtobufEncoder", "PayloadRegexDecoder", "PayloadEncoder", "RstEncoder",
		"TokenSplitter", "HekaFramingSplitter", "NullSplitter"} {
		if !strings.Contains(out, "  "+name+"\n") {
			t.Errorf("-list lacks %s:\n%s", name, out)
		}
	}
	code, out, _ = runHekad(t, "-sample", "TcpInput")
	if code != 0 || !strings.Contains(out, "TcpInput") {
		t.Errorf("-sample TcpInput: %d %q", code, out)
	}
	code, _, errOut := runHekad(t, "-sample", "NoSuchInput")
	if code != 1 || !strings.Contains(errOut, "NoSuchInput") {
		t.Errorf("-sample NoSuchInput: %d %q", code, errOut)
	}
}

// TestVersionStamped: `make build` stamps hekad's version and commit with
// -ldflags, and -version prints them after the Heka version.
func TestVersionStamped(t *testing.T) {
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"daemon.version=$(VERSION)", "daemon.commit=$(COMMIT)", `-ldflags "$(LDFLAGS)"`} {
		if !strings.Contains(string(mk), want) {
			t.Errorf("the Makefile does not stamp %s", want)
		}
	}
	bin := filepath.Join(t.TempDir(), "hekad")
	ld := "-X github.com/hekad-go/hekad/daemon.version=v9.8.7 -X github.com/hekad-go/hekad/daemon.commit=0123abc"
	if err := testbuild.Build(".", "-ldflags", ld, "-o", bin, "."); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-version").Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 4 || lines[0] != "0.10.1" || lines[1] != "hekad v9.8.7" || lines[2] != "commit 0123abc" {
		t.Errorf("-version:\n%s", out)
	}
}
