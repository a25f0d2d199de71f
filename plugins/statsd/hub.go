package statsd

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// The accumulators of running plugins, by engine and StatAccumInput name:
// StatsdInputs and StatFilters add to the accumulator of the
// StatAccumInput they name (stat_accum_name), which flushes it. pipeline
// offers no way for one running plugin to reach another, so the plugins
// meet here, keyed by the engine they run in (the Env's Reports, one per
// engine) so that engines in one process (tests) stay apart. An entry
// lives while a plugin holds it; it is the only mutable state of the
// package. See docs/metrics.md for the pipeline change that would replace
// it.
var hub = struct {
	mu sync.Mutex
	m  map[hubKey]*hubEntry
}{m: map[hubKey]*hubEntry{}}

type hubKey struct {
	engine any
	name   string
}

type hubEntry struct {
	acc     *Accumulator
	refs    int
	flusher chan struct{} // closed once a StatAccumInput runs it
	once    sync.Once
}

// engineKey returns what identifies the engine env belongs to.
func engineKey(env *pipeline.Env) any {
	r := env.Reports()
	if r == nil || !reflect.TypeOf(r).Comparable() {
		return nil
	}
	return r
}

// handle is a plugin's hold on a hub entry.
type handle struct {
	*hubEntry
	name    string
	release func()
}

// acquire returns a hold on the accumulator of the StatAccumInput name in
// engine (see engineKey), making it if needed.
func acquire(engine any, name string) *handle {
	k := hubKey{engine, name}
	hub.mu.Lock()
	defer hub.mu.Unlock()
	e := hub.m[k]
	if e == nil {
		e = &hubEntry{acc: NewAccumulator(), flusher: make(chan struct{})}
		hub.m[k] = e
	}
	e.refs++
	var once sync.Once
	return &handle{hubEntry: e, name: name, release: func() {
		once.Do(func() {
			hub.mu.Lock()
			defer hub.mu.Unlock()
			if e.refs--; e.refs == 0 && hub.m[k] == e {
				delete(hub.m, k)
			}
		})
	}}
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
