package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/internal/testbuild"
	"github.com/hekad-go/hekad/message"
)

// catBin is the heka-cat binary TestMain builds, for the tests that run it as
// a process.
var catBin string

func TestMain(m *testing.M) {
	// The txt format prints times in the local zone; pin it for the goldens.
	time.Local = time.UTC
	dir, err := os.MkdirTemp("", "heka-cat-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	catBin = filepath.Join(dir, "heka-cat")
	if err := testbuild.Build(".", "-o", catBin, "."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one heka-cat run produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCat runs heka-cat in-process with args.
func runCat(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// summary is the closing line heka-cat writes to stderr.
func summary(processed, matched int) string {
	return fmt.Sprintf("Processed: %d, matched: %d messages\n", processed, matched)
}

// testMessage returns a small message whose uuid is derived from i.
func testMessage(i int, typ, logger string, severity int32, fields ...*message.Field) *message.Message {
	m := new(message.Message)
	var u [message.UUIDSize]byte
	for j := range u {
		u[j] = byte(i*16 + j)
	}
	m.SetUuid(u[:])
	m.SetTimestamp(1428773426113040227 + int64(i)*1e9)
	m.SetType(typ)
	m.SetLogger(logger)
	m.SetSeverity(severity)
	m.SetPayload(fmt.Sprintf("payload %d", i))
	m.SetHostname("host.example")
	m.SetPid(int32(1000 + i))
	for _, f := range fields {
		m.AddField(f)
	}
	return m
}

// field returns a new field, failing the test on an unsupported value.
func field(t testing.TB, name string, value any, representation string) *message.Field {
	t.Helper()
	f, err := message.NewField(name, value, representation)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// testSigner signs the signed records of the tests.
var testSigner = &message.SigningConfig{Name: "tester", Hash: "sha1", Key: "secret", Version: 2}

// frame returns m marshalled and framed, signed when signer is not nil.
func frame(t *testing.T, m *message.Message, signer *message.SigningConfig) []byte {
	t.Helper()
	rec, err := message.AppendFrame(nil, m.Marshal(), signer, defaultMaxMessageSize)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// writeRecords writes the records, one after another, to a new file in a
// temporary directory, and returns its name and the offset of each record.
func writeRecords(t *testing.T, records ...[]byte) (string, []int64) {
	t.Helper()
	var data []byte
	offsets := make([]int64, len(records))
	for i, r := range records {
		offsets[i] = int64(len(data))
		data = append(data, r...)
	}
	name := filepath.Join(t.TempDir(), "input.log")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return name, offsets
}

// syncBuffer is a bytes.Buffer safe to write from heka-cat's goroutine while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not synchronising
	}
}

func TestUsageAndFlagErrors(t *testing.T) {
	name, _ := writeRecords(t, frame(t, testMessage(1, "a", "l", 6), nil))
	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"no file", nil, exitUsage, "usage: heka-cat [flags] <file>"},
		{"two files", []string{name, name}, exitUsage, "usage: heka-cat [flags] <file>"},
		{"unknown flag", []string{"-bogus", name}, exitBadFlag, "flag provided but not defined: -bogus"},
		{"help", []string{"-h"}, exitOK, "-max-message-size"},
		{"unknown format", []string{"-format", "xml", name}, exitBadFlag, `unknown -format "xml"`},
		{"max size too large", []string{"-max-message-size", "4294967295", name}, exitMaxSize, "Message size is too large: 4294967295"},
		{"max size zero", []string{"-max-message-size", "0", name}, exitMaxSize, "-max-message-size must be at least 1"},
		{"negative offset", []string{"-offset", "-1", name}, exitSeek, "seek " + name + " to offset -1"},
		{"output in missing dir", []string{"-output", filepath.Join(t.TempDir(), "no", "such", "out"), name}, exitOutput, "create output"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCat(t, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.code, tc.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tc.wantErr) {
				t.Errorf("stderr does not contain %q:\n%s", tc.wantErr, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	fl := map[string]string{}
	r := runCat(t, "-h")
	for _, line := range strings.Split(r.stderr, "\n") {
		if f, ok := strings.CutPrefix(strings.TrimSpace(line), "-"); ok {
			name, _, _ := strings.Cut(f, " ")
			fl[name] = line
		}
	}
	want := map[string]string{
		"format":           `(default "txt")`,
		"match":            `(default "TRUE")`,
		"max-message-size": `(default 4194304)`,
		"offset":           ``,
		"output":           ``,
		"tail":             ``,
	}
	for name, def := range want {
		if _, ok := fl[name]; !ok {
			t.Errorf("flag -%s missing from usage:\n%s", name, r.stderr)
		}
		if def != "" && !strings.Contains(r.stderr, def) {
			t.Errorf("usage lacks default %s of -%s", def, name)
		}
	}
	if len(fl) != len(want) {
		t.Errorf("flags %v, want exactly %d", fl, len(want))
	}
}

// TestBinary runs the built heka-cat as a process: a count, a missing file,
// and -tail ended by SIGINT.
func TestBinary(t *testing.T) {
	name, _ := writeRecords(t,
		frame(t, testMessage(1, "a", "l", 6), nil),
		frame(t, testMessage(2, "b", "l", 3), testSigner),
		frame(t, testMessage(3, "a", "l", 1), nil))

	t.Run("count", func(t *testing.T) {
		cmd := exec.CommandContext(t.Context(), catBin, "-format=count", `-match=Type == "a"`, name)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("heka-cat: %v\n%s", err, stderr.String())
		}
		want := "Input:" + name + "  Offset:0  Match:Type == \"a\"  Format:count  Tail:false  Output:\n" + summary(3, 2)
		if stderr.String() != want {
			t.Errorf("stderr:\n%q\nwant\n%q", stderr.String(), want)
		}
		if stdout.Len() != 0 {
			t.Errorf("stdout %q, want nothing", stdout.String())
		}
	})

	t.Run("missing file", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "missing.log")
		cmd := exec.CommandContext(t.Context(), catBin, missing)
		out, err := cmd.CombinedOutput()
		if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != exitInput {
			t.Fatalf("exit: %v, want %d\n%s", err, exitInput, out)
		}
		if !strings.Contains(string(out), missing) || !strings.Contains(string(out), "no such file") {
			t.Errorf("error does not name the file and the cause:\n%s", out)
		}
	})

	t.Run("tail interrupted", func(t *testing.T) {
		cmd := exec.CommandContext(t.Context(), catBin, "-tail", "-format=json", name)
		var stdout, stderr syncBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The startup line is printed after the signal handler is installed;
		// the output of the three records is flushed when heka-cat waits.
		waitFor(t, "three records", func() bool { return strings.Count(stdout.String(), "\n") == 3 })
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("heka-cat -tail after SIGINT: %v\n%s", err, stderr.String())
		}
		if !strings.HasSuffix(stderr.String(), summary(3, 3)) {
			t.Errorf("stderr does not end with the summary:\n%s", stderr.String())
		}
	})
}

// TestInterruptWithoutTail checks that a cancelled plain read stops with
// the summary and exit status 130.
func TestInterruptWithoutTail(t *testing.T) {
	name, _ := writeRecords(t, frame(t, testMessage(1, "a", "l", 6), nil))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{name}, &stdout, &stderr)
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d", code, exitInterrupted)
	}
	if !strings.Contains(stderr.String(), summary(0, 0)+"heka-cat: interrupted\n") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}
