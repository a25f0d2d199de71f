package pipeline

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/hekad-go/hekad/message"
)

// Pack carries one message through the pipeline. See the package
// documentation for who owns a Pack when.
type Pack struct {
	// Message is the decoded message. It is never nil.
	Message *message.Message
	// MsgBytes holds the record an input read in message-bytes mode, and,
	// when TrustMsgBytes is set, the exact protobuf encoding of Message.
	MsgBytes []byte
	// TrustMsgBytes reports that MsgBytes is the encoding of Message, so
	// it can be forwarded without re-encoding. Whoever changes Message after
	// decoding must clear it.
	TrustMsgBytes bool
	// Signer is the verified signer name of the record ("" when unsigned).
	Signer string
	// LoopCount is how many times the message has been injected by filters.
	LoopCount int

	pool   *Pool
	refs   atomic.Int32
	holder atomic.Pointer[string] // name of the plugin that last took the pack
	since  atomic.Int64           // when (unix seconds) holder took it
}

// Pool is a fixed set of packs. Get blocks while every pack is in use, which
// is how a full pipeline slows down whoever feeds it: Heka's backpressure,
// with no allocation under load.
type Pool struct {
	name  string
	free  chan *Pack
	packs []*Pack
}

// NewPool returns a pool of size packs whose MsgBytes buffers start with
// capacity bufSize.
func NewPool(name string, size, bufSize int) *Pool {
	pl := &Pool{name: name, free: make(chan *Pack, size), packs: make([]*Pack, size)}
	for i := range pl.packs {
		p := &Pack{Message: new(message.Message), MsgBytes: make([]byte, 0, bufSize), pool: pl}
		pl.packs[i] = p
		pl.free <- p
	}
	return pl
}

// Name returns the pool's name ("input" or "inject").
func (pl *Pool) Name() string { return pl.name }

// Cap returns the number of packs in the pool.
func (pl *Pool) Cap() int { return cap(pl.free) }

// Len returns the number of packs currently free.
func (pl *Pool) Len() int { return len(pl.free) }

// Packs returns every pack of the pool, free or not (for diagnostics).
func (pl *Pool) Packs() []*Pack { return pl.packs }

// Get takes a free pack, waiting until one is recycled or ctx is done. The
// pack has one reference, held by the caller.
func (pl *Pool) Get(ctx context.Context) (*Pack, error) {
	select {
	case p := <-pl.free:
		p.refs.Store(1)
		return p, nil
	default:
	}
	select {
	case p := <-pl.free:
		p.refs.Store(1)
		return p, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s pool: %w", pl.name, context.Cause(ctx))
	}
}

// TryGet takes a free pack if there is one, without waiting.
func (pl *Pool) TryGet() (*Pack, bool) {
	select {
	case p := <-pl.free:
		p.refs.Store(1)
		return p, true
	default:
		return nil, false
	}
}

// Retain adds n references to p, one for each extra holder (the engine's
// fan-out to several matchers). Each holder calls Recycle once.
func (p *Pack) Retain(n int) { p.refs.Add(int32(n)) }

// Recycle drops one reference to p; the last one resets p and returns it to
// its pool. The caller must not touch p afterwards.
func (p *Pack) Recycle() {
	if n := p.refs.Add(-1); n > 0 {
		return
	} else if n < 0 {
		panic("pipeline: pack recycled more often than retained")
	}
	p.reset()
	if p.pool != nil {
		p.pool.free <- p
	}
}

func (p *Pack) reset() {
	p.Message.Reset()
	p.MsgBytes = p.MsgBytes[:0]
	p.TrustMsgBytes = false
	p.Signer = ""
	p.LoopCount = 0
	p.holder.Store(nil)
	p.since.Store(0)
}

// Spawn takes another pack from p's pool for a decoder that turns one
// record into several messages. The new pack has p's signer and loop count.
func (p *Pack) Spawn(ctx context.Context) (*Pack, error) {
	if p.pool == nil {
		q := &Pack{Message: new(message.Message)}
		q.refs.Store(1)
		q.Signer, q.LoopCount = p.Signer, p.LoopCount
		return q, nil
	}
	q, err := p.pool.Get(ctx)
	if err != nil {
		return nil, err
	}
	q.Signer, q.LoopCount = p.Signer, p.LoopCount
	return q, nil
}

// NewPack returns a pack that belongs to no pool, for tests and tools. Its
// Recycle only resets it.
func NewPack() *Pack {
	p := &Pack{Message: new(message.Message)}
	p.refs.Store(1)
	return p
}

// Stamp records that plugin now holds p, at unix time now (seconds), for the
// idle-pack diagnostics. name must outlive the pack (a plugin name).
func (p *Pack) Stamp(name *string, now int64) {
	p.holder.Store(name)
	p.since.Store(now)
}

// Holder returns the name of the plugin that last stamped p and when; ok is
// false when no plugin has since the pack was taken from its pool.
func (p *Pack) Holder() (name string, since int64, ok bool) {
	n := p.holder.Load()
	if n == nil {
		return "", 0, false
	}
	return *n, p.since.Load(), true
}

// EncodeMsgBytes makes MsgBytes the encoding of Message unless it already
// is (TrustMsgBytes).
func (p *Pack) EncodeMsgBytes() {
	if p.TrustMsgBytes {
		return
	}
	p.MsgBytes = p.Message.AppendMarshal(p.MsgBytes[:0])
	p.TrustMsgBytes = true
}
