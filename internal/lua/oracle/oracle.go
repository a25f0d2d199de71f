package oracle

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Command is the name of the reference interpreter looked up in PATH.
const Command = "lua5.1"

// timeout bounds one oracle run, so that a script that loops forever under C
// Lua fails its test instead of hanging it.
const timeout = 30 * time.Second

// Need skips t when the oracle is not installed, or fails it under CI, where
// .ci/run must have installed it.
func Need(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath(Command)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not installed (.ci/run installs lua5.1 and lua-lpeg): %v", Command, err)
	}
	t.Skipf("%s not installed (apt-get install lua5.1 lua-lpeg): %v", Command, err)
	return ""
}

// Result is what one run of the reference interpreter printed.
type Result struct {
	Stdout string // everything the script printed
	Stderr string // the interpreter's error message, if any
	OK     bool   // the script ran to its end without a Lua error
}

// Run runs script (Lua source) under C Lua 5.1 with the environment given in
// env added (for instance LUA_PATH), in the UTC time zone as hekad's sandbox.
// The script reads nothing from stdin. A Lua error is not a Go error: it is
// reported in Result.OK and Result.Stderr; err is for an oracle that could not
// be run at all.
func Run(ctx context.Context, script string, env ...string) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, Command, "-")
	cmd.Stdin = bytes.NewReader([]byte(script))
	cmd.Env = append(append(os.Environ(), "TZ=UTC", "LC_ALL=C"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String(), OK: err == nil}
	if err != nil {
		if _, exited := err.(*exec.ExitError); !exited || ctx.Err() != nil {
			return res, fmt.Errorf("run %s: %w (stderr: %s)", Command, err, res.Stderr)
		}
	}
	return res, nil
}

// MustRun is Run for tests: it skips or fails t when the oracle is missing
// (see Need) and fails t when the interpreter could not be run.
func MustRun(t testing.TB, script string, env ...string) Result {
	t.Helper()
	Need(t)
	res, err := Run(t.Context(), script, env...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// CompareLines reports each line where got (hekad's output) differs from
// want (the oracle's).
func CompareLines(t testing.TB, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(gl), len(wl)) {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("line %d:\n got  %q\n want %q", i+1, g, w)
		}
	}
}
