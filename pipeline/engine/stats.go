package engine

// Stats are the engine's message figures. Every message the router
// received is, at any time, in exactly one of: delivered, queued, dropped,
// unmatched, lost, or still in flight:
//
//	Received = Delivered + Queued + Dropped + Unmatched + Lost + InFlight
//
// A message's figure is decided once every filter and output that took it
// is done with it, by the worst of their outcomes (lost, then dropped,
// then queued, then delivered).
type Stats struct {
	// Received is how many messages the router routed: decoded input
	// records and injected messages.
	Received int64
	// Delivered messages were processed by every filter that took them and
	// made durable by every output that took them.
	Delivered int64
	// Queued messages were written to a disk queue (use_buffering) by at
	// least one output or filter; the queue delivers them, now or after a
	// restart.
	Queued int64
	// Dropped messages were dropped by a rule: a Drop error, an encoder
	// that skipped them, a full disk queue with full_action "drop".
	Dropped int64
	// Unmatched messages were taken by no matcher.
	Unmatched int64
	// Lost messages were not done with: a plugin failed with them, or
	// shutdown gave up waiting.
	Lost int64
	// InFlight messages are still on their way.
	InFlight int64
	// Buffered is how many records the disk queues of buffered outputs
	// hold, waiting for their output (not part of the equation: a record
	// there was counted as Queued when it was written).
	Buffered int64
	// Abandoned counts records that inputs read but that were never
	// routed because shutdown gave up waiting (not part of Received).
	Abandoned int64
}

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
	for _, s := range e.filters {
		add(&s.counts)
	}
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
	st.Received = e.received.Load()
	st.InFlight = st.Received - st.Delivered - st.Queued - st.Dropped - st.Unmatched - st.Lost
	return st
}
