package statsd

import (
	"reflect"
	"sync"

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
	acc  *Accumulator
	refs int
}

// engineKey returns what identifies the engine env belongs to.
func engineKey(env *pipeline.Env) any {
	r := env.Reports()
	if r == nil || !reflect.TypeOf(r).Comparable() {
		return nil
	}
	return r
}

// acquire returns the accumulator of the StatAccumInput name in the
// engine of engine (see engineKey), making it if needed, and the function
// that releases it.
func acquire(engine any, name string) (*Accumulator, func()) {
	k := hubKey{engine, name}
	hub.mu.Lock()
	defer hub.mu.Unlock()
	e := hub.m[k]
	if e == nil {
		e = &hubEntry{acc: NewAccumulator()}
		hub.m[k] = e
	}
	e.refs++
	var once sync.Once
	return e.acc, func() {
		once.Do(func() {
			hub.mu.Lock()
			defer hub.mu.Unlock()
			if e.refs--; e.refs == 0 && hub.m[k] == e {
				delete(hub.m, k)
			}
		})
	}
}
