package statsd

import (
	"context"
	"fmt"
	"sync"
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
	flusher chan struct{} // closed once a StatAccumInput runs it
	once    sync.Once
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
		return &hubEntry{acc: NewAccumulator(), flusher: make(chan struct{})}
	})
	return &handle{hubEntry: v.(*hubEntry), name: name, release: release}
}

// flushes says that a StatAccumInput runs the accumulator.
func (h *handle) flushes() { h.once.Do(func() { close(h.flusher) }) }

// flushed reports whether a StatAccumInput runs the accumulator.
func (h *handle) flushed() bool {
	select {
	case <-h.flusher:
		return true
	default:
		return false
	}
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
	select {
	case <-h.flusher:
		return nil
	case <-ctx.Done():
		return nil
	case <-t.C:
		return h.errNoAccumulator()
	}
}
