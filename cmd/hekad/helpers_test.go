package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hekad-go/hekad/client/hekadtest"
	"github.com/hekad-go/hekad/internal/testbuild"
)

// hekadBin is the hekad binary built once by TestMain; hekadTestBin is
// hekad with the test-only plugins of internal/testplugins.
var hekadBin, hekadTestBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hekad-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hekadBin = filepath.Join(dir, "hekad")
	hekadTestBin = filepath.Join(dir, "hekad-test")
	// hekad is built with -race when the tests are (make test); without
	// -race, the scenarios measure a hekad as it ships.
	var race []string
	if raceBuild {
		race = []string{"-race"}
	}
	for bin, pkg := range map[string]string{hekadBin: ".", hekadTestBin: "../../internal/testplugins/cmd/hekad-test"} {
		if err := testbuild.Build(".", append(race, "-o", bin, pkg)...); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort returns a loopback TCP address that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	return hekadtest.FreeAddr(t, "tcp")
}

// serveTCP listens on addr for the rest of the test and runs serve on
// every connection it accepts, each in its own goroutine.
func serveTCP(t *testing.T, addr string, serve func(net.Conn)) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
}

// waitFor polls cond every few milliseconds until it holds, or fails the
// test once d has passed.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	hekadtest.WaitFor(t, d, what, cond)
}

// proc is a running hekad.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan struct{}
	err    error
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// startHekad writes config to a file in a temp dir and starts hekad on it.
// %BASE% in config is replaced by a fresh base_dir.
func startHekad(t *testing.T, config string, args ...string) *proc {
	t.Helper()
	return startBin(t, hekadBin, config, args...)
}

// startBin is startHekad for another hekad build.
func startBin(t *testing.T, bin, config string, args ...string) *proc {
	t.Helper()
	dir := t.TempDir()
	config = strings.ReplaceAll(config, "%BASE%", dir)
	path := filepath.Join(dir, "hekad.toml")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return startCmd(t, exec.Command(bin, append([]string{"-config", path}, args...)...))
}

// startCmd starts cmd, a hekad command, and stops it (SIGKILL) at the end
// of the test if it still runs.
func startCmd(t *testing.T, cmd *exec.Cmd) *proc {
	t.Helper()
	p := &proc{t: t, done: make(chan struct{}), cmd: cmd}
	p.cmd.Stdout = lockedWriter{&p.mu, &p.stdout}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.stderr}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("hekad stdout:\n%s\nhekad stderr:\n%s", p.Stdout(), p.Stderr())
		}
	})
	return p
}

// exited reports whether hekad has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stdout returns what hekad printed on stdout so far.
func (p *proc) Stdout() string { p.mu.Lock(); defer p.mu.Unlock(); return p.stdout.String() }

// Stderr returns what hekad printed on stderr so far.
func (p *proc) Stderr() string { p.mu.Lock(); defer p.mu.Unlock(); return p.stderr.String() }

// waitListening waits until addr accepts connections.
func (p *proc) waitListening(addr string) {
	p.t.Helper()
	waitFor(p.t, 30*time.Second, "hekad to listen on "+addr, func() bool {
		select {
		case <-p.done:
			p.t.Fatalf("hekad exited early: %v\nstderr:\n%s", p.err, p.Stderr())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

// stop sends SIGTERM and returns the exit code.
func (p *proc) stop() int {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	return p.wait(60 * time.Second)
}

// wait waits for hekad to exit and returns its exit code.
func (p *proc) wait(d time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		p.t.Fatalf("hekad did not exit within %v\nstderr:\n%s", d, p.Stderr())
	}
	if ee, ok := p.err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if p.err != nil {
		p.t.Fatalf("hekad: %v", p.err)
	}
	return 0
}

// send writes data to a new TCP connection to addr and closes it.
func send(t *testing.T, addr string, data []byte) {
	t.Helper()
	if err := trySend(addr, data); err != nil {
		t.Fatal(err)
	}
}

// trySend is send for goroutines other than the test's: it returns the
// error.
func trySend(addr string, data []byte) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Write(data); err != nil {
		return err
	}
	c.(*net.TCPConn).CloseWrite()
	// Wait for hekad to close its side, so the data has been read.
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	io.Copy(io.Discard, c)
	return nil
}

// runHekad runs hekad to completion with args and returns its exit code,
// stdout and stderr.
func runHekad(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(hekadBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// countLines returns the number of lines in the file at path (0 if absent).
func countLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	s := bufio.NewScanner(f)
	for s.Scan() {
		n++
	}
	return n
}
