package plugintest

import (
	"runtime"
	"testing"
	"time"
)

// pollEvery is how often Eventually and CheckGoroutines poll.
const pollEvery = 2 * time.Millisecond

// Eventually polls cond until it holds, failing the test with what after
// timeout. It is for conditions outside the test's control (a file being
// written, a socket being closed); prefer channels when there is one.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !poll(timeout, cond) {
		t.Fatalf("timed out after %v waiting for %s", timeout, what)
	}
}

// poll reports whether cond held before timeout.
func poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}

// CheckGoroutines records the number of goroutines now and, when the test
// ends, waits up to five seconds for it to come back down, failing the test
// with a dump of every goroutine if it does not. Call it first in a test
// (cleanups run last-in first-out, so its check runs after the test's own
// cleanups) and do not use it in parallel tests.
func CheckGoroutines(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		if poll(5*time.Second, func() bool { return runtime.NumGoroutine() <= before }) {
			return
		}
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("goroutines leaked: %d before the test, %d after\n%s", before, runtime.NumGoroutine(), buf)
	})
}
