package engine

// startParallel runs n decoder instances for one stream (decoder_workers):
// a dispatcher deals the stream's batches to the workers in turn, each
// worker decodes its batch into exactly one result batch, and a sequencer
// takes the results in the same turn order, so the router sees the
// messages in the order the stream had them.
func (ir *inputRunner) startParallel(d *deliverer, first *decodeWorker, n int) error {
	e := ir.e
	// Keep what the stream can park about where one decoder would have it:
	// the deliverer's channel shrinks to one batch and the rest is shared
	// between the workers' input and result channels.
	per := max(1, cap(d.ch)/(2*n))
	d.ch = make(chan *batch, 1)
	ins := make([]chan *batch, n)
	outs := make([]chan *batch, n)
	workers := make([]*decodeWorker, n)
	for i := range n {
		w := first
		if i > 0 {
			var err error
			if w, err = ir.newDecodeWorker(); err != nil {
				for _, w := range workers[:i] {
					w.release()
				}
				return err
			}
		}
		ins[i] = make(chan *batch, per)
		outs[i] = make(chan *batch, per)
		workers[i] = w
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
		for _, w := range workers[started:] {
			w.release()
		}
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
func (w *decodeWorker) decodeEach(in <-chan *batch, out chan<- *batch) {
	defer w.release()
	for b := range in {
		out <- w.decodeBatch(b)
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
		e.batches.put(b)
		return
	}
	e.router.send(b)
}
