package engine

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// errStopped is returned by Inject once the router stopped.
var errStopped = errors.New("pipeline is shutting down")

// router is one goroutine that evaluates every filter's and output's
// matcher for each pack and hands each of them, in batches, the packs it
// selected, each with the delivery that follows the message until every
// target is done with it. It reads two queues:
//
//   - in: batches from inputs and decoders (input pool packs); a bounded
//     channel, so a busy router slows the inputs down;
//   - the inject queue: packs injected by filters and by the engine
//     (inject pool or extra packs). Appending to it never blocks (it is a
//     slice under a mutex, bounded by the number of inject packs in
//     existence), which is what keeps a filter that injects from
//     deadlocking with the router that is waiting for that filter to take
//     a batch. See docs/locks.md.
//
// At shutdown, once in is closed and drained, the router drains the
// filters (see drainStep), then closes the outputs' channels and returns.
type router struct {
	e  *Engine
	in chan *batch

	injMu    sync.Mutex
	injQ     []*pipeline.Pack
	injSpare []*pipeline.Pack
	injSig   chan struct{}
	closed   bool // under injMu: no more injections

	ctlMu      sync.Mutex
	ctl        []func()
	ctlPending atomic.Bool // ctl is not empty
	ctlSig     chan struct{}
	ctlClosed  bool // under ctlMu: the router has returned

	// Router goroutine only.
	targets []*sink
	pend    []*batch
	hits    []int // route's scratch: the targets that accept the message
	phase   drainPhase
	sample  int
	now     int64 // coarse clock for pack stamps, read once per batch
	counts  counts

	processed atomic.Int64
	blockedOn atomic.Pointer[sink] // the target the router waits for, if any
}

// drainPhase is where the router is in the shutdown sequence.
type drainPhase int

const (
	phaseRun          drainPhase = iota // routing; in is open
	phaseDrainFilters                   // in is drained; waiting for the filters to be idle
	phaseStopFilters                    // filters' Stop hooks are running
	phaseDone                           // filters closed; outputs closed; returning
)

func newRouter(e *Engine) *router {
	r := &router{
		e:      e,
		in:     make(chan *batch, e.chanSize),
		injSig: make(chan struct{}, 1),
		ctlSig: make(chan struct{}, 1),
	}
	r.targets = append(append(r.targets, e.filters...), e.outputs...)
	r.pend = make([]*batch, len(r.targets))
	for i := range r.pend {
		r.pend[i] = e.batches.get()
	}
	return r
}

// send hands b to the router, waiting while the router is busy (that is
// backpressure). On abort the packs are dropped and their records marked
// lost.
func (r *router) send(b *batch) {
	select {
	case r.in <- b:
	case <-r.e.abort:
		r.e.abandoned.Add(int64(r.e.abandonIn(b)))
	}
}

// inject queues ps for routing, all or none. It never blocks. It fails,
// recycling ps,
// once the router has stopped.
func (r *router) inject(ps ...*pipeline.Pack) error {
	r.injMu.Lock()
	if r.closed {
		r.injMu.Unlock()
		for _, p := range ps {
			p.Recycle()
		}
		return errStopped
	}
	r.injQ = append(r.injQ, ps...)
	r.injMu.Unlock()
	r.wake()
	return nil
}

// wake makes the router look at its queues and its shutdown state.
func (r *router) wake() {
	select {
	case r.injSig <- struct{}{}:
	default:
	}
}

// control runs f in the router goroutine, between batches. It never
// blocks. It reports false, and never runs f, once the router has
// returned.
func (r *router) control(f func()) bool {
	r.ctlMu.Lock()
	if r.ctlClosed {
		r.ctlMu.Unlock()
		return false
	}
	r.ctl = append(r.ctl, f)
	r.ctlPending.Store(true)
	r.ctlMu.Unlock()
	select {
	case r.ctlSig <- struct{}{}:
	default:
	}
	return true
}

// runControl runs the queued control functions.
func (r *router) runControl() {
	r.ctlMu.Lock()
	fs := r.ctl
	r.ctl = nil
	r.ctlPending.Store(false)
	r.ctlMu.Unlock()
	for _, f := range fs {
		f()
	}
}

