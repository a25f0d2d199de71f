package pipeline

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/message"
)

// What of a pack's message is valid (Pack.state bits).
const (
	stHeaders uint32 = 1 << iota // the header fields of msg are valid
	stFull                       // all of msg (Fields too) is valid
	stBytes                      // MsgBytes is the protobuf encoding of the message
)

// Pack carries one message through the pipeline. See the package
// documentation for who owns a Pack when.
//
// A pack holds its message in one or both of two forms: decoded (Message)
// and encoded (MsgBytes, when trusted). Each is made from the other the
// first time it is asked for, once, whoever asks: a message that arrives
// encoded and is only forwarded is never decoded (lazy decoding), and a
// message made by a decoder is encoded only by the output that needs its
// bytes. Message, MessageHeaders and Bytes are read-only views, safe to
// call from several goroutines at once; MutableMessage is for the pack's
// owner (a decoder, an input, an injecting filter) before it hands the
// pack on.
type Pack struct {
	// MsgBytes holds the record an input read in message-bytes mode. A
	// decoder that finds it a valid message encoding calls TrustBytes; the
	// message is then decoded from it on first use. Only the pack's owner
	// writes it, and only before trusting it.
	MsgBytes []byte
	// Signer is the verified signer name of the record ("" when unsigned).
	Signer string
	// LoopCount is how many times the message has been injected by filters.
	LoopCount int

	msg   *message.Message
	state atomic.Uint32 // stHeaders, stFull, stBytes
	mu    sync.Mutex    // serialises decoding and encoding

	pool     *Pool
	borrowed bool // allocated beyond the pool's size; dropped when recycled
	refs     atomic.Int32
	holder   atomic.Pointer[string] // name of the plugin that last took the pack
	since    atomic.Int64           // when (unix seconds) holder took it
}

func newPack(pl *Pool, bufSize int) *Pack {
	p := &Pack{msg: new(message.Message), pool: pl}
	if bufSize > 0 {
		p.MsgBytes = make([]byte, 0, bufSize)
	}
	p.state.Store(stHeaders | stFull)
	return p
}

// NewPack returns a pack that belongs to no pool, for tests and tools. Its
// Recycle only resets it.
func NewPack() *Pack {
	p := newPack(nil, 0)
	p.refs.Store(1)
	return p
}

// Message returns the pack's message, decoding it from MsgBytes first if
// it has not been yet. The message must not be modified (see
// MutableMessage). Message is safe for concurrent use.
func (p *Pack) Message() *message.Message {
	if p.state.Load()&stFull != 0 {
		return p.msg
	}
	return p.decode(stFull)
}

// MessageHeaders returns the pack's message with at least its header
// fields valid: Fields may be missing when the message has not been fully
// decoded yet. Matchers that read no Fields use it.
func (p *Pack) MessageHeaders() *message.Message {
	if p.state.Load()&stHeaders != 0 {
		return p.msg
	}
	return p.decode(stHeaders)
}

// decode makes the part want of the message valid, from MsgBytes.
func (p *Pack) decode(want uint32) *message.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.state.Load()
	if st&want != 0 {
		return p.msg
	}
	var err error
	if want == stFull {
		err = p.msg.Unmarshal(p.MsgBytes)
		st |= stHeaders | stFull
	} else {
		err = p.msg.UnmarshalHeaders(p.MsgBytes)
		st |= stHeaders
	}
	if err != nil {
		// Only checked bytes are trusted, so this is a decoder's bug:
		// the message reads as empty rather than half decoded.
		p.msg.Reset()
	}
	p.state.Store(st)
	return p.msg
}

// MutableMessage returns the message for its owner to change: it is
// decoded first if need be, and MsgBytes stop being its encoding (Bytes
// will encode the changed message).
func (p *Pack) MutableMessage() *message.Message {
	m := p.Message()
	p.state.Store(stHeaders | stFull)
	return m
}

// SwapMessage makes m the pack's message and returns the message the pack
// held, which the caller owns from then on (to reuse). A decoder that built
// a new message for its record (SandboxDecoder's first inject_message) hands
// it on in the record's own pack this way, instead of taking a second pack
// from the pool. MsgBytes no longer describes the message.
func (p *Pack) SwapMessage(m *message.Message) *message.Message {
	old := p.msg
	p.msg = m
	p.state.Store(stHeaders | stFull)
	return old
}

// TrustBytes declares MsgBytes the valid protobuf encoding of the pack's
// message (a decoder checked them): the message will be decoded from them
// when first read, and outputs forward them as they are.
func (p *Pack) TrustBytes() { p.state.Store(stBytes) }

// BytesTrusted reports whether MsgBytes is the encoding of the message.
func (p *Pack) BytesTrusted() bool { return p.state.Load()&stBytes != 0 }

// Decoded reports whether the message has been fully decoded (or was
// built decoded), for tests and benchmarks of lazy decoding.
func (p *Pack) Decoded() bool { return p.state.Load()&stFull != 0 }

