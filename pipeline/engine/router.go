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
// selected. It reads two queues:
//
//   - in: batches from inputs and decoders (input pool packs); a bounded
//     channel, so a busy router slows the inputs down;
//   - the inject queue: packs injected by filters and by the engine
//     (inject pool or extra packs). Appending to it never blocks (it is a
//     slice under a mutex, bounded by the number of inject packs in
//     existence), which is what keeps a filter that injects from
//     deadlocking with the router that is waiting for that filter to take
//     a batch. See docs/locks.md.
type router struct {
	e  *Engine
	in chan *batch

	injMu    sync.Mutex
	injQ     []*pipeline.Pack
	injSpare []*pipeline.Pack
	injSig   chan struct{}
	closed   bool // under injMu: no more injections

	ctlMu  sync.Mutex
	ctl    []func()
	ctlSig chan struct{}

	// Router goroutine only.
	targets  []*sink
	pend     []*batch
	stopping bool
	sample   int
	now      int64 // coarse clock for pack stamps, read once per batch

	processed atomic.Int64
	blockedOn atomic.Pointer[sink] // the target the router waits for, if any
}

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
		r.pend[i] = getBatch()
	}
	return r
}

// send hands b to the router, waiting while the router is busy (that is
// backpressure). On abort the packs are dropped and counted.
func (r *router) send(b *batch) {
	select {
	case r.in <- b:
	case <-r.e.abort:
		r.e.lost.Add(int64(recycleAll(b)))
	}
}

// inject queues p for routing. It never blocks. It fails, recycling p,
// once the router has stopped.
func (r *router) inject(p *pipeline.Pack) error {
	r.injMu.Lock()
	if r.closed {
		r.injMu.Unlock()
		p.Recycle()
		return errStopped
	}
	r.injQ = append(r.injQ, p)
	r.injMu.Unlock()
	select {
	case r.injSig <- struct{}{}:
	default:
	}
	return nil
}

// control runs f in the router goroutine, between batches. It never
// blocks.
func (r *router) control(f func()) {
	r.ctlMu.Lock()
	r.ctl = append(r.ctl, f)
	r.ctlMu.Unlock()
	select {
	case r.ctlSig <- struct{}{}:
	default:
	}
}

// closeFilters removes every filter from the routing table and closes its
// channel, so that filters drain what they have and return.
func (r *router) closeFilters() {
	r.control(func() {
		kept := r.targets[:0]
		keptPend := r.pend[:0]
		for i, t := range r.targets {
			if t.kind == pipeline.KindFilter {
				r.flushTo(t, r.pend[i])
				close(t.ch)
				continue
			}
			kept = append(kept, t)
			keptPend = append(keptPend, r.pend[i])
		}
		r.targets, r.pend = kept, keptPend
	})
}

// stop makes the router finish: it routes what is left in both queues,
// refuses further injections, closes the outputs' channels and returns.
func (r *router) stop() { r.control(func() { r.stopping = true }) }

// remove takes t out of the routing table and closes its channel, then
// routes p (if not nil): used when a plugin that may exit has exited.
func (r *router) remove(t *sink, p *pipeline.Pack) {
	r.control(func() {
		for i, x := range r.targets {
			if x == t {
				recycleAll(r.pend[i])
				r.targets = append(r.targets[:i], r.targets[i+1:]...)
				r.pend = append(r.pend[:i], r.pend[i+1:]...)
				close(t.ch)
				break
			}
		}
		if p != nil {
			r.now = unixNow()
			r.route(p)
			r.flush()
		}
	})
}

func (r *router) run() {
	in := r.in
	for {
		select {
		case b, ok := <-in:
			if !ok {
				in = nil
				break
			}
			r.now = unixNow()
			for _, p := range b.packs {
				r.route(p)
			}
			r.processed.Add(int64(len(b.packs)))
			putBatch(b)
			r.flush()
		case <-r.injSig:
			r.routeInjected()
		case <-r.ctlSig:
			r.ctlMu.Lock()
			fs := r.ctl
			r.ctl = nil
			r.ctlMu.Unlock()
			for _, f := range fs {
				f()
			}
		case <-r.e.abort:
			r.injMu.Lock()
			r.closed = true
			q := r.injQ
			r.injQ = nil
			r.injMu.Unlock()
			for _, p := range q {
				p.Recycle()
			}
			r.e.lost.Add(int64(len(q)))
			r.finish()
			return
		}
		if r.stopping && (in == nil || r.e.aborting()) {
			r.injMu.Lock()
			r.closed = true
			r.injMu.Unlock()
			r.routeInjected()
			r.finish()
			return
		}
	}
}

// routeInjected routes everything in the inject queue.
func (r *router) routeInjected() {
	r.injMu.Lock()
	q := r.injQ
	r.injQ = r.injSpare[:0]
	r.injMu.Unlock()
	r.now = unixNow()
	for _, p := range q {
		r.route(p)
	}
	r.processed.Add(int64(len(q)))
	clear(q)
	r.injSpare = q
	r.flush()
}

// finish closes every remaining target's channel.
func (r *router) finish() {
	for i, t := range r.targets {
		r.flushTo(t, r.pend[i])
		close(t.ch)
	}
	r.targets, r.pend = nil, nil
}

// route appends p to the pending batch of every target that accepts it.
func (r *router) route(p *pipeline.Pack) {
	k := 0
	var last *sink
	full, timed := false, false
	if r.sample++; r.sample >= r.e.g.SampleDenominator {
		r.sample, timed = 0, true
	}
	for i, t := range r.targets {
		var ok bool
		if timed {
			ok = t.matchTimed(p)
		} else {
			ok = t.accepts(p)
		}
		if !ok {
			continue
		}
		b := r.pend[i]
		b.packs = append(b.packs, p)
		full = full || len(b.packs) >= r.e.batchSize
		k++
		last = t
	}
	if k == 0 {
		p.Recycle()
		return
	}
	if k > 1 {
		p.Retain(k - 1)
	}
	// From here on several goroutines may read the pack: make MsgBytes the
	// message's encoding now, once, while the router still owns it.
	p.EncodeMsgBytes()
	p.Stamp(&last.name, r.now)
	if full {
		for i, t := range r.targets {
			if len(r.pend[i].packs) >= r.e.batchSize {
				r.flushTo(t, r.pend[i])
				r.pend[i] = getBatch()
			}
		}
	}
}

// flush sends every non-empty pending batch.
func (r *router) flush() {
	for i, t := range r.targets {
		if b := r.pend[i]; len(b.packs) > 0 {
			r.flushTo(t, b)
			r.pend[i] = getBatch()
		}
	}
}

// flushTo sends b to t, blocking while t's channel is full (backpressure),
// until the drain time is up. It takes b over in every case (an empty b is
// given back to the batch pool).
func (r *router) flushTo(t *sink, b *batch) {
	n := len(b.packs)
	if n == 0 {
		putBatch(b)
		return
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
		r.e.lost.Add(int64(recycleAll(b)))
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