// closeControl refuses control functions from now on and runs those
// still queued (the router is returning: they find it done).
func (r *router) closeControl() {
	r.phase = phaseDone
	r.ctlMu.Lock()
	r.ctlClosed = true
	r.ctlMu.Unlock()
	r.runControl()
}

// remove takes t out of the routing table and closes its channel, then
// routes p (if not nil): used when a plugin that may exit has exited. The
// packs pending for t are counted as lost.
func (r *router) remove(t *sink, p *pipeline.Pack) {
	ok := r.control(func() {
		for i, x := range r.targets {
			if x == t {
				r.discard(t, r.pend[i])
				r.targets = append(r.targets[:i], r.targets[i+1:]...)
				r.pend = append(r.pend[:i], r.pend[i+1:]...)
				close(t.ch)
				break
			}
		}
		if p != nil {
			r.now = unixNow()
			r.route(p, nil)
			r.flush()
		}
	})
	if !ok && p != nil {
		p.Recycle()
	}
}

// discard settles a batch that will not be handed to t as lost (counted
// as t's).
func (r *router) discard(t *sink, b *batch) {
	if t.kind == pipeline.KindFilter {
		r.e.filterBusy.Add(-int64(len(b.packs)))
	}
	r.e.settleOut(b, outLost, &t.counts)
}

func (r *router) run() {
	defer r.closeControl()
	in := r.in
	for {
		select {
		case b, ok := <-in:
			if !ok {
				in = nil
				r.phase = phaseDrainFilters
				break
			}
			if r.ctlPending.Load() {
				// What was asked before this batch was sent applies to
				// it: a filter added meanwhile gets it.
				r.runControl()
			}
			r.now = unixNow()
			// Counted first: route may hand a full batch on, and what
			// the sinks then report must not run ahead of this figure.
			r.processed.Add(int64(len(b.packs)))
			for i, p := range b.packs {
				r.route(p, b.org[i])
			}
			r.e.batches.put(b)
			r.flush()
		case <-r.injSig:
			r.routeInjected()
		case <-r.ctlSig:
			r.runControl()
		case <-r.e.abort:
			r.injMu.Lock()
			r.closed = true
			q := r.injQ
			r.injQ = nil
			r.injMu.Unlock()
			for _, p := range q {
				p.Recycle()
			}
			r.e.abandoned.Add(int64(len(q)))
			r.finish(outLost)
			return
		}
		for in == nil {
			ph := r.phase
			if r.drainStep() {
				return
			}
			if r.phase == ph {
				break
			}
		}
	}
}

// drainStep moves the shutdown on once in is drained, and reports whether
// the router is done. Filters are drained in two rounds, each ending when
// the pipeline is quiet (no filter holds or is about to get a message, and
// nothing is waiting to be injected): the first lets the filters process
// everything the inputs read and everything that injects; then every
// filter's Stop hook runs (its injections are routed like any other); the
// second round lets those be processed. Only then are the filters' channels
// closed, so no message that a filter's matcher took is lost, and the
// outputs' channels after them.
func (r *router) drainStep() bool {
	switch r.phase {
	case phaseDrainFilters:
		if !r.quiet() {
			return false
		}
		r.phase = phaseStopFilters
		n := 0
		for _, t := range r.targets {
			if t.kind == pipeline.KindFilter {
				t.requestStop()
				n++
			}
		}
		r.e.filterStops.Add(int64(n))
		return false
	case phaseStopFilters:
		if r.e.filterStops.Load() > 0 || !r.quiet() {
			return false
		}
		kept, keptPend := r.targets[:0], r.pend[:0]
		for i, t := range r.targets {
			if t.kind == pipeline.KindFilter {
				r.e.batches.put(r.pend[i]) // empty: the pipeline is quiet
				close(t.ch)
				continue
			}
			kept, keptPend = append(kept, t), append(keptPend, r.pend[i])
		}
		r.targets, r.pend = kept, keptPend
		r.phase = phaseDone
		r.injMu.Lock()
		r.closed = true
		r.injMu.Unlock()
		r.routeInjected()
		r.finish(outDelivered)
		return true
	}
	return false
}

