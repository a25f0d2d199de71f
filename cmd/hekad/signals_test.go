package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignals: SIGUSR1 prints Heka's report naming every plugin; SIGHUP
// makes FileOutput reopen its file (after logrotate renamed it); pid_file
// holds hekad's pid while it runs, stops a second hekad from starting, and
// is removed at exit.
func TestSignals(t *testing.T) {
	addr := freePort(t)
	dir := t.TempDir()
	out, pid := filepath.Join(dir, "out.log"), filepath.Join(dir, "hekad.pid")
	cfg := fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"
pid_file = %q

[in]
type = "TcpInput"
address = %q

[out]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
`, pid, addr, out)
	p := startHekad(t, cfg)
	p.waitListening(addr)

	b, err := os.ReadFile(pid)
	if err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(p.cmd.Process.Pid) {
		t.Fatalf("pid_file holds %q (%v), want %d", b, err, p.cmd.Process.Pid)
	}
	second := startHekad(t, strings.Replace(cfg, addr, freePort(t), 1))
	if code := second.wait(30 * time.Second); code != 1 || !strings.Contains(second.Stderr(), "already running") {
		t.Errorf("second hekad: exit %d, stderr %q", code, second.Stderr())
	}

	p.cmd.Process.Signal(syscall.SIGUSR1)
	waitFor(t, 30*time.Second, "the SIGUSR1 report", func() bool {
		s := p.Stderr()
		return strings.Contains(s, "========[heka.all-report]========") && strings.Contains(s, "out:") && strings.Contains(s, "in:")
	})

	send(t, addr, payloadFrames(t, "t", "before rotation"))
	waitFor(t, 30*time.Second, "the first message", func() bool { return countLines(out) == 1 })
	if err := os.Rename(out, out+".1"); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, 30*time.Second, "the reopened file", func() bool {
		_, err := os.Stat(out)
		return err == nil
	})
	send(t, addr, payloadFrames(t, "t", "after rotation"))
	waitFor(t, 30*time.Second, "the second message in the new file", func() bool { return countLines(out) == 1 })
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if b, _ := os.ReadFile(out + ".1"); string(b) != "before rotation\n" {
		t.Errorf("rotated file holds %q", b)
	}
	if _, err := os.Stat(pid); !os.IsNotExist(err) {
		t.Errorf("pid_file not removed at exit: %v", err)
	}
}
