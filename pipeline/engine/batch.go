package engine

import (
	"sync"

	"github.com/hekad-go/hekad/pipeline"
)

// defaultBatchSize is the most packs handed over in one channel operation.
const defaultBatchSize = 64

// batch is a slice of packs handed from one stage to the next in a single
// channel operation. The receiver owns the batch and its packs.
type batch struct {
	packs []*pipeline.Pack
}

var batchPool = sync.Pool{New: func() any { return &batch{packs: make([]*pipeline.Pack, 0, defaultBatchSize)} }}

// getBatch returns an empty batch.
func getBatch() *batch { return batchPool.Get().(*batch) }

// putBatch gives b back for reuse; its packs must have been handed on.
func putBatch(b *batch) {
	clear(b.packs)
	b.packs = b.packs[:0]
	batchPool.Put(b)
}

// recycleAll recycles every pack of b, gives b back and returns how many
// packs it held.
func recycleAll(b *batch) int {
	n := len(b.packs)
	for _, p := range b.packs {
		p.Recycle()
	}
	putBatch(b)
	return n
}
