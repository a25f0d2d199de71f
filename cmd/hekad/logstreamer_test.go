package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// logstreamerConfig tails <logs>/app.log* into a FileOutput, its journal
// and base_dir in base (the same for every run).
func logstreamerConfig(base, logs, out string) string {
	return fmt.Sprintf(`[hekad]
base_dir = %q
[tail]
type = "LogstreamerInput"
log_directory = %q
file_match = 'app\.log\.?(?P<Seq>\d*)'
priority = ["^Seq"]
check_data_interval = "20ms"
journal_interval = 100
[PayloadEncoder]
append_newlines = false
[out]
type = "FileOutput"
message_matcher = "Type == 'logfile'"
path = %q
encoder = "PayloadEncoder"
flush_interval = 50
`, base, logs, out)
}

// outCounts reads the output file: how many times each line number came.
func outCounts(t *testing.T, path string) map[int]int {
	t.Helper()
	counts := map[int]int{}
	f, err := os.Open(path)
	if err != nil {
		return counts
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(line, "line "))
		if err != nil {
			t.Fatalf("unexpected output line %q", line)
		}
		counts[n]++
	}
	return counts
}

// TestLogstreamerSurvivesKill: hekad tails a file that keeps growing (and
// is rotated once) and is killed with SIGKILL three times, then runs
// cleanly: every line reaches the FileOutput, none lost; duplicates (lines
// read after the last journal write before a kill) are counted.
func TestLogstreamerSurvivesKill(t *testing.T) {
	const total = 60000
	dir := t.TempDir()
	base, logs := filepath.Join(dir, "base"), filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	out := filepath.Join(dir, "out.log")
	cfg := logstreamerConfig(base, logs, out)

	// The writer: lines in small bursts; halfway, app.log is renamed to
	// app.log.1 and a new app.log started. It writes the lines in four
	// quarters, each after a kill, so that every run has lines left to
	// read however fast hekad is: written all at once, a fast hekad read
	// them all before the third kill, which then waited in vain for
	// progress.
	var wg sync.WaitGroup
	written := make(chan struct{})
	killed := make(chan struct{}, 3)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(written)
		path := filepath.Join(logs, "app.log")
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Error(err)
			return
		}
		for i, quarter := 0, 1; i < total; {
			if quarter < 4 && i >= total*quarter/4 {
				<-killed
				quarter++
			}
			if i == total/2 {
				f.Close()
				os.Rename(path, path+".1")
				f, _ = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			}
			var b strings.Builder
			for j := 0; j < 200 && i < total; j++ {
				fmt.Fprintf(&b, "line %d\n", i)
				i++
			}
			f.WriteString(b.String())
			time.Sleep(2 * time.Millisecond)
		}
		f.Close()
	}()

	dups := 0
	for kill := 1; kill <= 3; kill++ {
		before := len(outCounts(t, out))
		p := startBin(t, hekadBin, cfg)
		waitFor(t, 60*time.Second, "progress before the kill", func() bool { return len(outCounts(t, out)) > before+2000 })
		time.Sleep(time.Duration(rand.IntN(200)) * time.Millisecond)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		p.wait(10 * time.Second)
		t.Logf("kill %d: %d distinct lines at the output", kill, len(outCounts(t, out)))
		killed <- struct{}{}
	}
	<-written
	wg.Wait()
	p := startBin(t, hekadBin, cfg)
	waitFor(t, 120*time.Second, "every line at the output", func() bool { return len(outCounts(t, out)) >= total })
	if code := p.stop(); code != 0 {
		t.Errorf("the clean run exited %d\n%s", code, p.Stderr())
	}
	counts := outCounts(t, out)
	lost := 0
	for i := 0; i < total; i++ {
		switch c := counts[i]; {
		case c == 0:
			lost++
		case c > 1:
			dups += c - 1
		}
	}
	t.Logf("written %d, distinct at the output %d, lost %d, duplicates %d (over 3 kills)", total, len(counts), lost, dups)
	if lost != 0 || len(counts) != total {
		t.Fatalf("%d lines lost", lost)
	}
}

