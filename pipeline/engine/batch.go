package engine

import (
	"sync"

	"github.com/hekad-go/hekad/pipeline"
)

// defaultBatchSize is the most packs handed over in one channel operation.
const defaultBatchSize = 64

// batch is a slice of packs handed from one stage to the next in a single
// channel operation. The receiver owns the batch and its packs. Between
// inputs and the router, org holds each pack's origin (nil when its input
// wants no acknowledgement); between the router and a filter or output, dl
// holds each pack's delivery. Each, when used, is as long as packs.
type batch struct {
	packs []*pipeline.Pack
	org   []*origin
	dl    []*delivery
}

// batches hands out batches, reused. Each engine has its own.
type batches struct{ pool sync.Pool }

// get returns an empty batch.
func (bs *batches) get() *batch {
	if b, ok := bs.pool.Get().(*batch); ok {
		return b
	}
	return &batch{
		packs: make([]*pipeline.Pack, 0, defaultBatchSize),
		org:   make([]*origin, 0, defaultBatchSize),
		dl:    make([]*delivery, 0, defaultBatchSize),
	}
}

// put gives b back for reuse; its packs must have been handed on. Each
// batch is put exactly once.
func (bs *batches) put(b *batch) {
	clear(b.packs)
	clear(b.org)
	clear(b.dl)
	b.packs, b.org, b.dl = b.packs[:0], b.org[:0], b.dl[:0]
	bs.pool.Put(b)
}

// addIn appends an input pack and its origin.
func (b *batch) addIn(p *pipeline.Pack, o *origin) {
	b.packs = append(b.packs, p)
	b.org = append(b.org, o)
}

// addOut appends a routed pack and its delivery.
func (b *batch) addOut(p *pipeline.Pack, d *delivery) {
	b.packs = append(b.packs, p)
	b.dl = append(b.dl, d)
}

// abandonIn recycles the packs of an input batch that will not be routed
// (shutdown gave up on them), marking their records lost, and gives the
// batch back. It returns how many packs it held.
func (e *Engine) abandonIn(b *batch) int {
	n := len(b.packs)
	for i, p := range b.packs {
		p.Recycle()
		if o := b.org[i]; o != nil {
			o.done(true)
		}
	}
	e.batches.put(b)
	return n
}

// settleOut recycles the packs of a routed batch, settling each delivery
// with outcome o (counted in c), and gives the batch back. It returns how
// many packs it held.
func (e *Engine) settleOut(b *batch, o outcome, c *counts) int {
	n := len(b.packs)
	for i, p := range b.packs {
		p.Recycle()
		e.deliveries.done(b.dl[i], o, c)
	}
	e.batches.put(b)
	return n
}