// quiet reports whether no filter holds, or is about to be given, a
// message, and nothing waits to be injected. filterBusy is read first: a
// filter's injections are queued before its busy count drops, so a count
// of zero means every injection made so far is already in the queue. A
// buffered filter has messages to process while its disk queue holds any;
// its reader counts a record off only after the record's injections are
// queued, so its backlog too is read before the inject queue.
func (r *router) quiet() bool {
	if r.e.filterBusy.Load() != 0 {
		return false
	}
	for i, b := range r.pend {
		if len(b.packs) != 0 {
			return false
		}
		if t := r.targets[i]; t.buffered && t.filter != nil && !t.readerGone.Load() && t.backlog.Load() > 0 {
			return false
		}
	}
	r.injMu.Lock()
	n := len(r.injQ)
	r.injMu.Unlock()
	if n != 0 {
		r.wake()
		return false
	}
	return true
}

// routeInjected routes everything in the inject queue.
func (r *router) routeInjected() {
	r.injMu.Lock()
	q := r.injQ
	r.injQ = r.injSpare[:0]
	r.injMu.Unlock()
	r.now = unixNow()
	r.processed.Add(int64(len(q)))
	for _, p := range q {
		r.route(p, nil)
	}
	clear(q)
	r.injSpare = q
	r.flush()
}

// finish hands every remaining target its last batch and closes its
// channel. Under abort the batches are settled as lost instead.
func (r *router) finish(o outcome) {
	for i, t := range r.targets {
		if o == outLost {
			r.discard(t, r.pend[i])
		} else {
			r.flushTo(t, r.pend[i])
		}
		close(t.ch)
	}
	r.targets, r.pend = nil, nil
}

// route appends p to the pending batch of every target that accepts it,
// with one delivery that all of them share. A message no target accepts
// is counted as unmatched and its record acknowledged.
func (r *router) route(p *pipeline.Pack, org *origin) {
	timed := false
	if r.sample++; r.sample >= r.e.g.SampleDenominator {
		r.sample, timed = 0, true
	}
	hits := r.hits[:0]
	for i, t := range r.targets {
		var ok bool
		if timed {
			ok = t.matchTimed(p)
		} else {
			ok = t.accepts(p)
		}
		if ok {
			hits = append(hits, i)
		}
	}
	r.hits = hits
	r.e.received.Add(1)
	k := len(hits)
	if k == 0 {
		r.e.unmatched.Add(1)
		p.Recycle()
		if org != nil {
			org.done(false)
		}
		return
	}
	// Nothing is handed on before the loop below, so the counts are set
	// before any target can see the pack.
	d := r.e.deliveries.track(k, org)
	if k > 1 {
		p.Retain(k - 1)
	}
	p.Stamp(&r.targets[hits[k-1]].name, r.now)
	full := false
	for _, i := range hits {
		b := r.pend[i]
		b.addOut(p, d)
		full = full || len(b.packs) >= r.e.batchSize
	}
	if full {
		for i, t := range r.targets {
			if len(r.pend[i].packs) >= r.e.batchSize {
				r.flushTo(t, r.pend[i])
				r.pend[i] = r.e.batches.get()
			}
		}
	}
}

// flush sends every non-empty pending batch.
func (r *router) flush() {
	for i, t := range r.targets {
		if b := r.pend[i]; len(b.packs) > 0 {
			r.flushTo(t, b)
			r.pend[i] = r.e.batches.get()
		}
	}
}

// flushTo sends b to t, blocking while t's channel is full (backpressure),
// until the drain time is up. It takes b over in every case (an empty b is
// given back to the batch pool).
func (r *router) flushTo(t *sink, b *batch) {
	n := len(b.packs)
	if n == 0 {
		r.e.batches.put(b)
		return
	}
	if t.kind == pipeline.KindFilter {
		r.e.filterBusy.Add(int64(n))
	}
	t.queued.Add(int64(n))
	select {
	case t.ch <- b:
		return
	default:
	}
	r.blockedOn.Store(t)
	select {
	case t.ch <- b:
	case <-r.e.abort:
		t.queued.Add(-int64(n))
		r.discard(t, b)
	}
	r.blockedOn.Store(nil)
}

// matchTimed is accepts, timed for the report's MatchAvgDuration.
func (t *sink) matchTimed(p *pipeline.Pack) bool {
	start := time.Now()
	ok := t.accepts(p)
	t.matchNs.Add(int64(time.Since(start)))
	t.matchSamples.Add(1)
	return ok
}
