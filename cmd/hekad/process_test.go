package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProcessAndPollingInputs: a real hekad runs a command chain and polls
// a file every second; both reach files through the engine with the
// message Types and fields Heka gives them, and hekad stops cleanly with
// no command left running.
func TestProcessAndPollingInputs(t *testing.T) {
	dir := t.TempDir()
	polled := filepath.Join(dir, "polled.txt")
	if err := os.WriteFile(polled, []byte("first content\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	procOut, pollOut := filepath.Join(dir, "proc.log"), filepath.Join(dir, "poll.log")
	p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[chain]
type = "ProcessInput"
ticker_interval = 1
immediate_start = true
timeout = 10
splitter = "TokenSplitter"

    [chain.command.0]
    bin = "/bin/sh"
    args = ["-c", "printf 'alpha\nbeta\ngamma\n'"]

    [chain.command.1]
    bin = "/bin/grep"
    args = ["-v", "beta"]

[poll]
type = "FilePollingInput"
file_path = %q
ticker_interval = 1

[proc_out]
type = "FileOutput"
message_matcher = "Type == 'ProcessInput' && Fields[ProcessInputName] == 'chain.stdout' && Fields[ExitStatus] == 0"
path = %q
encoder = "PayloadEncoder"

[poll_out]
type = "FileOutput"
message_matcher = "Type == 'heka.file.polling' && Fields[FilePath] == '%s'"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
append_newlines = false
`, polled, procOut, polled, pollOut))
	waitFor(t, 30*time.Second, "two runs of the chain", func() bool { return countLines(procOut) >= 4 })
	waitFor(t, 30*time.Second, "a poll of the file", func() bool { return countLines(pollOut) >= 1 })
	if err := os.WriteFile(polled, []byte("second content\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "a poll of the new content", func() bool {
		b, _ := os.ReadFile(pollOut)
		return strings.Contains(string(b), "second content\n")
	})
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d\n%s", code, p.Stderr())
	}
	b, _ := os.ReadFile(procOut)
	for i, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if want := []string{"alpha", "gamma"}[i%2]; l != want {
			t.Fatalf("line %d is %q, want %q: the chain's output was not piped through grep -v beta", i, l, want)
		}
	}
	if !strings.Contains(p.Stdout()+p.Stderr(), "+ 0 lost") {
		t.Errorf("closing line does not say 0 lost:\n%s", p.Stdout()+p.Stderr())
	}
}
