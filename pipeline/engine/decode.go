package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// maxDecodeError is the most bytes of a decode error kept in the
// decode_error field (Heka: 500).
const maxDecodeError = 500

// deliverer is the front of one stream (or of an input's Deliver calls):
// it collects the stream's packs into batches and hands each batch on,
// through the input's decoder in the same goroutine (synchronous_decode),
// to a decoder goroutine (the default; see decodeWorker and
// startParallel), or straight to the router when the input has no
// decoder. flush hands over the current batch.
type deliverer struct {
	ir    *inputRunner
	dec   *decodeWorker // synchronous decoder, or nil
	async bool
	ch    chan *batch // to the decoder goroutine(s)
	out   *batch      // pending batch
}

// decodeWorker runs one decoder instance over batches of packs.
type decodeWorker struct {
	ir     *inputRunner
	dec    pipeline.Decoder
	res    []*pipeline.Pack
	early  bool // may hand results on before the batch is done (not under decoder_workers, which keeps one result batch per batch)
	sample int  // decodes since the last timed one (sample_denominator)
}

func (ir *inputRunner) newDeliverer() (*deliverer, error) {
	e := ir.e
	d := &deliverer{ir: ir, out: e.batches.get()}
	if ir.decoder == nil {
		return d, nil
	}
	w, err := ir.newDecodeWorker()
	if err != nil {
		e.batches.put(d.out)
		return nil, err
	}
	if ir.common.SynchronousDecode {
		d.dec = w
		return d, nil
	}
	d.async = true
	// Bound what one stream can park in front of its decoder to about half
	// of the pool, so that a decoder that spawns packs can still get some.
	d.ch = make(chan *batch, max(1, min(e.chanSize, e.g.PoolSize/(2*e.batchSize))))
	if n := ir.common.DecoderWorkers; n > 1 {
		if err := ir.startParallel(d, w, n); err != nil {
			e.batches.put(d.out)
			return nil, err
		}
		return d, nil
	}
	if !e.grp.Go(&e.decodersWG, func() { w.run(d.ch) }) {
		w.release()
		e.batches.put(d.out)
		return nil, errStopped
	}
	return d, nil
}

func (ir *inputRunner) newDecodeWorker() (*decodeWorker, error) {
	v, err := ir.decoder.build()
	if err != nil {
		return nil, err
	}
	w := &decodeWorker{ir: ir, dec: v.(pipeline.Decoder)}
	ir.register(w)
	return w, nil
}

// add takes a filled pack and the origin of its record (nil: no ack).
func (d *deliverer) add(p *pipeline.Pack, o *origin) {
	if d.dec != nil {
		d.dec.decode(p, o, d.out)
	} else {
		d.out.addIn(p, o)
	}
	if len(d.out.packs) >= d.ir.e.batchSize {
		d.flush()
	}
}

// flush hands the pending batch on, waiting while the next stage is busy.
func (d *deliverer) flush() {
	n := len(d.out.packs)
	if n == 0 {
		return
	}
	e := d.ir.e
	b := d.out
	d.out = e.batches.get()
	if !d.async {
		e.router.send(b)
		return
	}
	d.ir.decQueued.Add(int64(n))
	select {
	case d.ch <- b:
	case <-e.abort:
		d.ir.decQueued.Add(-int64(n))
		e.abandoned.Add(int64(e.abandonIn(b)))
	}
}

// close flushes and, for an async deliverer, lets its decoder goroutine
// finish what it was given and return.
func (d *deliverer) close() {
	d.flush()
	d.ir.e.batches.put(d.out)
	d.out = nil
	if d.async {
		close(d.ch)
	} else if d.dec != nil {
		d.dec.release()
	}
}

// run is a decoder goroutine: it decodes every batch of in and sends the
// results to the router.
func (w *decodeWorker) run(in <-chan *batch) {
	defer w.release()
	e := w.ir.e
	w.early = true
	for b := range in {
		res := w.decodeBatch(b)
		if len(res.packs) == 0 {
			e.batches.put(res)
			continue
		}
		e.router.send(res)
	}
}

