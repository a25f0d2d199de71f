package pipeline

import (
	"context"
	"errors"
)

// Filters lets a plugin add filters to, and remove them from, the running
// pipeline: the SandboxManagerFilter's loaded sandboxes, and the hook live
// reload will use. A plugin gets it from Env.Filters; the engine gives it
// to every filter (WithFilters). A constructor may keep it but must not call it (the
// engine is not running yet).
//
// Neither call waits for the router: each checks and builds what it can at
// once, returns that error, and hands the rest to the router, which acts
// between two batches and logs what it could not do (the engine is
// shutting down, the name was taken meanwhile). A plugin must not wait for
// that from Process or Tick: the router may be waiting for that very
// plugin to take a batch. See docs/locks.md.
type Filters interface {
	// AddFilter builds the filter that config, a TOML document with one
	// filter section named name, describes (as a section of hekad's
	// configuration: type, message_matcher, ticker_interval, the plugin's
	// own keys...) and starts it with its own queue. The router routes to
	// it from its next batch on; it takes part in the shutdown (Stop hook,
	// drain) and in the reports like a configured filter.
	AddFilter(name string, config []byte) error
	// RemoveFilter stops routing to the filter name that AddFilter added;
	// the filter processes what was queued for it, its Stop hook runs, and
	// it is closed and forgotten (its figures stay in the totals).
	RemoveFilter(name string) error
	// Running reports whether the filter name that AddFilter added still
	// runs: false once it was removed or stopped on its own (a terminated
	// sandbox).
	Running(name string) bool
}

// ErrNoFilters is returned by the Filters of an Env that is not a
// filter's in a running engine (a plugin built by a unit test).
var ErrNoFilters = errors.New("no filter management: the plugin is not a filter run by an engine")

// WithFilters gives the Env the engine's filter management (Env.Filters).
func WithFilters(f Filters) EnvOption { return func(e *Env) { e.filters = f } }

// Filters returns the engine's filter management, or one whose calls fail
// with ErrNoFilters.
func (e *Env) Filters() Filters {
	if e.filters == nil {
		return noFilters{}
	}
	return e.filters
}

type noFilters struct{}

func (noFilters) AddFilter(string, []byte) error { return ErrNoFilters }
func (noFilters) RemoveFilter(string) error      { return ErrNoFilters }
func (noFilters) Running(string) bool            { return false }

// SlowTerminator is a filter that the engine may end for being slow, as
// Heka ends a manager-loaded sandbox: when the filter was added with
// AddFilter, its queue is full (it holds the router back), at least
// plugin_chansize-1 of its calls were timed, and either its average call
// took longer than the global max_process_duration or its matcher's
// average took longer than a fifth of it. The engine then calls Terminate
// instead of Process; it reports the termination the plugin's way (the
// sandboxes inject heka.sandbox-terminated with reason as the Payload and
// fields as its fields) and returns the error that ends the filter.
// Filters that do not implement it are never ended for being slow.
type SlowTerminator interface {
	Terminate(ctx context.Context, inj Injector, reason string, fields []ReportField) error
}
