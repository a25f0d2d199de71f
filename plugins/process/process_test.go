package process

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

const waitLong = 20 * time.Second

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "ProcessInput", "ProcessDirectoryInput")
}

// wholeSplitter makes every read one record, as NullSplitter does.
type wholeSplitter struct{}

func (wholeSplitter) Split(data []byte, _ bool) (int, []byte, error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	return len(data), data, nil
}

func newHost() *plugintest.Host {
	return plugintest.NewHost("proc", func() pipeline.Splitter { return wholeSplitter{} }, false)
}

func sh(script string) CommandConfig {
	return CommandConfig{Bin: "sh", Args: []string{"-c", script}}
}

// start runs in and returns a stop func returning Run's result.
func start(t *testing.T, in pipeline.Input, host pipeline.InputHost) (stop func() error, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	ch := make(chan error, 1)
	go func() { ch <- in.Run(ctx, host) }()
	var once sync.Once
	var result error
	return func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-ch:
			case <-time.After(waitLong):
				t.Fatal("Run did not return after cancel")
			}
		})
		return result
	}, ch
}

func field(m *message.Message, name string) any {
	for _, f := range m.GetFields() {
		if f.GetName() == name {
			return f.GetValue()
		}
	}
	return nil
}

func TestProcessInputRuns(t *testing.T) {
	tests := []struct {
		name       string
		cmds       []CommandConfig
		stdout     bool
		stderr     bool
		trim       bool
		timeout    pipeline.Seconds
		wantStream string
		wantPay    string
		wantExit   int64
		wantErrSub string // in SubcmdErrors; "" = no field
	}{
		{name: "one command", cmds: []CommandConfig{{Bin: "printf", Args: []string{"hello\n"}}}, stdout: true,
			wantStream: "stdout", wantPay: "hello\n"},
		{name: "chain pipes stdout into stdin", stdout: true, cmds: []CommandConfig{
			{Bin: "printf", Args: []string{"a\nb\nc\n"}}, {Bin: "grep", Args: []string{"-v", "b"}}, {Bin: "tr", Args: []string{"a-z", "A-Z"}}},
			wantStream: "stdout", wantPay: "A\nC\n"},
		{name: "trim", cmds: []CommandConfig{{Bin: "printf", Args: []string{"x\n\n"}}}, stdout: true, trim: true,
			wantStream: "stdout", wantPay: "x"},
		{name: "exit status", stdout: true, cmds: []CommandConfig{sh("echo out; exit 3")},
			wantStream: "stdout", wantPay: "out\n", wantExit: 3, wantErrSub: "Subcommand[0] returned an error: [exit status 3]"},
		{name: "stderr only", stderr: true, cmds: []CommandConfig{sh("echo out; echo err >&2")},
			wantStream: "stderr", wantPay: "err\n"},
		{name: "environment and directory", stdout: true, cmds: []CommandConfig{
			{Bin: "sh", Args: []string{"-c", `echo "$FOO $(pwd)"`}, Env: []string{"FOO=bar"}, Directory: "/"}},
			wantStream: "stdout", wantPay: "bar /\n"},
		{name: "timeout kills the group", stdout: true, timeout: 1, cmds: []CommandConfig{sh("echo started; sleep 600 & sleep 600")},
			wantStream: "stdout", wantPay: "started\n", wantExit: -1, wantErrSub: "timed out after 1s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmds := map[string]CommandConfig{}
			for i, c := range tc.cmds {
				cmds[fmt.Sprint(i)] = c
			}
			cfg := InputConfig{Command: cmds, TickerInterval: 60, ImmediateStart: true, Stdout: tc.stdout, Stderr: tc.stderr, Trim: tc.trim, Timeout: tc.timeout}
			in, err := newProcess(cfg, "proc", "host.example", nil)
			if err != nil {
				t.Fatal(err)
			}
			in.log = discard()
			host := newHost()
			stop, _ := start(t, in, host)
			var got *message.Message
			plugintest.Eventually(t, waitLong, "a message", func() bool {
				if d := host.Deliveries(); len(d) > 0 {
					got = d[0].Message
					return true
				}
				return false
			})
			if err := stop(); err != nil {
				t.Errorf("Run: %v", err)
			}
			if got.GetType() != "ProcessInput" || got.GetHostname() != "host.example" || got.GetPid() != int32(os.Getpid()) {
				t.Errorf("headers: type %q hostname %q pid %d", got.GetType(), got.GetHostname(), got.GetPid())
			}
			if got.GetPayload() != tc.wantPay {
				t.Errorf("payload %q, want %q", got.GetPayload(), tc.wantPay)
			}
			if n := field(got, "ProcessInputName"); n != "proc."+tc.wantStream {
				t.Errorf("ProcessInputName %v", n)
			}
			if n := field(got, "ExitStatus"); n != tc.wantExit {
				t.Errorf("ExitStatus %v, want %d", n, tc.wantExit)
			}
			se, _ := field(got, "SubcmdErrors").(string)
			if (tc.wantErrSub == "") != (se == "") || !strings.Contains(se, tc.wantErrSub) {
				t.Errorf("SubcmdErrors %q, want %q", se, tc.wantErrSub)
			}
		})
	}
}

