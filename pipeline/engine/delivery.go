package engine

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/hekad-go/hekad/pipeline"
)

// outcome is what became of one message at one target, and of the message
// as a whole: the worst of its targets' outcomes.
type outcome int32

const (
	outDelivered outcome = iota // processed by the filter, durable at the output
	outQueued                   // written to the target's disk queue
	outDropped                  // dropped by a rule (Drop error, encoder skip, full_action drop)
	outLost                     // not done: the plugin failed, or hekad gave up at shutdown
	numOutcomes
)

// errLost is what an input's Ack receives for a record one of whose
// messages was lost.
var errLost = errors.New("message lost: a plugin failed or hekad stopped before it was done")

// counts are message counters kept by one goroutine's side of the
// pipeline (a sink, the router), added up for reports: separate counters
// keep the goroutines off each other's cache lines.
//
// by counts whole messages, by their final outcome, at the target that
// finished them (the last one done); at counts this target's own outcome
// for every message it took (the per-plugin figures of the report).
type counts struct {
	by [numOutcomes]atomic.Int64
	at [numOutcomes]atomic.Int64
	_  [64]byte // padding: the next goroutine's counts start on another cache line
}

// delivery follows one routed message until every target that took it is
// done with it. It lives apart from the pack: the pack goes back to its
// pool as soon as the last plugin call on it returns, while an output that
// acknowledges later (a pipeline.DelayedAcker) holds only the delivery.
//
// A message with one target needs no shared count: the target's outcome is
// the message's. It gets no pooled delivery: nil when its input wants no
// acknowledgement (the target only counts the outcome), or the delivery
// embedded in its record's origin (own set), which passes the outcome
// straight to the origin. That keeps the common case (one output) free of
// the pool and of the delivery's atomics: about 80 ns per message in
// BenchmarkEngineOverhead/1output.
type delivery struct {
	pending atomic.Int32 // targets not done yet
	worst   atomic.Int32 // the worst outcome so far
	org     *origin      // the input record it came from, when its input wants acks
	own     *origin      // set only in an origin's embedded delivery: that origin
}

// deliveries hands out delivery trackers, reused.
type deliveries struct{ pool sync.Pool }

// track returns the delivery of a message routed to k ≥ 1 targets, from
// the record org (nil when its input wants no acknowledgement). The same
// delivery goes to all k targets.
func (ds *deliveries) track(k int, org *origin) *delivery {
	if k == 1 {
		if org == nil {
			return nil
		}
		return &org.dl
	}
	d, _ := ds.pool.Get().(*delivery)
	if d == nil {
		d = new(delivery)
	}
	d.pending.Store(int32(k))
	d.worst.Store(int32(outDelivered))
	d.org = org
	return d
}

// done records that one target is done with the message, with outcome o,
// and finishes the message when it was the last; c, the target's counts,
// receives the target's outcome and, for the last, the message's count.
func (ds *deliveries) done(d *delivery, o outcome, c *counts) {
	c.at[o].Add(1)
	if d == nil {
		c.by[o].Add(1)
		return
	}
	if org := d.own; org != nil {
		c.by[o].Add(1)
		org.done(o == outLost)
		return
	}
	if o != outDelivered {
		for {
			w := d.worst.Load()
			if int32(o) <= w || d.worst.CompareAndSwap(w, int32(o)) {
				break
			}
		}
	}
	if d.pending.Add(-1) != 0 {
		return
	}
	w := outcome(d.worst.Load())
	c.by[w].Add(1)
	if org := d.org; org != nil {
		d.org = nil
		org.done(w == outLost)
	}
	ds.pool.Put(d)
}

// origin follows one record an input delivered, for its Ack or its
// stream's Commit, until every message it became is done.
type origin struct {
	dl      delivery     // the delivery of a message of the record that has one target (dl.own is the origin)
	pending atomic.Int32 // messages (or, before decoding, the record) not done
	lost    atomic.Bool
	ack     pipeline.Ack
	sc      *streamCommit
	end     int64 // the source offset just past the record (Commit)
	settled bool  // under sc.mu: done, waiting for the records before it
}

func newOrigin(ack pipeline.Ack, sc *streamCommit, end int64) *origin {
	o := &origin{}
	o.init(ack, sc, end)
	return o
}

func (o *origin) init(ack pipeline.Ack, sc *streamCommit, end int64) {
	o.ack, o.sc, o.end = ack, sc, end
	o.dl.own = o
	o.pending.Store(1)
}

// originSlabSize is how many origins an originSlab allocates at once.
const originSlabSize = 64

// originSlab hands out origins allocated in blocks of originSlabSize, one
// allocation per block instead of one per record (an input that wants
// acknowledgements has an origin per record). Origins are never reused: a
// block is freed by the garbage collector once none of its origins is
// referenced. Not safe for concurrent use.
type originSlab struct{ free []origin }

func (s *originSlab) get(ack pipeline.Ack, sc *streamCommit, end int64) *origin {
	if len(s.free) == 0 {
		s.free = make([]origin, originSlabSize)
	}
	o := &s.free[0]
	s.free = s.free[1:]
	o.init(ack, sc, end)
	return o
}

// add counts n more messages made from the record (a decoder's extra
// output).
func (o *origin) add(n int) { o.pending.Add(int32(n)) }

// done records that one message of the record is done; lost says it was
// lost. The last one acknowledges the record.
func (o *origin) done(lost bool) {
	if lost {
		o.lost.Store(true)
	}
	if o.pending.Add(-1) != 0 {
		return
	}
	if o.ack != nil {
		var err error
		if o.lost.Load() {
			err = errLost
		}
		o.ack(err)
	}
	if o.sc != nil {
		o.sc.settle(o)
	}
}

// streamCommit turns the out-of-order completion of a stream's records
// into in-order Commit calls: the offset past the longest prefix of
// records all done, none lost.
type streamCommit struct {
	mu      sync.Mutex
	commit  func(offset int64)
	queue   []*origin // records not committed yet, in stream order
	stopped bool      // a record was lost: nothing past it is committed
}

// track adds the next record of the stream.
func (sc *streamCommit) track(o *origin) {
	sc.mu.Lock()
	sc.queue = append(sc.queue, o)
	sc.mu.Unlock()
}

// settle marks o done and commits the prefix that is now complete.
func (sc *streamCommit) settle(o *origin) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	o.settled = true
	if sc.stopped {
		return
	}
	n := 0
	for n < len(sc.queue) && sc.queue[n].settled {
		if sc.queue[n].lost.Load() {
			sc.stopped = true
			break
		}
		n++
	}
	if n == 0 {
		return
	}
	end := sc.queue[n-1].end
	clear(sc.queue[:n])
	sc.queue = sc.queue[n:]
	sc.commit(end)
}
