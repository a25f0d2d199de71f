package engine

import "github.com/hekad-go/hekad/pipeline"

// Stats are the engine's message figures (pipeline.Totals: the field
// docs and the equation they satisfy are there).
type Stats = pipeline.Totals

// Stats returns the engine's current figures. It is safe to call at any
// time from any goroutine.
func (e *Engine) Stats() Stats {
	var by [numOutcomes]int64
	add := func(c *counts) {
		for i := range by {
			by[i] += c.by[i].Load()
		}
	}
	// Read the outcome counters before Received, so that InFlight is never
	// negative.
	if e.router != nil {
		add(&e.router.counts)
	}
	e.sinksMu.Lock()
	add(&e.retired)
	for _, s := range e.filters {
		add(&s.counts)
	}
	e.sinksMu.Unlock()
	for _, s := range e.outputs {
		add(&s.counts)
	}
	st := Stats{
		Unmatched: e.unmatched.Load(),
		Delivered: by[outDelivered],
		Queued:    by[outQueued],
		Dropped:   by[outDropped],
		Lost:      by[outLost],
		Abandoned: e.abandoned.Load(),
	}
	for _, s := range e.outputs {
		if q := s.queue.Load(); q != nil {
			st.Buffered += q.Stats().Pending
		}
	}
	for _, ir := range e.inputs {
		st.Undecoded += ir.undecoded.Load()
	}
	st.Received = e.received.Load()
	st.InFlight = st.Received - st.Delivered - st.Queued - st.Dropped - st.Unmatched - st.Lost
	return st
}
