package engine

import (
	"context"
	"unicode/utf8"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// maxDecodeError is the most bytes of a decode error kept in the
// decode_error field (Heka: 500).
const maxDecodeError = 500

// deliverer takes the packs of one stream (or of an input's Deliver calls)
// to the router: through the input's decoder in the same goroutine
// (synchronous_decode), through a decoder goroutine of its own (the
// default), or straight when the input has no decoder. Packs are handed on
// in batches; flush hands over the current one.
type deliverer struct {
	ir    *inputRunner
	dec   pipeline.Decoder
	check pipeline.RecordChecker // dec, when it only needs to check records (Engine.checkOnly)
	async bool
	ch    chan *batch // to the decoder goroutine
	out   *batch      // pending batch
	res   []*pipeline.Pack
}

func (ir *inputRunner) newDeliverer(stream string) (*deliverer, error) {
	d := &deliverer{ir: ir, out: getBatch()}
	if ir.decoder == nil {
		return d, nil
	}
	v, err := ir.decoder.build()
	if err != nil {
		putBatch(d.out)
		return nil, err
	}
	d.setDecoder(v.(pipeline.Decoder))
	if ir.common.SynchronousDecode {
		return d, nil
	}
	d.async = true
	// Bound what one stream can park in front of its decoder to about half
	// of the pool, so that a decoder that spawns packs can still get some.
	d.ch = make(chan *batch, max(1, min(ir.e.chanSize, ir.e.g.PoolSize/(2*ir.e.batchSize))))
	if n := ir.common.DecoderWorkers; n > 1 {
		if err := ir.startParallel(d, n); err != nil {
			putBatch(d.out)
			return nil, err
		}
		return d, nil
	}
	w := &deliverer{ir: ir, dec: d.dec, check: d.check, out: getBatch()}
	if !ir.e.grp.Go(&ir.e.decodersWG, func() { w.work(d.ch) }) {
		putBatch(d.out)
		putBatch(w.out)
		return nil, errStopped
	}
	return d, nil
}

// setDecoder makes dec the deliverer's decoder; when nothing reads the
// messages and dec can check records without decoding them, it will only
// check them.
func (d *deliverer) setDecoder(dec pipeline.Decoder) {
	d.dec = dec
	if c, ok := dec.(pipeline.RecordChecker); ok && d.ir.e.checkOnly {
		d.check = c
	}
}

// add takes a filled pack.
func (d *deliverer) add(p *pipeline.Pack) {
	if d.dec != nil && !d.async {
		d.decode(p, d.out)
	} else {
		d.out.packs = append(d.out.packs, p)
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
	b := d.out
	d.out = getBatch()
	if !d.async {
		d.ir.e.router.send(b)
		return
	}
	d.ir.decQueued.Add(int64(n))
	select {
	case d.ch <- b:
	case <-d.ir.e.abort:
		d.ir.decQueued.Add(-int64(n))
		d.ir.e.lost.Add(int64(recycleAll(b)))
	}
}

// close flushes and, for an async deliverer, lets its decoder goroutine
// finish what it was given and return.
func (d *deliverer) close() {
	d.flush()
	putBatch(d.out)
	d.out = nil
	if d.async {
		close(d.ch)
	}
}

// work is the decoder goroutine of an async deliverer.
func (d *deliverer) work(in <-chan *batch) {
	e := d.ir.e
	for b := range in {
		d.ir.decQueued.Add(-int64(len(b.packs)))
		if e.aborting() {
			e.lost.Add(int64(recycleAll(b)))
			continue
		}
		for _, p := range b.packs {
			d.decode(p, d.out)
			if len(d.out.packs) >= e.batchSize {
				e.router.send(d.out)
				d.out = getBatch()
			}
		}
		putBatch(b)
		if len(d.out.packs) > 0 {
			e.router.send(d.out)
			d.out = getBatch()
		}
	}
	putBatch(d.out)
}

// decode runs the decoder on p and appends what is to be routed to out.
func (d *deliverer) decode(p *pipeline.Pack, out *batch) {
	res, err := d.safeDecode(d.ir.e.runCtx, p)
	if err != nil {
		for _, q := range res {
			if q != p {
				q.Recycle()
			}
		}
		d.ir.decodeFailed(p, err, out)
		d.res = res[:0]
		return
	}
	kept := false
	for _, q := range res {
		if q == p {
			if kept {
				continue
			}
			kept = true
		}
		out.packs = append(out.packs, q)
	}
	if !kept {
		p.Recycle()
	}
	clear(res)
	d.res = res[:0]
}

func (d *deliverer) safeDecode(ctx context.Context, p *pipeline.Pack) (res []*pipeline.Pack, err error) {
	defer func() {
		if v := recover(); v != nil {
			res, err = nil, recovered(v)
			d.ir.log.Error("decoder panicked", "decoder", d.ir.decoder.name, "err", err, "stack", string(panicStack(err)))
		}
	}()
	if d.check != nil {
		if err := d.check.CheckRecord(ctx, p); err != nil {
			return nil, err
		}
		return append(d.res[:0], p), nil
	}
	return d.dec.Decode(ctx, p, d.res[:0])
}

// decodeFailed counts and logs a decode failure and, with
// send_decode_failures, routes the pack with decode_failure and
// decode_error fields added.
func (ir *inputRunner) decodeFailed(p *pipeline.Pack, err error, out *batch) {
	ir.decodeFailures.Add(1)
	if ir.common.LogDecodeFailures {
		ir.log.Error("decoding: "+err.Error(), "decoder", ir.decoder.name)
	}
	if !ir.common.SendDecodeFailures {
		p.Recycle()
		return
	}
	addDecodeFailureFields(p.Message, err.Error())
	p.TrustMsgBytes = false
	out.packs = append(out.packs, p)
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
