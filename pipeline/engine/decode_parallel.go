package engine

import (
	"github.com/hekad-go/hekad/pipeline"
)

// startParallel runs n decoder instances for one stream (decoder_workers):
// a dispatcher deals the stream's batches to the workers in turn, each
// worker decodes its batch into exactly one result batch, and a sequencer
// takes the results in the same turn order, so the router sees the
// messages in the order the stream had them.
func (ir *inputRunner) startParallel(d *deliverer, n int) error {
	e := ir.e
	// Keep what the stream can park about where one decoder would have it:
	// the deliverer's channel shrinks to one batch and the rest is shared
	// between the workers' input and result channels.
	per := max(1, cap(d.ch)/(2*n))
	d.ch = make(chan *batch, 1)
	ins := make([]chan *batch, n)
	outs := make([]chan *batch, n)
	workers := make([]*deliverer, n)
	for i := range n {
		dec := d.dec
		if i > 0 {
			v, err := ir.decoder.build()
			if err != nil {
				return err
			}
			dec = v.(pipeline.Decoder)
		}
		ins[i] = make(chan *batch, per)
		outs[i] = make(chan *batch, per)
		workers[i] = &deliverer{ir: ir}
		workers[i].setDecoder(dec)
	}
	// Start the workers and the sequencer before the dispatcher; if
	// shutdown refuses one of them, close what was made so that every
	// goroutine already started ends.
	started := 0
	for i, w := range workers {
		if !e.grp.Go(&e.decodersWG, func() { w.decodeEach(ins[i], outs[i]) }) {
			break
		}
		started++
	}
	if started < n || !e.grp.Go(&e.decodersWG, func() { sequence(e, outs) }) {
		for _, c := range ins {
			close(c) // started workers close their outs in turn
		}
		for _, c := range outs[started:] {
			close(c)
		}
		return errStopped
	}
	if !e.grp.Go(&e.decodersWG, func() { dispatch(d.ch, ins) }) {
		for _, c := range ins {
			close(c)
		}
		return errStopped
	}
	return nil
}

// dispatch deals batches from in to the workers in turn and closes them
// all when in is closed.
func dispatch(in <-chan *batch, ins []chan *batch) {
	i := 0
	for b := range in {
		ins[i] <- b
		i = (i + 1) % len(ins)
	}
	for _, c := range ins {
		close(c)
	}
}

// decodeEach decodes every batch of in into one result batch sent to out
// (empty when everything was dropped), then closes out.
func (d *deliverer) decodeEach(in <-chan *batch, out chan<- *batch) {
	e := d.ir.e
	for b := range in {
		d.ir.decQueued.Add(-int64(len(b.packs)))
		res := getBatch()
		if e.aborting() {
			e.lost.Add(int64(recycleAll(b)))
		} else {
			for _, p := range b.packs {
				d.decode(p, res)
			}
		}
		putBatch(b)
		out <- res
	}
	close(out)
}

// sequence forwards the workers' results to the router in turn order; the
// first closed channel in that order means the stream has ended.
func sequence(e *Engine, outs []chan *batch) {
	for i := 0; ; i = (i + 1) % len(outs) {
		b, ok := <-outs[i]
		if !ok {
			for _, c := range outs { // drain the rest (normally nothing)
				for b := range c {
					e.sendOrRecycle(b)
				}
			}
			return
		}
		e.sendOrRecycle(b)
	}
}

// sendOrRecycle routes a non-empty batch and returns an empty one.
func (e *Engine) sendOrRecycle(b *batch) {
	if len(b.packs) == 0 {
		putBatch(b)
		return
	}
	e.router.send(b)
}