// decodeBatch decodes the packs of b into a new batch and gives b back.
// Under abort, or once the decoder has failed fatally, the packs are
// abandoned instead.
func (w *decodeWorker) decodeBatch(b *batch) *batch {
	e := w.ir.e
	w.ir.decQueued.Add(-int64(len(b.packs)))
	res := e.batches.get()
	if e.aborting() || w.dec == nil {
		e.abandoned.Add(int64(e.abandonIn(b)))
		return res
	}
	now := unixNow()
	for i, p := range b.packs {
		if w.dec == nil { // failed fatally on an earlier pack
			p.Recycle()
			if o := b.org[i]; o != nil {
				o.done(true)
			}
			e.abandoned.Add(1)
			continue
		}
		if w.early && len(res.packs) > 0 && e.inputPool.Len() == 0 {
			// The pool is dry and the decoder may need packs (Spawn):
			// free the ones it holds first.
			e.router.send(res)
			res = e.batches.get()
		}
		p.Stamp(&w.ir.decoder.name, now)
		w.decode(p, b.org[i], res)
	}
	e.batches.put(b)
	return res
}

// decode runs the decoder on p and appends what is to be routed to out,
// each pack with o, the origin of p's record.
func (w *decodeWorker) decode(p *pipeline.Pack, o *origin, out *batch) {
	w.ir.decoded.Add(1)
	var start time.Time
	if w.sample++; w.sample >= w.ir.e.g.SampleDenominator {
		w.sample = 0
		start = time.Now()
	}
	res, err := w.safeDecode(w.ir.e.runCtx, p)
	if !start.IsZero() {
		w.ir.decNs.Add(int64(time.Since(start)))
		w.ir.decSamples.Add(1)
	}
	if err != nil {
		for _, q := range res {
			if q != p {
				q.Recycle()
			}
		}
		w.res = res[:0]
		if errors.Is(err, pipeline.ErrFatal) {
			w.ir.decodeFatal(fmt.Errorf("decoder '%s': %w", w.ir.decoder.name, err))
			w.dec = nil
		}
		w.ir.decodeFailed(p, o, err, out)
		return
	}
	kept, n := false, 0
	for _, q := range res {
		if q == p {
			if kept {
				continue
			}
			kept = true
		}
		out.addIn(q, o)
		n++
	}
	if !kept {
		p.Recycle()
	}
	if o != nil {
		switch {
		case n == 0:
			o.done(false) // the decoder dropped the record
		case n > 1:
			o.add(n - 1)
		}
	}
	if n == 0 {
		w.ir.decodeDrops.Add(1)
		w.ir.undecoded.Add(1)
	}
	clear(res)
	w.res = res[:0]
}

func (w *decodeWorker) safeDecode(ctx context.Context, p *pipeline.Pack) (res []*pipeline.Pack, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, recovered(v)
			w.ir.log.Error("decoder panicked", "decoder", w.ir.decoder.name, "err", err, "stack", string(panicStack(err)))
		}
	}()
	return w.dec.Decode(ctx, p, w.res[:0])
}

// decodeFailed counts and logs a decode failure and, with
// send_decode_failures, routes the pack with decode_failure and
// decode_error fields added; otherwise the record is dropped.
func (ir *inputRunner) decodeFailed(p *pipeline.Pack, o *origin, err error, out *batch) {
	ir.decodeFailures.Add(1)
	if ir.common.LogDecodeFailures {
		ir.log.Error("decoding: "+err.Error(), "decoder", ir.decoder.name)
	}
	if !ir.common.SendDecodeFailures {
		ir.undecoded.Add(1)
		p.Recycle()
		if o != nil {
			o.done(false)
		}
		return
	}
	addDecodeFailureFields(p.MutableMessage(), err.Error())
	out.addIn(p, o)
}

func addDecodeFailureFields(m *message.Message, msg string) {
	if len(msg) > maxDecodeError {
		cut := maxDecodeError
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut]
	}
	if f, err := message.NewField("decode_failure", true, ""); err == nil {
		m.AddField(f)
	}
	if f, err := message.NewField("decode_error", msg, ""); err == nil {
		m.AddField(f)
	}
}