// TestProcessInputCancelKillsChain checks that cancelling Run kills a
// hanging chain with its background children, and reaps it.
func TestProcessInputCancelKillsChain(t *testing.T) {
	for _, tick := range []pipeline.Seconds{0, 60} {
		t.Run(fmt.Sprintf("ticker_interval=%d", tick), func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "pid")
			cfg := InputConfig{TickerInterval: tick, ImmediateStart: true, Stdout: true, Command: map[string]CommandConfig{
				"0": sh(fmt.Sprintf("sleep 600 & echo $! > %s; echo ready; wait", pidFile)),
				"1": {Bin: "cat"},
			}}
			in, err := newProcess(cfg, "proc", "h", discard())
			if err != nil {
				t.Fatal(err)
			}
			host := newHost()
			stop, _ := start(t, in, host)
			var pid int
			plugintest.Eventually(t, waitLong, "the background sleep", func() bool {
				b, err := os.ReadFile(pidFile)
				if err != nil {
					return false
				}
				_, err = fmt.Sscan(string(b), &pid)
				return err == nil
			})
			if tick == 0 {
				plugintest.Eventually(t, waitLong, "streamed output", func() bool { return len(host.Deliveries()) > 0 })
			}
			if err := stop(); err != nil {
				t.Errorf("Run: %v", err)
			}
			plugintest.Eventually(t, waitLong, "the sleep killed", func() bool { return !running(pid) })
		})
	}
}

// running reports whether the process pid runs: it exists and is not a
// zombie. The background sleep's shell is killed too, so the killed sleep
// is an orphan that only the machine's init reaps: where that is a process
// that does not reap (a container's first process), the zombie stays.
func running(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // no procfs: kill(2) is all there is
	}
	// "pid (comm) state ...": comm may hold spaces and parentheses.
	i := strings.LastIndex(string(b), ") ")
	return i < 0 || !strings.HasPrefix(string(b)[i+2:], "Z")
}

func TestProcessInputLongRunningEnds(t *testing.T) {
	cfg := InputConfig{TickerInterval: 0, Stdout: true, Command: map[string]CommandConfig{"0": sh("echo one; exit 2")}}
	in, err := newProcess(cfg, "proc", "h", discard())
	if err != nil {
		t.Fatal(err)
	}
	host := newHost()
	stop, done := start(t, in, host)
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "exit status 2") {
			t.Errorf("Run: %v, want the exit status", err)
		}
		if !errorsIsRetry(err) {
			t.Errorf("Run: %v does not wrap ErrRetry", err)
		}
	case <-time.After(waitLong):
		stop()
		t.Fatal("Run did not return when the chain ended")
	}
	if d := host.Deliveries(); len(d) != 1 || d[0].Message.GetPayload() != "one\n" {
		t.Errorf("deliveries %v", d)
	}
}

func TestProcessInputBadBin(t *testing.T) {
	cfg := InputConfig{TickerInterval: 1, ImmediateStart: true, Stdout: true, Command: map[string]CommandConfig{
		"0": {Bin: "printf", Args: []string{"x"}}, "1": {Bin: "/nonexistent/bin"}}}
	in, err := newProcess(cfg, "proc", "h", discard())
	if err != nil {
		t.Fatal(err)
	}
	err = in.Run(t.Context(), newHost())
	if err == nil || !errorsIsRetry(err) || !strings.Contains(err.Error(), "command.1") {
		t.Errorf("Run: %v, want a retry error naming command.1", err)
	}
}

func TestInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "ProcessInput", map[string]string{
		"[p]\ntype = \"ProcessInput\"\n":                                       "command",
		"[p]\ntype = \"ProcessInput\"\n[p.command.1]\nbin = \"cat\"\n":         "command.1",
		"[p]\ntype = \"ProcessInput\"\n[p.command.0]\nargs = [\"x\"]\n":        "command.0.bin",
		"[p]\ntype = \"ProcessInput\"\n[p.command.0]\nbin = \"x\"\nenvv = 1\n": "envv",
	})
}
