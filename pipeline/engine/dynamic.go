package engine

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// errNotRunning is returned by AddFilter and RemoveFilter outside Run or
// once the shutdown has begun.
var errNotRunning = errors.New("engine: not running or shutting down")

// AddFilter builds filter f and adds it to the running pipeline with its
// own queue and matcher. Building happens now, in the caller's goroutine;
// the router adds the filter between two batches and routes to it from
// the next batch on. AddFilter never waits for the router: the returned
// channel receives nil once the filter is routed to, or the reason the
// router refused it (the shutdown began, the name was taken meanwhile).
// A plugin must not wait for that channel from Process or Tick. An added
// filter takes part in the shutdown (its Stop hook, the drain) and in the
// reports like a configured one.
func (e *Engine) AddFilter(f config.Filter) (<-chan error, error) {
	if !e.started.Load() || e.stopping.Load() {
		return nil, errNotRunning
	}
	fail := func(err error) error { return fmt.Errorf("[%s] (%s): %w", f.Name, sectionType(f.Section), err) }
	if e.nameTaken(f.Name) {
		return nil, fail(errors.New("duplicate plugin name"))
	}
	s, err := e.buildFilter(f)
	if err != nil {
		return nil, fail(err)
	}
	s.dynamic = true
	res := make(chan error, 1)
	e.sinksMu.Lock()
	e.adding = append(e.adding, s)
	e.sinksMu.Unlock()
	if !e.router.control(func() { e.router.addSink(s, res) }) {
		e.added(s)
		s.close()
		return nil, errNotRunning
	}
	return res, nil
}

// RemoveFilter takes the filter name out of the running pipeline: the
// router routes to it no more from its next batch on and hands it what it
// had pending; the filter processes everything queued for it, its Stop
// hook runs (timer_event_on_shutdown), it is closed, and it leaves the
// reports (its figures stay in the totals). RemoveFilter never waits: the
// returned channel receives nil once the filter has returned and is
// forgotten, or the reason the router did not remove it.
func (e *Engine) RemoveFilter(name string) (<-chan error, error) {
	if !e.started.Load() || e.stopping.Load() {
		return nil, errNotRunning
	}
	var s *sink
	for _, x := range e.filterList() {
		if x.name == name && !x.removing.Load() {
			s = x
		}
	}
	if s == nil {
		return nil, fmt.Errorf("no running filter named %q", name)
	}
	if !s.removing.CompareAndSwap(false, true) {
		return nil, fmt.Errorf("filter %q is already being removed", name)
	}
	res := make(chan error, 1)
	if !e.router.control(func() { e.router.removeSink(s, res) }) {
		return nil, errNotRunning
	}
	return res, nil
}

// nameTaken reports whether a plugin other than a filter being removed is
// named name.
func (e *Engine) nameTaken(name string) bool {
	for _, ir := range e.inputs {
		if ir.name == name {
			return true
		}
	}
	for _, s := range e.outputs {
		if s.name == name {
			return true
		}
	}
	e.sinksMu.Lock()
	defer e.sinksMu.Unlock()
	for _, s := range slices.Concat(e.adding, e.filters) {
		if s.name == name && !s.removing.Load() {
			return true
		}
	}
	return false
}

// added forgets s as being added (the router admitted or refused it).
func (e *Engine) added(s *sink) {
	e.sinksMu.Lock()
	defer e.sinksMu.Unlock()
	if i := slices.Index(e.adding, s); i >= 0 {
		e.adding = slices.Delete(e.adding, i, i+1)
	}
}

// filterList returns the running filters.
func (e *Engine) filterList() []*sink {
	e.sinksMu.Lock()
	defer e.sinksMu.Unlock()
	return slices.Clone(e.filters)
}

// sinks returns the running filters and the outputs.
func (e *Engine) sinks() []*sink {
	e.sinksMu.Lock()
	defer e.sinksMu.Unlock()
	return append(slices.Clone(e.filters), e.outputs...)
}

// retire forgets the filter s, which has returned for good, keeping its
// figures in the totals. Nothing counts at s any more: its channel is
// closed and drained.
func (e *Engine) retire(s *sink) {
	e.sinksMu.Lock()
	defer e.sinksMu.Unlock()
	i := slices.Index(e.filters, s)
	if i < 0 {
		return
	}
	e.filters = slices.Delete(e.filters, i, i+1)
	for o := range e.retired.by {
		e.retired.by[o].Add(s.counts.by[o].Load())
		e.retired.at[o].Add(s.counts.at[o].Load())
	}
}

