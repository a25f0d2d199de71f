package engine

import (
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// TestRetrierMinimumWait checks that a zero delay (and no jitter) still
// waits at least minRetryWait per attempt, so that a failing plugin cannot
// busy-loop. Only a lower bound is asserted: a slow machine may wait longer.
func TestRetrierMinimumWait(t *testing.T) {
	tests := []struct {
		name string
		opts pipeline.RetryOptions
	}{
		{"zero delay", pipeline.RetryOptions{MaxRetries: -1}},
		{"zero delay and max_delay", pipeline.RetryOptions{Delay: 0, MaxDelay: 0, MaxJitter: 0, MaxRetries: 5}},
		{"below the floor", pipeline.RetryOptions{Delay: pipeline.Duration(time.Microsecond), MaxDelay: pipeline.Duration(time.Microsecond), MaxRetries: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const attempts = 3
			rt := newRetrier(tc.opts)
			start := time.Now()
			for range attempts {
				if err := rt.wait(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			if got, want := time.Since(start), attempts*minRetryWait; got < want {
				t.Errorf("%d waits took %v, want at least %v", attempts, got, want)
			}
			if rt.attempts() != attempts {
				t.Errorf("attempts = %d, want %d", rt.attempts(), attempts)
			}
		})
	}
}
