package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// errMaxRetries is returned once a plugin used up its retries.
var errMaxRetries = errors.New("max retries exceeded")

// minRetryWait is the shortest wait between two attempts, whatever the
// retries options say. With `delay = "0s"` (and no jitter) Heka retried a
// failing plugin at once, forever: a dead output's reconnect loop, or an
// input that fails as soon as it starts, spun a core at 100% and flooded
// the log. 10 ms keeps such a loop to at most 100 attempts a second while
// adding nothing noticeable to a real back-off.
const minRetryWait = 10 * time.Millisecond

// retrier implements Heka's retry back-off: wait delay plus a random jitter
// in [0, max_jitter), doubling the delay up to max_delay after each attempt,
// giving up after max_retries attempts (-1 = never), starting over after a
// success (reset). Every wait lasts at least minRetryWait.
type retrier struct {
	opts  pipeline.RetryOptions
	cur   time.Duration
	times int
}

func newRetrier(o pipeline.RetryOptions) *retrier {
	return &retrier{opts: o, cur: o.Delay.Duration()}
}

// wait sleeps before the next attempt. It fails with errMaxRetries when the
// attempts are used up, or with ctx's error when ctx is done first.
func (r *retrier) wait(ctx context.Context) error {
	if r.opts.MaxRetries >= 0 && r.times >= r.opts.MaxRetries {
		return errMaxRetries
	}
	d := r.cur
	if j := r.opts.MaxJitter.Duration(); j > 0 {
		d += rand.N(j)
	}
	d = max(d, minRetryWait)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	r.times++
	r.cur *= 2
	if m := r.opts.MaxDelay.Duration(); r.cur > m {
		r.cur = m
	}
	return nil
}

// attempts returns how many retries were made since the last reset.
func (r *retrier) attempts() int { return r.times }

// reset starts over after a success.
func (r *retrier) reset() {
	if r.times != 0 || r.cur != r.opts.Delay.Duration() {
		r.times = 0
		r.cur = r.opts.Delay.Duration()
	}
}
