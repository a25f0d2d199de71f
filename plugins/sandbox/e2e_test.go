package sandbox_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hekad-go/hekad/internal/testbuild"
)

// hekadBin is hekad, built once by TestMain for the end-to-end tests.
var hekadBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hekad-sandbox-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hekadBin = filepath.Join(dir, "hekad")
	if err := testbuild.Build(filepath.Join(testbuild.Root(), "cmd", "hekad"), "-o", hekadBin, "."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// e2eScripts are the Lua plugins of the end-to-end pipeline: a decoder of
// "key=value" lines, a counting filter whose count survives restarts, three
// runaway filters (endless loop, endless growth, endless output), a line
// encoder, an input that makes 50 messages once and an output that writes
// them to a file with io.
var e2eScripts = map[string]string{
	"kv.lua": `
function process_message()
    local line = read_message("Payload")
    local fields = {}
    for k, v in line:gmatch("(%w+)=(%w+)") do fields[k] = v end
    if not fields.id then return -1, "no id" end
    inject_message({Type = "kv", Payload = "kv " .. fields.id, Fields = fields})
    return 0
end`,
	"count.lua": `
_PRESERVATION_VERSION = 1
count = 0
function process_message()
    count = count + 1
    return 0
end
function timer_event(ns)
    add_to_payload("count ", count)
    inject_payload("txt", "count")
end`,
	"line.lua": `
function process_message()
    if read_message("Type") == "heka.sandbox-terminated" then
        add_to_payload("terminated: ")
    end
    add_to_payload(read_message("Payload"), "\n")
    inject_payload()
    return 0
end`,
	"grow.lua": `
t = {}
function process_message()
    for i = 1, 1e9 do t[#t + 1] = {i, "x" .. i} end
    return 0
end`,
	"flood.lua": `
function process_message()
    while true do add_to_payload("0123456789") end
    return 0
end`,
	"gen.lua": `
function process_message()
    for i = 1, 50 do
        inject_message({Type = "gen", Payload = "gen " .. i, Fields = {n = i}})
    end
    return 0
end`,
	"sink.lua": `
require "io"
local f = assert(io.open(read_config("path"), "a"))
function process_message()
    f:write(read_message("Payload"), " n=", read_message("Fields[n]"), "\n")
    f:flush()
    return 0
end`,
	"loop.lua": `
function process_message()
    while true do end
    return 0
end`,
}

const e2eConfig = `
[hekad]
base_dir = %[1]q
share_dir = %[1]q

[kv_in]
type = "TcpInput"
address = %[2]q
splitter = "TokenSplitter"
decoder = "kv_decoder"

[gen_in]
type = "SandboxInput"
filename = "gen.lua"

[sink_out]
type = "SandboxOutput"
filename = "sink.lua"
message_matcher = "Type == 'gen'"

	[sink_out.config]
	path = %[4]q

[kv_decoder]
type = "SandboxDecoder"
filename = "kv.lua"

[counter]
type = "SandboxFilter"
filename = "count.lua"
message_matcher = "Type == 'kv'"
ticker_interval = 3600
timer_event_on_shutdown = true
preserve_data = true

[looper]
type = "SandboxFilter"
filename = "loop.lua"
message_matcher = "Type == 'kv' && Fields[id] == '1'"

[grower]
type = "SandboxFilter"
filename = "grow.lua"
message_matcher = "Type == 'kv' && Fields[id] == '2'"
instruction_limit = 0
memory_limit = 1048576

[flooder]
type = "SandboxFilter"
filename = "flood.lua"
message_matcher = "Type == 'kv' && Fields[id] == '3'"

[out]
type = "FileOutput"
message_matcher = "Type == 'kv' || Type == 'heka.sandbox-output' || Type == 'heka.sandbox-terminated'"
path = %[3]q
encoder = "line_encoder"

[line_encoder]
type = "SandboxEncoder"
filename = "line.lua"
`

// TestEndToEnd runs hekad twice on TCP lines through a SandboxDecoder,
// SandboxFilters and a SandboxEncoder into a FileOutput, next to a
// SandboxInput whose messages a SandboxOutput writes: every line arrives
// decoded, every generated message is written, an endless loop, a script that grows without end and one that
// floods its output are each terminated with their reason while the rest
// keeps flowing, the counter reports at shutdown, and its count is
// preserved across the restart.
func TestEndToEnd(t *testing.T) {
	base := t.TempDir()
	for name, src := range e2eScripts {
		if err := os.WriteFile(filepath.Join(base, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, sink := filepath.Join(base, "out.log"), filepath.Join(base, "sink.log")
	for run, want := range []int{100, 200} {
		addr := freePort(t)
		conf := filepath.Join(base, "hekad.toml")
		if err := os.WriteFile(conf, fmt.Appendf(nil, e2eConfig, base, addr, out, sink), 0o644); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd := exec.Command(hekadBin, "-config", conf)
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitListening(t, addr)
		var lines bytes.Buffer
		for i := range 100 {
			fmt.Fprintf(&lines, "id=%d run=%d\n", run*100+i, run)
		}
		lines.WriteString("no identifier here\n")
		send(t, addr, lines.Bytes())
		var b []byte
		waitFor(t, 30*time.Second, "the kv messages", func() bool {
			b, _ = os.ReadFile(out)
			return strings.Count(string(b), "kv ") == want
		})
		waitFor(t, 30*time.Second, "the generated messages", func() bool {
			s, _ := os.ReadFile(sink)
			return strings.Count(string(s), "gen ") == 50*(run+1)
		})
		cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		// The messages the three runaway filters died on are accounted as
		// lost, so the first run exits with status 1 (and says so); the
		// second has no message for those filters.
		if run == 0 && (err == nil || !strings.Contains(stderr.String(), "messages lost: 3")) {
			t.Errorf("run 0: hekad: %v, want exit status 1 for the 3 messages lost by the terminated filters\n%s", err, stderr.String())
		}
		if run == 1 && err != nil {
			t.Fatalf("run %d: hekad: %v\n%s", run, err, stderr.String())
		}
		b, err = os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		got := string(b)
		if !strings.Contains(got, fmt.Sprintf("count %d\n", want)) {
			t.Errorf("run %d: no \"count %d\" report:\n%s", run, want, tail(got))
		}
		for _, reason := range []string{"instruction_limit", "memory_limit", "output_limit"} {
			if run == 0 && !strings.Contains(got, "terminated: process_message() "+reason+" exceeded\n") {
				t.Errorf("no termination for %s:\n%s\nstderr:\n%s", reason, tail(got), stderr.String())
			}
		}
		if s, _ := os.ReadFile(sink); !strings.Contains(string(s), "gen 50 n=50\n") {
			t.Errorf("run %d: the SandboxOutput wrote:\n%s", run, tail(string(s)))
		}
		if !strings.Contains(stderr.String(), "no id") {
			t.Errorf("run %d: the decode failure is not logged:\n%s", run, stderr.String())
		}
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "..." + s[len(s)-2000:]
	}
	return s
}

// freePort returns a loopback address that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	waitFor(t, 30*time.Second, "hekad to listen on "+addr, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

func send(t *testing.T, addr string, data []byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(data); err != nil {
		t.Fatal(err)
	}
}