// Bytes returns the protobuf encoding of the message, encoding it into
// MsgBytes first if MsgBytes is not already its encoding. The bytes must
// not be modified. Bytes is safe for concurrent use.
func (p *Pack) Bytes() []byte {
	if p.state.Load()&stBytes != 0 {
		return p.MsgBytes
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.state.Load()
	if st&stBytes == 0 {
		p.MsgBytes = p.msg.AppendMarshal(p.MsgBytes[:0])
		p.state.Store(st | stBytes)
	}
	return p.MsgBytes
}

// Pool is a set of at most size packs, allocated as they are first
// needed. Get blocks while every pack is in use, which is how a full
// pipeline slows down whoever feeds it (Heka's backpressure), with no
// allocation under load. Spawn and the engine's injection may borrow packs
// beyond the size after a bounded wait, so that no stage can deadlock on
// the pool; borrowed packs are counted and dropped when recycled.
type Pool struct {
	name    string
	size    int
	bufSize int
	free    chan *Pack
	wait    time.Duration // how long Borrow waits before allocating

	mu    sync.Mutex
	packs []*Pack // every pack made so far (diagnostics)

	made     atomic.Int32
	borrows  atomic.Int64 // packs ever borrowed beyond the size
	borrowed atomic.Int64 // borrowed packs not yet recycled
}

// DefaultBorrowWait is how long Borrow waits for a free pack before it
// allocates one beyond the pool's size.
const DefaultBorrowWait = time.Second

// NewPool returns a pool of at most size packs whose MsgBytes buffers start
// with capacity bufSize. No pack is allocated until one is needed.
func NewPool(name string, size, bufSize int) *Pool {
	return &Pool{name: name, size: size, bufSize: bufSize, free: make(chan *Pack, size), wait: DefaultBorrowWait}
}

// SetBorrowWait sets how long Borrow (and so Spawn) waits for a free pack
// before it allocates one beyond the pool's size.
func (pl *Pool) SetBorrowWait(d time.Duration) { pl.wait = d }

// Name returns the pool's name ("input" or "inject").
func (pl *Pool) Name() string { return pl.name }

// Cap returns the number of packs in the pool.
func (pl *Pool) Cap() int { return pl.size }

// Len returns the number of packs currently free, counting those not
// allocated yet.
func (pl *Pool) Len() int { return len(pl.free) + pl.size - int(pl.made.Load()) }

// Borrows returns how many packs were ever borrowed beyond the pool's
// size, and how many of them are still in use.
func (pl *Pool) Borrows() (total, inUse int64) { return pl.borrows.Load(), pl.borrowed.Load() }

// Packs returns every pack of the pool made so far, free or not (for
// diagnostics).
func (pl *Pool) Packs() []*Pack {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return append([]*Pack(nil), pl.packs...)
}

// tryGet takes a free pack or makes a new one while the pool is below its
// size.
func (pl *Pool) tryGet() (*Pack, bool) {
	select {
	case p := <-pl.free:
		p.refs.Store(1)
		return p, true
	default:
	}
	for {
		n := pl.made.Load()
		if int(n) >= pl.size {
			return nil, false
		}
		if pl.made.CompareAndSwap(n, n+1) {
			p := newPack(pl, pl.bufSize)
			pl.mu.Lock()
			pl.packs = append(pl.packs, p)
			pl.mu.Unlock()
			p.refs.Store(1)
			return p, true
		}
	}
}

// Get takes a free pack, waiting until one is recycled or ctx is done. The
// pack has one reference, held by the caller.
func (pl *Pool) Get(ctx context.Context) (*Pack, error) {
	if p, ok := pl.tryGet(); ok {
		return p, nil
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
func (pl *Pool) TryGet() (*Pack, bool) { return pl.tryGet() }

// Borrow takes a free pack, waiting at most the pool's borrow wait (or
// until ctx is done); then it allocates a pack beyond the pool's size
// rather than wait longer. It fails only when ctx is done. borrowed
// reports an allocated pack.
func (pl *Pool) Borrow(ctx context.Context) (p *Pack, borrowed bool, err error) {
	if p, ok := pl.tryGet(); ok {
		return p, false, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, false, fmt.Errorf("%s pool: %w", pl.name, context.Cause(ctx))
	}
	t := time.NewTimer(pl.wait)
	defer t.Stop()
	select {
	case p := <-pl.free:
		p.refs.Store(1)
		return p, false, nil
	case <-ctx.Done():
		return nil, false, fmt.Errorf("%s pool: %w", pl.name, context.Cause(ctx))
	case <-t.C:
	}
	p = newPack(pl, 0)
	p.borrowed = true
	p.refs.Store(1)
	pl.borrows.Add(1)
	pl.borrowed.Add(1)
	return p, true, nil
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
	switch {
	case p.pool == nil:
	case p.borrowed:
		p.pool.borrowed.Add(-1)
	default:
		p.pool.free <- p
	}
}

func (p *Pack) reset() {
	p.msg.Reset()
	p.MsgBytes = p.MsgBytes[:0]
	p.state.Store(stHeaders | stFull)
	p.Signer = ""
	p.LoopCount = 0
	p.holder.Store(nil)
	p.since.Store(0)
}

// Spawn takes another pack for a decoder that turns one record into
// several messages. The new pack has p's signer and loop count. It comes
// from p's pool; when the pool stays empty for the pool's borrow wait, the
// pack is allocated beyond it (counted in Pool.Borrows), so that a decoder
// never waits for packs that only its own progress can free. It fails only
// when ctx is done.
func (p *Pack) Spawn(ctx context.Context) (*Pack, error) {
	var q *Pack
	if p.pool == nil {
		q = NewPack()
	} else {
		var err error
		if q, _, err = p.pool.Borrow(ctx); err != nil {
			return nil, err
		}
	}
	q.Signer, q.LoopCount = p.Signer, p.LoopCount
	return q, nil
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
