package statsd

import (
	"sync"
	"time"
)

// limiter lets a log line through at most once every period and counts
// the events it held back in between.
type limiter struct {
	every time.Duration

	mu      sync.Mutex
	last    time.Time
	held    int
	started bool
}

// allow records n events at now and reports whether to log one of them,
// with how many events were held back since the last one logged.
func (l *limiter) allow(now time.Time, n int) (held int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started && now.Sub(l.last) < l.every {
		l.held += n
		return 0, false
	}
	held, l.held = l.held, n-1
	l.last, l.started = now, true
	return held, true
}