// TestLogstreamerRestartsMidFile: hekad stopped with SIGTERM while it
// tails a file, and started again after more lines were written, goes on
// where its journal says: every line once, none lost and, after a clean
// stop, none twice.
func TestLogstreamerRestartsMidFile(t *testing.T) {
	dir := t.TempDir()
	base, logs := filepath.Join(dir, "base"), filepath.Join(dir, "logs")
	os.MkdirAll(logs, 0o755)
	out := filepath.Join(dir, "out.log")
	cfg := logstreamerConfig(base, logs, out)
	f, err := os.Create(filepath.Join(logs, "app.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	write := func(from, to int) {
		var b strings.Builder
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, "line %d\n", i)
		}
		if _, err := f.WriteString(b.String()); err != nil {
			t.Fatal(err)
		}
	}
	// The signal comes while hekad is still reading the first part.
	const first, total = 200000, 210000
	write(0, first)
	p := startBin(t, hekadBin, cfg)
	waitFor(t, 60*time.Second, "some lines at the output", func() bool { return len(outCounts(t, out)) >= 1000 })
	if code := p.stop(); code != 0 {
		t.Fatalf("first run exited %d\n%s", code, p.Stderr())
	}
	if n := len(outCounts(t, out)); n >= first {
		t.Logf("the first run read all %d lines before the signal: not mid-file this time", n)
	} else {
		t.Logf("stopped after %d of %d lines", n, first)
	}
	write(first, total)
	p = startBin(t, hekadBin, cfg)
	waitFor(t, 60*time.Second, "every line at the output", func() bool { return len(outCounts(t, out)) >= total })
	if code := p.stop(); code != 0 {
		t.Fatalf("second run exited %d\n%s", code, p.Stderr())
	}
	counts := outCounts(t, out)
	for i := range total {
		if counts[i] != 1 {
			t.Fatalf("line %d came %d times (a clean stop and restart must give every line once)", i, counts[i])
		}
	}
}

// TestLogstreamerBadFiles runs LogstreamerInput as a user who is not root
// (nobody, when the tests run as root) over a directory tree with a
// subdirectory it may not enter, a log file it may not read and a binary
// log file: each problem is logged with the plugin's name and the path,
// the readable streams are delivered whole, and hekad stops cleanly.
func TestLogstreamerBadFiles(t *testing.T) {
	home := worldDir(t)
	logs := filepath.Join(home, "logs")
	write := func(rel string, data []byte, perm os.FileMode) {
		t.Helper()
		path := filepath.Join(logs, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, perm); err != nil {
			t.Fatal(err)
		}
	}
	var ok strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&ok, "line %d\n", i)
	}
	write("ok/app.log", []byte(ok.String()), 0o644)
	write("secret/app.log", []byte("line 5000\n"), 0o644)
	write("unreadable/app.log", []byte("line 6000\n"), 0o600)
	binary := make([]byte, 64<<10)
	rand.NewChaCha8([32]byte{1}).Read(binary)
	write("binary/app.log", binary, 0o644)
	if err := os.Chmod(filepath.Join(logs, "secret"), 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(home, "out.log")
	cfg := fmt.Sprintf(`[hekad]
base_dir = %q
[tail]
type = "LogstreamerInput"
log_directory = %q
file_match = '(?P<Dir>[^/]+)/app\.log'
differentiator = ["Dir"]
check_data_interval = "20ms"
[PayloadEncoder]
append_newlines = false
[okonly]
type = "FileOutput"
message_matcher = "Logger == 'ok'"
path = %q
encoder = "PayloadEncoder"
flush_interval = 20
[all]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"
flush_interval = 20
`, filepath.Join(home, "base"), logs, out, filepath.Join(home, "all.log"))
	cfgPath := filepath.Join(home, "hekad.toml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(home, "hekad")
	copyFile(t, hekadBin, bin, 0o755)
	cmd := exec.Command(bin, "-config", cfgPath)
	cmd.Dir = home
	unprivileged(t, cmd, home)
	p := startCmd(t, cmd)
	waitFor(t, 30*time.Second, "the readable stream", func() bool {
		counts := outCounts(t, out)
		return len(counts) == 1000
	})
	waitFor(t, 30*time.Second, "the errors logged", func() bool {
		errs := p.Stderr()
		return strings.Contains(errs, filepath.Join(logs, "secret")) && strings.Contains(errs, filepath.Join(logs, "unreadable", "app.log"))
	})
	if p.exited() {
		t.Fatal("hekad exited")
	}
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	for _, line := range strings.Split(p.Stderr(), "\n") {
		if strings.Contains(line, "permission denied") && !strings.Contains(line, "plugin=tail") {
			t.Errorf("error line without the plugin's name: %s", line)
		}
	}
	for n, c := range outCounts(t, out) {
		if c != 1 || n >= 1000 {
			t.Fatalf("line %d came %d times", n, c)
		}
	}
	all, _ := os.ReadFile(filepath.Join(home, "all.log"))
	if strings.Contains(string(all), "line 5000") || strings.Contains(string(all), "line 6000") {
		t.Errorf("a file hekad may not read was read: the test does not run unprivileged")
	}
	if len(all) < len(binary) {
		t.Errorf("all streams hold %d bytes, fewer than the binary file's %d", len(all), len(binary))
	}
}
