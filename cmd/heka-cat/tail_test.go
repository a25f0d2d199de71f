package main

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestTail follows a file while records are appended to it, one of them in
// two writes, and stops on cancel.
func TestTail(t *testing.T) {
	recs := fiveRecords(t)
	name, _ := writeRecords(t, recs[0])
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	appendBytes := func(b []byte) {
		t.Helper()
		if _, err := f.Write(b); err != nil {
			t.Fatal(err)
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"-tail", "-format", "json", name}, &stdout, &stderr) }()
	lines := func(n int) func() bool {
		return func() bool { return strings.Count(stdout.String(), "\n") == n }
	}

	waitFor(t, "the first record", lines(1))
	appendBytes(recs[1])
	waitFor(t, "an appended record", lines(2))
	half := len(recs[2]) / 2
	appendBytes(recs[2][:half])
	appendBytes(recs[2][half:])
	appendBytes(recs[3])
	waitFor(t, "records appended in pieces", lines(4))

	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("exit %d, want %d", code, exitOK)
	}
	out := stdout.String()
	for i, p := range []string{"payload 0", "payload 1", "payload 2", "payload 3"} {
		if !strings.Contains(out, `"payload":"`+p+`"`) {
			t.Errorf("message %d missing:\n%s", i, out)
		}
	}
	errs := stderr.String()
	if strings.Contains(errs, "Corruption") {
		t.Errorf("a record written in two parts was taken for corruption:\n%s", errs)
	}
	if !strings.HasSuffix(errs, summary(4, 4)) {
		t.Errorf("stderr does not end with the summary:\n%s", errs)
	}
}

// TestTailCount checks Heka's rule that -format count never waits at the end
// of the file, -tail or not.
func TestTailCount(t *testing.T) {
	name, _ := writeRecords(t, fiveRecords(t)...)
	r := runCat(t, "-tail", "-format", "count", name)
	if r.code != exitOK || !strings.HasSuffix(r.stderr, summary(5, 5)) {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
}