// addSink (router goroutine) starts the added filter s and routes to it
// from now on, unless the shutdown began or its name was taken meanwhile.
func (r *router) addSink(s *sink, res chan<- error) {
	err := r.admit(s)
	if err != nil {
		r.e.added(s)
		s.close()
		s.log.Error("filter not added", "err", err)
	}
	res <- err
}

func (r *router) admit(s *sink) error {
	if r.phase != phaseRun {
		return errNotRunning
	}
	for _, t := range r.targets {
		if t.name == s.name {
			return fmt.Errorf("[%s]: duplicate plugin name", s.name)
		}
	}
	e := r.e
	e.sinksMu.Lock()
	e.filters = append(e.filters, s)
	if i := slices.Index(e.adding, s); i >= 0 {
		e.adding = slices.Delete(e.adding, i, i+1)
	}
	e.sinksMu.Unlock()
	if !e.grp.Go(&e.filtersWG, s.run) {
		e.retire(s)
		return errNotRunning
	}
	r.targets = append(r.targets, s)
	r.pend = append(r.pend, e.batches.get())
	s.log.Info("filter started")
	return nil
}

// removeSink (router goroutine) stops routing to s, hands it what was
// pending for it and closes its channel. s stays counted in filterBusy
// until it has run its Stop hook (sink.run), so that a shutdown that
// begins meanwhile waits for what that hook injects.
func (r *router) removeSink(s *sink, res chan<- error) {
	i := slices.Index(r.targets, s)
	switch {
	case r.phase != phaseRun && r.phase != phaseDrainFilters:
		// The shutdown stops it anyway.
		res <- errNotRunning
		return
	case i < 0:
		// It exited on its own (can_exit) and is already gone.
		res <- fmt.Errorf("filter %q is not running", s.name)
		return
	}
	b := r.pend[i]
	r.targets = slices.Delete(r.targets, i, i+1)
	r.pend = slices.Delete(r.pend, i, i+1)
	r.e.filterBusy.Add(1)
	s.unrouted = true
	s.removed = res
	r.flushTo(s, b)
	close(s.ch)
	s.log.Info("filter removed: draining")
}

// endDynamic ends the run of a filter added or removed at run time (the
// sink's goroutine, after its loop): a removed filter's Stop hook ran, so
// it counts busy no more; an added one, or a removed one, is forgotten.
func (s *sink) endDynamic() {
	if s.unrouted {
		s.e.filterBusy.Add(-1)
		s.e.router.wake()
	}
	if s.dynamic || s.unrouted {
		s.e.retire(s)
	}
	if s.removed != nil {
		s.removed <- nil
	}
}

// filterHost is the engine's pipeline.Filters, given to every filter.
type filterHost struct{ e *Engine }

// AddFilter implements pipeline.Filters: config is loaded as a
// configuration file that holds one filter section, named name.
func (h filterHost) AddFilter(name string, cfg []byte) error {
	plan, err := config.LoadBytes(name+".toml", cfg)
	if err != nil {
		return err
	}
	if len(plan.Filters) != 1 || plan.Filters[0].Name != name {
		return fmt.Errorf("%s.toml: want exactly one filter section, [%s]", name, name)
	}
	var extra []string
	for _, in := range plan.Inputs {
		extra = append(extra, in.Name)
	}
	for _, o := range plan.Outputs {
		extra = append(extra, o.Name)
	}
	for _, d := range append(append([]config.Section(nil), plan.Decoders...), plan.Encoders...) {
		if d.Source != "" {
			extra = append(extra, d.Name)
		}
	}
	for _, sp := range plan.Splitters {
		if sp.Source != "" {
			extra = append(extra, sp.Name)
		}
	}
	if len(extra) > 0 {
		return fmt.Errorf("%s.toml: only the filter section is allowed, not [%s]", name, strings.Join(extra, "], ["))
	}
	_, err = h.e.AddFilter(plan.Filters[0])
	return err
}

// RemoveFilter implements pipeline.Filters: only filters added at run
// time may be removed.
func (h filterHost) RemoveFilter(name string) error {
	for _, s := range h.e.filterList() {
		if s.name == name && !s.dynamic {
			return fmt.Errorf("filter %q was not added at run time", name)
		}
	}
	_, err := h.e.RemoveFilter(name)
	return err
}

// Running implements pipeline.Filters: a filter added at run time that
// has not been removed and has not stopped on its own.
func (h filterHost) Running(name string) bool {
	e := h.e
	e.sinksMu.Lock()
	defer e.sinksMu.Unlock()
	for _, s := range slices.Concat(e.adding, e.filters) {
		if s.name == name && s.dynamic && !s.removing.Load() {
			return true
		}
	}
	return false
}

var _ pipeline.Filters = filterHost{}
