// Package hekadtest runs a real hekad for the tests of the client package,
// heka-flood and the client example: it builds hekad from this repository,
// starts it on a configuration, waits for its listeners and reads back what
// its FileOutputs wrote. It is test support, not an API for applications.
package hekadtest

import (
	"bytes"
	"errors"
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

	"github.com/hekad-go/hekad/internal/testbuild"
	"github.com/hekad-go/hekad/message"
)

// Build builds hekad into dir and returns the binary's path. Call it once,
// from TestMain.
func Build(dir string) (string, error) { return BuildCommand(dir, "hekad") }

// BuildCommand builds the command cmd/<name> of this repository into dir
// and returns the binary's path.
func BuildCommand(dir, name string) (string, error) {
	bin := filepath.Join(dir, name)
	if err := testbuild.Build(testbuild.Root(), "-o", bin, "./cmd/"+name); err != nil {
		return "", err
	}
	return bin, nil
}

// WaitFor polls cond every few milliseconds until it holds, or fails the
// test once d has passed.
func WaitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// FreeAddr returns a loopback address of network ("tcp" or "udp") that was
// free a moment ago.
func FreeAddr(t testing.TB, network string) string {
	t.Helper()
	var addr string
	if network == "udp" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = pc.LocalAddr().String()
		pc.Close()
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = ln.Addr().String()
		ln.Close()
	}
	return addr
}

// Proc is a running hekad.
type Proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	dir  string
	mu   sync.Mutex
	out  bytes.Buffer // stdout and stderr
	done chan struct{}
	err  error
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

// Start writes config to dir/hekad.toml, with every %DIR% replaced by dir,
// and starts bin on it. The test's cleanup kills hekad if it still runs
// and, when the test failed, logs its output.
func Start(t testing.TB, bin, dir, config string) *Proc {
	t.Helper()
	config = strings.ReplaceAll(config, "%DIR%", dir)
	path := filepath.Join(dir, "hekad.toml")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &Proc{t: t, dir: dir, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "-config", path)
	p.cmd.Stdout = lockedWriter{&p.mu, &p.out}
	p.cmd.Stderr = lockedWriter{&p.mu, &p.out}
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
			t.Logf("hekad output:\n%s", p.Output())
		}
	})
	return p
}

// Output returns what hekad printed so far.
func (p *Proc) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// WaitListening waits until hekad logged that the input named input
// listens (for datagram inputs, which cannot be probed), failing the test
// if hekad exits first.
func (p *Proc) WaitListening(input string) {
	p.t.Helper()
	WaitFor(p.t, 30*time.Second, "input "+input+" to listen", func() bool {
		select {
		case <-p.done:
			p.t.Fatalf("hekad exited early: %v\n%s", p.err, p.Output())
		default:
		}
		for _, l := range strings.Split(p.Output(), "\n") {
			if strings.Contains(l, input) && strings.Contains(l, "listening") {
				return true
			}
		}
		return false
	})
}

// Stop sends SIGTERM and waits for hekad to exit; it fails the test unless
// hekad exits with status 0.
func (p *Proc) Stop() {
	p.t.Helper()
	if err := p.StopStatus(); err != nil {
		p.t.Fatalf("hekad: %v\n%s", err, p.Output())
	}
}

// StopStatus sends SIGTERM, waits for hekad to exit and returns how it
// exited (nil for status 0; an *exec.ExitError otherwise). It fails the
// test when hekad does not stop within 60 s.
func (p *Proc) StopStatus() error {
	p.t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		p.t.Fatalf("hekad did not stop within 60s\n%s", p.Output())
	}
	return p.err
}

// ReadMessages decodes the framed messages of the file at path (none when
// it does not exist yet). A record that is not whole yet is left out.
func ReadMessages(path string) ([]*message.Message, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r := message.NewReader(bytes.NewReader(b), message.FrameOptions{})
	var msgs []*message.Message
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			return msgs, nil
		}
		if err != nil {
			return msgs, fmt.Errorf("%s: %w", path, err)
		}
		m := new(message.Message)
		if err := m.Unmarshal(f.Message); err != nil {
			return msgs, fmt.Errorf("%s: offset %d: %w", path, f.Offset, err)
		}
		msgs = append(msgs, m)
	}
}

// Main is a TestMain for packages whose tests run hekad: it builds hekad
// into a temporary directory, stores its path in *bin, runs the tests and
// exits with their status.
func Main(m *testing.M, bin *string) {
	dir, err := os.MkdirTemp("", "hekadtest")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *bin, err = Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Discard listens on a loopback TCP port for the rest of the test, reads
// and discards everything sent to it on any connection, and returns its
// address: the fastest possible receiver, for benchmarks of senders.
func Discard(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
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
			go func() {
				defer c.Close()
				io.Copy(io.Discard, c)
			}()
		}
	}()
	return ln.Addr().String()
}
