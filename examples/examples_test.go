// Package examples_test runs every example configuration for real and
// builds the out-of-tree plugin example.
package examples_test

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hekad-go/hekad/internal/testbuild"
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline/config"
	"github.com/hekad-go/hekad/pipeline/engine"
	_ "github.com/hekad-go/hekad/plugins/all"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hekad-examples")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildOnce builds the main package at pkg (run in dir) into binDir/name.
var buildMu sync.Mutex

func build(t *testing.T, dir, pkg, name string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	out := filepath.Join(binDir, name)
	if _, err := os.Stat(out); err == nil {
		return out
	}
	if err := testbuild.Build(dir, "-o", out, pkg); err != nil {
		t.Fatal(err)
	}
	return out
}

func hekad(t *testing.T) string { return build(t, "..", "./cmd/hekad", "hekad") }

// TestExamplesValidate loads every example configuration and builds its
// pipeline (what hekad -check does).
func TestExamplesValidate(t *testing.T) {
	files, _ := filepath.Glob("*.toml")
	if len(files) < 2 {
		t.Fatalf("examples: %v", files)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := config.LoadBytes(f, withShareDir(t, data))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := engine.New(plan, engine.Options{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// shareDir is the checkout's share/: the Lua plugins and modules the
// examples name, where an installed hekad finds them in /usr/share/heka.
func shareDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../share")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

var shareDirSet = regexp.MustCompile(`(?m)^\s*share_dir\s*=`)

// withShareDir sets share_dir in the [hekad] section of a configuration
// that has one and does not set it.
func withShareDir(t *testing.T, config []byte) []byte {
	t.Helper()
	s := string(config)
	if !strings.Contains(s, "\n[hekad]\n") || shareDirSet.MatchString(s) {
		return config
	}
	return []byte(strings.Replace(s, "\n[hekad]\n", fmt.Sprintf("\n[hekad]\nshare_dir = %q\n", shareDir(t)), 1))
}

// readFramed decodes the Heka-framed messages of the file at path (what it
// holds so far; a partly written last frame is left for later).
func readFramed(t *testing.T, path string) []*message.Message {
	t.Helper()
	data, _ := os.ReadFile(path)
	r := message.NewReader(bytes.NewReader(data), message.FrameOptions{})
	var out []*message.Message
	for {
		f, err := r.Next()
		if err != nil {
			if err != io.EOF && err != io.ErrUnexpectedEOF {
				t.Fatalf("%s: %v", path, err)
			}
			return out
		}
		m := new(message.Message)
		if err := m.Unmarshal(f.Message); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// run starts bin on the example config with the given text replacements.
func run(t *testing.T, bin, example string, repl ...string) *exec.Cmd {
	t.Helper()
	cmd, _ := runLogged(t, bin, example, repl...)
	return cmd
}

// runLogged is run, also returning hekad's output (to be read only once
// the process has been waited for).
func runLogged(t *testing.T, bin, example string, repl ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	b, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(repl...).Replace(string(b))
	path := filepath.Join(t.TempDir(), filepath.Base(example))
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-config", path)
	logs := new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("hekad output:\n%s", logs.String())
		}
	})
	return cmd, logs
}

func stop(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("hekad exit: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("hekad did not stop")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func dialWhenUp(t *testing.T, addr string) net.Conn {
	t.Helper()
	var c net.Conn
	waitFor(t, "hekad to listen on "+addr, func() bool {
		var err error
		c, err = net.Dial("tcp", addr)
		return err == nil
	})
	return c
}

func frame(t *testing.T, typ string, severity int32, payload string) []byte {
	t.Helper()
	var m message.Message
	m.SetNewUUID()
	m.SetTimestamp(time.Now().UnixNano())
	m.SetType(typ)
	m.SetSeverity(severity)
	m.SetPayload(payload)
	b, err := message.AppendFrame(nil, m.Marshal(), nil, message.DefaultMaxMessageSize)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// collector is a TCP listener standing in for a downstream hekad: it keeps
// every byte it receives.
type collector struct {
	l    net.Listener
	mu   sync.Mutex
	data bytes.Buffer
}

func newCollector(t *testing.T) *collector {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{l: l}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 32<<10)
				for {
					n, err := conn.Read(buf)
					c.mu.Lock()
					c.data.Write(buf[:n])
					c.mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return c
}

func (c *collector) addr() string { return c.l.Addr().String() }

// types decodes the framed stream received so far and returns the Types.
func (c *collector) types(t *testing.T) []string {
	c.mu.Lock()
	data := append([]byte(nil), c.data.Bytes()...)
	c.mu.Unlock()
	r := message.NewReader(bytes.NewReader(data), message.FrameOptions{})
	var out []string
	for {
		f, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		var m message.Message
		if err := m.Unmarshal(f.Message); err != nil {
			t.Fatal(err)
		}
		out = append(out, m.GetType())
	}
}

// TestAggregatorExample runs examples/aggregator.toml: framed messages in,
// an archive file and a forward upstream out.
func TestAggregatorExample(t *testing.T) {
	in := freeAddr(t)
	up := newCollector(t)
	base := t.TempDir()
	cmd := run(t, hekad(t), "aggregator.toml",
		"0.0.0.0:5565", in,
		"analyzer.example.com:5565", up.addr(),
		`# base_dir = "/var/cache/hekad"`, `base_dir = "`+base+`"`,
		`path = "archive/agents.log"`, `path = "`+filepath.Join(base, "archive", "agents.log")+`"`)
	conn := dialWhenUp(t, in)
	var sent bytes.Buffer
	for i := range 50 {
		sent.Write(frame(t, fmt.Sprintf("agent.event.%d", i%3), 6, "from an agent"))
	}
	conn.Write(sent.Bytes())
	conn.Close()
	waitFor(t, "50 messages upstream", func() bool { return len(up.types(t)) == 50 })
	stop(t, cmd)
	archive, err := os.ReadFile(filepath.Join(base, "archive", "agents.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(archive, sent.Bytes()) {
		t.Errorf("archive (%d bytes) is not the stream sent (%d bytes)", len(archive), sent.Len())
	}
}

// TestRouterExample runs examples/router.toml and checks each downstream
// gets exactly the messages its matcher selects.
func TestRouterExample(t *testing.T) {
	in := freeAddr(t)
	web, alerts, archive := newCollector(t), newCollector(t), newCollector(t)
	cmd := run(t, hekad(t), "router.toml",
		"0.0.0.0:5565", in,
		"web-analytics.example.com:5565", web.addr(),
		"alerts.example.com:5565", alerts.addr(),
		"archive.example.com:5565", archive.addr())
	conn := dialWhenUp(t, in)
	conn.Write(frame(t, "nginx.access", 6, "GET /"))
	conn.Write(frame(t, "app.event", 3, "failure"))
	conn.Write(frame(t, "apache.access", 2, "GET / 500"))
	conn.Write(frame(t, "app.event", 6, "fine"))
	conn.Close()
	waitFor(t, "routing", func() bool {
		return len(web.types(t)) == 2 && len(alerts.types(t)) == 2 && len(archive.types(t)) == 2
	})
	stop(t, cmd)
	if got := strings.Join(web.types(t), ","); got != "nginx.access,apache.access" {
		t.Errorf("web got %s", got)
	}
	if got := strings.Join(alerts.types(t), ","); got != "app.event,apache.access" {
		t.Errorf("alerts got %s", got)
	}
	if got := strings.Join(archive.types(t), ","); got != "app.event,app.event" {
		t.Errorf("archive got %s", got)
	}
}

// TestPluginExample builds examples/plugin (a module of its own that
// imports hekad) and runs its KeywordFilter in a real hekad.
func TestPluginExample(t *testing.T) {
	bin := build(t, "plugin", "./cmd/hekad", "hekad-keyword")
	out, err := exec.Command(bin, "-list").Output()
	if err != nil || !strings.Contains(string(out), "  KeywordFilter\n") {
		t.Fatalf("-list: %v\n%s", err, out)
	}
	in := freeAddr(t)
	counts := filepath.Join(t.TempDir(), "counts.txt")
	cfg := filepath.Join(t.TempDir(), "hekad.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
[hekad]
base_dir = %q

[in]
type = "TcpInput"
address = %q

[errors]
type = "KeywordFilter"
message_matcher = "Type == 'log'"
ticker_interval = 1
keyword = "error"

[counts]
type = "FileOutput"
message_matcher = "Type == 'keyword.count'"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
`, t.TempDir(), in, counts)), 0o644)
	cmd := exec.Command(bin, "-config", cfg)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("hekad output:\n%s", logs.String())
		}
	}()
	conn := dialWhenUp(t, in)
	conn.Write(frame(t, "log", 3, "an error happened"))
	conn.Write(frame(t, "log", 6, "all good"))
	conn.Write(frame(t, "log", 3, "another error"))
	conn.Close()
	// The two hits may fall into one tick or two: add up every count.
	waitFor(t, "counts adding up to 2", func() bool {
		b, _ := os.ReadFile(counts)
		total := 0
		for _, line := range strings.Split(string(b), "\n") {
			var n int
			if _, err := fmt.Sscanf(line, "%d messages mentioned", &n); err == nil {
				total += n
			}
		}
		return total == 2
	})
}

// TestPluginExampleBuildIgnored: the binary the plugin example's README
// builds (`go build -o NAME` in examples/plugin) is ignored by git, so
// following the README leaves the checkout clean.
func TestPluginExampleBuildIgnored(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	if err := exec.Command("git", "rev-parse", "--git-dir").Run(); err != nil {
		t.Skip("not a git checkout")
	}
	b, err := os.ReadFile("plugin/README.md")
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		for i := 0; i+1 < len(f); i++ {
			if f[0] == "go" && f[1] == "build" && f[i] == "-o" {
				outs = append(outs, f[i+1])
			}
		}
	}
	if len(outs) == 0 {
		t.Fatal("plugin/README.md has no `go build -o NAME` line")
	}
	for _, o := range outs {
		path := filepath.Join("plugin", o)
		if err := exec.Command("git", "check-ignore", "-q", "--no-index", path).Run(); err != nil {
			t.Errorf("examples/%s, which plugin/README.md builds, is not ignored by git (.gitignore)", path)
		}
	}
}
