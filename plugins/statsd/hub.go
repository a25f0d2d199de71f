package statsd

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// The accumulators of running plugins, by StatAccumInput name: StatsdInputs
// and StatFilters add to the accumulator of the StatAccumInput they name
// (stat_accum_name), which flushes it. They meet in the engine's
// pipeline.Shared (Env.Shared), so that plugins of different engines never
// share one.

type hubEntry struct {
	acc     *Accumulator
	running atomic.Bool  // a StatAccumInput flushes acc
	downAt  atomic.Int64 // when the last one stopped (Unix ns; 0: none ran yet)
	mu      sync.Mutex
	changed chan struct{} // closed and replaced when running changes (under mu)
}

// handle is a plugin's hold on a hub entry.
type handle struct {
	*hubEntry
	name    string
	release func()
}

// acquire returns a hold on the accumulator of the StatAccumInput name in
// shared, making it if needed.
func acquire(shared *pipeline.Shared, name string) *handle {
	v, release := shared.Acquire("statsd.accumulator/"+name, func() any {
		return &hubEntry{acc: NewAccumulator(), changed: make(chan struct{})}
	})
	return &handle{hubEntry: v.(*hubEntry), name: name, release: release}
}

// flushes says that a StatAccumInput runs the accumulator, until it calls
// the function returned.
func (h *handle) flushes() (stopped func()) {
	h.set(true)
	return func() { h.set(false) }
}

func (h *handle) set(running bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running.Store(running)
	if !running {
		h.downAt.Store(time.Now().UnixNano())
	}
	close(h.changed)
	h.changed = make(chan struct{})
}

// flushed reports whether a StatAccumInput runs the accumulator.
func (h *handle) flushed() bool { return h.running.Load() }

// down returns when the last StatAccumInput that ran the accumulator
// stopped (the zero time when none ran yet).
func (h *handle) down() time.Time {
	if ns := h.downAt.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// accumulatorWait is how long a StatsdInput or StatFilter waits for the
// StatAccumInput it names to run before it fails, as Heka's did when it
// found none.
const accumulatorWait = 5 * time.Second

// errNoAccumulator says that no StatAccumInput of that name ran in time.
func (h *handle) errNoAccumulator() error {
	return fmt.Errorf("stat_accum_name: no StatAccumInput section named %q is running", h.name)
}

// waitFlusher waits for a StatAccumInput to run the accumulator, at most
// d.
func (h *handle) waitFlusher(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		h.mu.Lock()
		running, changed := h.running.Load(), h.changed
		h.mu.Unlock()
		if running {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil
		case <-t.C:
			return h.errNoAccumulator()
		}
	}
}
