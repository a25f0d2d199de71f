package main

import (
	"bytes"
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
)

// nobody is the user the first-run test runs hekad as when the tests run
// as root.
const nobodyUID, nobodyGID = 65534, 65534

// TestFirstRunUnprivileged runs hekad as a new user would, as a user who is
// not root, with a fresh HOME: `make run` (no arguments: the embedded
// default configuration) and examples/aggregator.toml must start, create
// their base_dir under ~/.cache and stop cleanly. Heka's base_dir,
// /var/cache/hekad, is not writable for that user whether it exists or not.
// Skipped when the tests run as root and cannot switch user, except under
// CI=true.
func TestFirstRunUnprivileged(t *testing.T) {
	aggregator, err := os.ReadFile("../../examples/aggregator.toml")
	if err != nil {
		t.Fatal(err)
	}
	agentAddr := freePort(t)
	tests := []struct {
		name   string
		config string // "" runs with no argument at all
		listen string // an address the config listens on
	}{
		{name: "make run (embedded default)", listen: "127.0.0.1:5565"},
		{name: "examples/aggregator.toml",
			config: strings.ReplaceAll(string(aggregator), "0.0.0.0:5565", agentAddr), listen: agentAddr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := worldDir(t)
			bin := filepath.Join(home, "hekad")
			copyFile(t, hekadBin, bin, 0o755)
			args := []string{}
			if tc.config != "" {
				path := filepath.Join(home, "hekad.toml")
				if err := os.WriteFile(path, []byte(tc.config), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "-config", path)
			}
			if tc.config == "" {
				if _, err := os.Stat("/etc/hekad.toml"); err == nil {
					t.Skip("/etc/hekad.toml exists: hekad without -config would load it")
				}
				if l, err := net.Listen("tcp", tc.listen); err != nil {
					skipUnlessCI(t, "the embedded default's address %s is in use", tc.listen)
				} else {
					l.Close()
				}
			}
			cmd := exec.Command(bin, args...)
			cmd.Dir = home
			cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin"}
			unprivileged(t, cmd, home)
			var mu sync.Mutex
			var out bytes.Buffer
			cmd.Stdout = lockedWriter{&mu, &out}
			cmd.Stderr = lockedWriter{&mu, &out}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			var exitErr error
			go func() { exitErr = cmd.Wait(); close(exited) }()
			t.Cleanup(func() {
				select {
				case <-exited:
				default:
					cmd.Process.Kill()
					<-exited
				}
				if t.Failed() {
					mu.Lock()
					t.Logf("hekad output:\n%s", out.String())
					mu.Unlock()
				}
			})
			baseDir := filepath.Join(home, ".cache", "hekad")
			deadline := time.Now().Add(30 * time.Second)
			for {
				select {
				case <-exited:
					t.Fatalf("hekad exited early: %v", exitErr)
				default:
				}
				if c, err := net.Dial("tcp", tc.listen); err == nil {
					c.Close()
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("hekad did not listen on %s", tc.listen)
				}
				time.Sleep(10 * time.Millisecond)
			}
			if fi, err := os.Stat(baseDir); err != nil || !fi.IsDir() {
				t.Errorf("base_dir %s was not created: %v", baseDir, err)
			}
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
				if exitErr != nil {
					t.Errorf("hekad exit: %v", exitErr)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("hekad did not stop on SIGTERM")
			}
			mu.Lock()
			defer mu.Unlock()
			if strings.Contains(out.String(), "permission denied") {
				t.Errorf("hekad hit a permission error:\n%s", out.String())
			}
		})
	}
}

// unprivileged makes cmd run as a user who is not root: as is when the
// tests do not run as root, as nobody otherwise (owning home).
func unprivileged(t *testing.T, cmd *exec.Cmd, home string) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	if err := os.Chown(home, nobodyUID, nobodyGID); err != nil {
		skipUnlessCI(t, "cannot hand the test HOME to nobody: %v", err)
	}
	probe := exec.Command("/bin/true")
	probe.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyGID}}
	if err := probe.Run(); err != nil {
		skipUnlessCI(t, "cannot run a process as nobody: %v", err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyGID}}
}

// skipUnlessCI skips the test, or fails it when CI=true.
func skipUnlessCI(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// worldDir returns a new directory that any user can reach (t.TempDir's
// parents are private to the test's user).
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hekad-firstrun")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func copyFile(t *testing.T, from, to string, perm os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
