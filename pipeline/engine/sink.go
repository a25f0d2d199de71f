package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/internal/diskqueue"
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// What a sink is doing, for the watchdog.
const (
	callIdle int32 = iota
	callMessage
	callConnect
	callTick
)

// sink runs one filter or output: it takes the batches the router selected
// for it, calls the plugin once per pack (encoding first for outputs),
// retries per the plugin's retries options, ticks, and handles the
// plugin's exit.
type sink struct {
	e           *Engine
	name, typ   string
	kind        pipeline.Kind
	env         *pipeline.Env
	log         *slog.Logger
	matcher     Matcher
	matcherText string
	signer      string
	canExit     bool
	retries     pipeline.RetryOptions
	tick        time.Duration
	ch          chan *batch
	reopen      chan struct{} // Reopen requests (SIGHUP)
	stopReq     chan struct{} // closed by the router: call the Stop hook, tick no more
	need        matchNeed     // what of a message the matcher reads
	constMatch  bool          // the matcher's value when need is needNothing

	plugin  any
	filter  pipeline.Filter
	output  pipeline.Output
	encoder pipeline.Encoder
	encName string
	framing bool
	buf     []byte // encoder output, reused
	frame   []byte // framed encoder output, reused
	sample  int    // sink goroutine only

	inj *injector

	counts counts // messages this sink finished (the last target done with them)

	buffered     bool                  // use_buffering: a disk queue before the plugin
	buffering    pipeline.BufferConfig // its options
	queue        atomic.Pointer[diskqueue.Queue]
	full         atomic.Bool  // the queue was found full (logged once)
	queueDropped atomic.Int64 // records from the queue the plugin dropped
	batch        []byte       // the encoded batch for a BatchWriter (the sink's goroutines only)
	ends         []int        // the ends of the batch's records
	outs         []outcome    // an unbuffered BatchWriter's per-message outcomes
	joined       []*batch     // the router batches an unbuffered BatchWriter writes together
	chClosed     bool         // s.ch was found closed while batches were joined (the sink's goroutine only)
	backlog      atomic.Int64 // buffered filters: queued records not yet processed (see router.quiet)
	readerGone   atomic.Bool  // the queue's reader has returned: the backlog no longer counts
	exited       bool         // exit ran (the sink's goroutine only)
	exitLost     int          // messages lost in the call that ended the plugin (the sink's goroutine only)
	stopAnswered bool         // the router's stop request was answered (the sink's goroutine only)
	dynamic      bool         // added at run time (Engine.AddFilter): forgotten when it returns
	removing     atomic.Bool  // RemoveFilter was called
	unrouted     bool         // removed by the router (set before ch is closed)
	removed      chan<- error // RemoveFilter's answer (set before ch is closed)
	queueFull    atomic.Int64 // messages that found the queue full (full_action applied to them)

	ackMu   sync.Mutex  // guards unacked and early (a DelayedAcker settles from its own goroutines)
	unacked []*delivery // written, not yet durable, in write order
	// early holds acknowledgements that came before their record was
	// settled: a DelayedAcker may acknowledge, from its own goroutine, the
	// record whose Write has not returned yet.
	early   []outcome
	delayed bool     // the output is a pipeline.DelayedAcker
	bufAck  *bufAcks // a buffered DelayedAcker: queue commits wait for acks (buffer_ack.go)

	queued       atomic.Int64 // messages in ch
	processed    atomic.Int64 // ProcessMessageCount; also the watchdog's progress counter
	injected     atomic.Int64
	dropped      atomic.Int64
	leaks        atomic.Int64
	refused      atomic.Int64 // matched messages whose signer is not message_signer
	matchNs      atomic.Int64
	matchSamples atomic.Int64
	procNs       atomic.Int64
	procSamples  atomic.Int64
	ready        chan struct{} // closed after the first Connect returned, or at start without one
	readyOnce    sync.Once
	busy         atomic.Int32 // callIdle, callMessage, ...
	curLoop      atomic.Int32 // loop count of the message being processed
}

// accepts reports whether p is for this sink: its signer first (when
// message_signer is set), then its matcher.
func (s *sink) accepts(p *pipeline.Pack) bool {
	if s.signer != "" && p.Signer != s.signer {
		if s.match(p) {
			s.refuse(p)
		}
		return false
	}
	return s.match(p)
}

// refuse counts a message the matcher selected whose signer is not
// message_signer, and logs it: every time for a control message (Type
// heka.control.*, e.g. an unsigned or forged order to a
// SandboxManagerFilter), otherwise the 1st, 10th, 100th... time, so that
// a sink that keeps only signed messages out of mixed traffic (a signed
// archive) does not fill the log.
func (s *sink) refuse(p *pipeline.Pack) {
	n := s.refused.Add(1)
	typ := p.MessageHeaders().GetType()
	if !strings.HasPrefix(typ, "heka.control.") && !powerOfTen(n) {
		return
	}
	s.log.Warn("message refused: its signer is not message_signer",
		"signer", p.Signer, "message_signer", s.signer, "type", typ, "refused", n)
}

func powerOfTen(n int64) bool {
	for n >= 10 && n%10 == 0 {
		n /= 10
	}
	return n == 1
}

// match evaluates the matcher alone.
func (s *sink) match(p *pipeline.Pack) bool {
	switch s.need {
	case needNothing:
		return s.constMatch
	case needHeaders:
		return s.matcher.Match(p.MessageHeaders())
	}
	return s.matcher.Match(p.Message())
}

// requestStop asks a filter to run its Stop hook and tick no more (the
// router, when the filters are quiet at shutdown).
func (s *sink) requestStop() { close(s.stopReq) }

func (s *sink) kindName() string { return strings.ToLower(s.kind.String()) }

func (s *sink) run() {
	if s.inj == nil {
		s.inj = &injector{e: s.e, s: s, name: s.name}
	}
	if a, ok := s.plugin.(pipeline.DelayedAcker); ok && s.output != nil {
		if s.buffered {
			s.bufAck = newBufAcks()
			a.SetAcker(s.bufferedAcked)
		} else {
			s.delayed = true
			a.SetAcker(s.acked)
		}
	}
	if _, ok := s.plugin.(pipeline.Connector); !ok {
		s.markReady()
	}
	defer s.markReady()
	ctx := s.e.runCtx
	var err error
	if s.buffered {
		err = s.runBuffered(ctx, newRetrier(s.retries))
	} else {
		err = s.loop(ctx, newRetrier(s.retries))
	}
	if err == nil && (s.output != nil || s.unrouted) {
		s.stopHook(ctx)
	}
	s.close()
	s.settleUnacked(errLost)
	s.finish(err)
	s.endDynamic()
}

// acked is the DelayedAcker callback: the n oldest unsettled records are
// durable (err nil) or lost.
func (s *sink) acked(n int, err error) {
	o := outDelivered
	if err != nil {
		o = outLost
		s.log.Error(fmt.Sprintf("%d records lost", n), "err", err)
	}
	s.ackMu.Lock()
	k := min(n, len(s.unacked))
	ds := s.unacked[:k]
	for _, d := range ds {
		s.e.deliveries.done(d, o, &s.counts)
	}
	clear(ds)
	s.unacked = s.unacked[k:]
	for range n - k {
		s.early = append(s.early, o)
	}
	s.ackMu.Unlock()
}

// settleUnacked settles, as lost, the records the output accepted but
// never acknowledged (called once the output is closed).
func (s *sink) settleUnacked(err error) {
	s.ackMu.Lock()
	n := len(s.unacked)
	s.ackMu.Unlock()
	if n > 0 {
		s.acked(n, err)
	}
}

// settle records outcome o of the message of delivery d at this sink.
func (s *sink) settle(d *delivery, o outcome) {
	if o == outDelivered && s.delayed {
		s.ackMu.Lock()
		if len(s.early) > 0 {
			o = s.early[0]
			s.early = s.early[1:]
			s.e.deliveries.done(d, o, &s.counts)
		} else {
			s.unacked = append(s.unacked, d)
		}
		s.ackMu.Unlock()
		return
	}
	s.e.deliveries.done(d, o, &s.counts)
}

// stopHook calls the plugin's Stop, if it has one, once.
func (s *sink) stopHook(ctx context.Context) {
	st, ok := s.plugin.(pipeline.Stopper)
	if !ok {
		return
	}
	err := guard(func() error { return st.Stop(ctx, s.inj) })
	if err != nil {
		s.log.Error("stop failed", "err", err)
	}
}

// close calls the plugin's Close, if it has one, once its loop has ended:
// outputs flush what they buffer (FileOutput) and release connections.
func (s *sink) close() {
	if c, ok := s.plugin.(io.Closer); ok {
		if err := guard(func() error { return c.Close() }); err != nil {
			s.log.Error("close failed", "err", err)
		}
	}
	// Then its encoder (a SandboxEncoder preserves its data).
	if c, ok := s.encoder.(io.Closer); ok {
		if err := guard(func() error { return c.Close() }); err != nil {
			s.log.Error("closing the encoder failed", "encoder", s.encName, "err", err)
		}
	}
}

func (s *sink) loop(ctx context.Context, rh *retrier) error {
	if c, ok := s.plugin.(pipeline.Connector); ok {
		if err := s.connect(ctx, c, rh); err != nil {
			return err
		}
	}
	var tickC <-chan time.Time
	var ticker *time.Ticker
	if s.tick > 0 {
		ticker = time.NewTicker(s.tick)
		defer ticker.Stop()
		tickC = ticker.C
	}
	stopReq := s.stopReq
	for {
		select {
		case b, ok := <-s.ch:
			if !ok {
				return nil
			}
			s.queued.Add(-int64(len(b.packs)))
			if err := s.handleBatch(ctx, rh, b); err != nil {
				return err
			}
			if s.chClosed {
				return nil
			}
		case <-tickC:
			if err := s.doTick(ctx); err != nil {
				return err
			}
		case <-stopReq:
			stopReq, tickC = nil, nil
			s.stopRequested(ctx)
		case <-s.reopen:
			s.doReopen()
		}
	}
}

// stopRequested runs a filter's Stop hook when the router asks, the
// filters being quiet at shutdown (what the hook injects is still routed),
// and tells the router. The caller ticks the filter no more.
func (s *sink) stopRequested(ctx context.Context) {
	s.e.filterBusy.Add(1)
	s.stopHook(ctx)
	s.e.filterBusy.Add(-1)
	s.skipStop()
}

// pendingStop returns the router's stop request while it is unanswered
// (filters only), else nil.
func (s *sink) pendingStop() <-chan struct{} {
	if s.filter == nil || s.stopAnswered {
		return nil
	}
	return s.stopReq
}

// skipStop answers the router's stop request without running the Stop
// hook (a filter that no longer runs).
func (s *sink) skipStop() {
	s.stopAnswered = true
	s.e.filterStops.Add(-1)
	s.e.router.wake()
}

func (s *sink) handleBatch(ctx context.Context, rh *retrier, b *batch) error {
	filter := s.kind == pipeline.KindFilter
	if s.e.aborting() {
		if filter {
			s.e.filterBusy.Add(-int64(len(b.packs)))
		}
		s.e.settleOut(b, outLost, &s.counts)
		return nil
	}
	if len(b.packs) > 1 {
		if bw := s.batchWriter(); bw != nil {
			return s.handleBatchWrite(ctx, rh, b, bw)
		}
	}
	now := unixNow()
	s.busy.Store(callMessage)
	defer s.busy.Store(callIdle)
	watch := s.slowWatched()
	for i, p := range b.packs {
		p.Stamp(&s.name, now)
		var o outcome
		var err error
		pressed := watch && s.backpressured()
		timed := pressed && s.procSamples.Load() < s.slowSamples()
		if s.sample++; s.sample >= s.e.g.SampleDenominator {
			s.sample, timed = 0, true
		}
		if timed {
			start := time.Now()
			o, err = s.handle(ctx, rh, p)
			s.procNs.Add(int64(time.Since(start)))
			s.procSamples.Add(1)
		} else {
			o, err = s.handle(ctx, rh, p)
		}
		p.Recycle()
		s.processed.Add(1)
		s.settle(b.dl[i], o)
		if err == nil && pressed {
			err = s.checkSlow(ctx)
		}
		if filter {
			s.e.filterBusy.Add(-1)
		}
		if err != nil {
			rest := len(b.packs) - i - 1
			s.exitLost += rest
			if o == outLost {
				s.exitLost++
			}
			if filter {
				s.e.filterBusy.Add(-int64(rest))
			}
			for j := i + 1; j < len(b.packs); j++ {
				b.packs[j].Recycle()
				s.e.deliveries.done(b.dl[j], outLost, &s.counts)
			}
			s.e.batches.put(b)
			s.wakeDrain(filter)
			return err
		}
	}
	s.e.batches.put(b)
	s.wakeDrain(filter)
	return nil
}

// wakeDrain tells a draining router that a filter finished a batch, so
// that it can check whether the filters are quiet.
func (s *sink) wakeDrain(filter bool) {
	if filter && s.e.stopping.Load() {
		s.e.router.wake()
	}
}

// handle gives one pack to the plugin, retrying on ErrRetry, and returns
// what became of the message here. A non-nil error ends the plugin (the
// message is then lost).
func (s *sink) handle(ctx context.Context, rh *retrier, p *pipeline.Pack) (outcome, error) {
	if s.filter != nil {
		s.curLoop.Store(int32(p.LoopCount))
		for {
			err := s.process(ctx, p)
			if err == nil {
				rh.reset()
				return outDelivered, nil
			}
			if pipeline.IsDrop(err) {
				s.drop(err)
				return outDropped, nil
			}
			if !errors.Is(err, pipeline.ErrRetry) {
				return outLost, err
			}
			if werr := s.retryWait(ctx, rh, "process", err); werr != nil {
				return outLost, werr
			}
		}
	}
	rec := pipeline.Record{Pack: p}
	if s.encoder != nil {
		data, err := s.encode(p)
		switch {
		case err == nil:
		case errors.Is(err, pipeline.ErrSkip):
			s.dropped.Add(1)
			return outDropped, nil
		case errors.Is(err, pipeline.ErrFatal):
			return outLost, fmt.Errorf("encoder '%s': %w", s.encName, err)
		default:
			s.drop(fmt.Errorf("encoder '%s': %w", s.encName, err))
			return outDropped, nil
		}
		rec.Data = data
	}
	for {
		err := s.write(ctx, rec)
		if err == nil {
			rh.reset()
			return outDelivered, nil
		}
		if pipeline.IsDrop(err) {
			s.drop(err)
			return outDropped, nil
		}
		if !errors.Is(err, pipeline.ErrRetry) {
			return outLost, err
		}
		if werr := s.retryWait(ctx, rh, "write", err); werr != nil {
			return outLost, werr
		}
		if c, ok := s.plugin.(pipeline.Connector); ok {
			if err := s.connect(ctx, c, rh); err != nil {
				return outLost, err
			}
			s.busy.Store(callMessage)
		}
	}
}

func (s *sink) retryWait(ctx context.Context, rh *retrier, what string, err error) error {
	s.log.Warn(what+" failed, retrying", "err", err, "attempt", rh.attempts()+1)
	if werr := rh.wait(ctx); werr != nil {
		return fmt.Errorf("%s: %w: %w", what, werr, err)
	}
	return nil
}

func (s *sink) drop(err error) {
	s.dropped.Add(1)
	s.log.Error("message dropped", "err", err)
}

// markReady says that the sink's first Connect returned (or that it has
// none, or stopped): Run starts the inputs once every filter is ready.
func (s *sink) markReady() { s.readyOnce.Do(func() { close(s.ready) }) }

// connect calls Connect until it succeeds, retrying on ErrRetry.
func (s *sink) connect(ctx context.Context, c pipeline.Connector, rh *retrier) error {
	for {
		s.busy.Store(callConnect)
		err := s.safeConnect(ctx, c)
		s.busy.Store(callIdle)
		s.markReady()
		if err == nil {
			rh.reset()
			return nil
		}
		if !errors.Is(err, pipeline.ErrRetry) {
			return fmt.Errorf("connect: %w", err)
		}
		if werr := s.retryWait(ctx, rh, "connect", err); werr != nil {
			return werr
		}
	}
}

func (s *sink) doTick(ctx context.Context) error {
	tk := s.plugin.(pipeline.Ticker)
	filter := s.kind == pipeline.KindFilter
	if filter {
		s.e.filterBusy.Add(1) // a tick may inject: the filters are not quiet
	}
	s.busy.Store(callTick)
	err := s.safeTick(ctx, tk)
	s.busy.Store(callIdle)
	if filter {
		s.e.filterBusy.Add(-1)
		s.wakeDrain(true)
	}
	switch {
	case err == nil:
		return nil
	case pipeline.IsDrop(err), errors.Is(err, pipeline.ErrRetry):
		s.log.Error("tick failed", "err", err)
		return nil
	}
	return fmt.Errorf("tick: %w", err)
}

func (s *sink) process(ctx context.Context, p *pipeline.Pack) error {
	return guard(func() error { return s.filter.Process(ctx, p, s.inj) })
}

func (s *sink) write(ctx context.Context, r pipeline.Record) error {
	return guard(func() error { return s.output.Write(ctx, r) })
}

func (s *sink) safeConnect(ctx context.Context, c pipeline.Connector) error {
	return guard(func() error { return c.Connect(ctx) })
}

func (s *sink) safeTick(ctx context.Context, t pipeline.Ticker) error {
	return guard(func() error { return t.Tick(ctx, s.inj) })
}

// encode runs the output's encoder into a reused buffer and frames the
// result when use_framing is set. A panic in the encoder drops the message.
func (s *sink) encode(p *pipeline.Pack) (data []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
			s.log.Error("encoder panicked", "encoder", s.encName, "err", err, "stack", string(panicStack(err)))
		}
	}()
	if s.framing {
		return s.encodeFramed(p)
	}
	out, err := s.encoder.Encode(s.buf[:0], p)
	if err != nil {
		return nil, err
	}
	s.buf = out
	return out, nil
}

// frameRoom is the room left in front of the encoding for the header of
// an unsigned frame (at most 9 bytes), so that it can be framed in place.
const frameRoom = 16

// encodeFramed encodes p behind frameRoom bytes of room and writes the
// frame header (the same bytes message.AppendFrame writes, unsigned) just
// in front of the encoding, saving a copy of every record. It relies on
// the Encoder contract (Encode appends to dst). An encoding too large for
// a frame takes the general path, which reports the error.
func (s *sink) encodeFramed(p *pipeline.Pack) ([]byte, error) {
	dst := s.frame[:0]
	if cap(dst) < frameRoom {
		dst = make([]byte, 0, packBufSize+frameRoom)
	}
	out, err := s.encoder.Encode(dst[:frameRoom], p)
	if err != nil {
		return nil, err
	}
	max := int(s.e.g.MaxMessageSize)
	if len(out) < frameRoom || max <= 0 || len(out)-frameRoom > max {
		if len(out) >= frameRoom {
			out = out[frameRoom:]
		}
		// Copied out first: out may share s.frame's storage.
		out = append(s.buf[:0], out...)
		s.buf = out
		fr, err := message.AppendFrame(s.frame[:0], out, nil, max)
		if err != nil {
			return nil, err
		}
		s.frame = fr
		return fr, nil
	}
	s.frame = out
	var room [frameRoom]byte
	h := message.Header{MessageLength: uint32(len(out) - frameRoom)}
	hdr := h.AppendMarshal(append(room[:0], message.RecordSeparator, 0))
	hdr[1] = byte(len(hdr) - 2)
	hdr = append(hdr, message.UnitSeparator)
	start := frameRoom - len(hdr)
	copy(out[start:], hdr)
	return out[start:], nil
}

// finish handles the end of the sink's loop: nothing to do when its
// channel was closed (shutdown); otherwise the plugin stopped with err,
// which either stops hekad (can_exit = false) or unregisters the plugin
// and announces it with a heka.terminated message.
func (s *sink) finish(err error) {
	if err == nil {
		s.log.Info("stopped")
		return
	}
	s.exit(err)
	// Keep taking what the router sends until it closes the channel, so
	// the router never waits on a plugin that is gone.
	n := s.exitLost // and then those still queued for it
	for {
		var b *batch
		select {
		case b = <-s.ch:
		case <-s.pendingStop():
			s.skipStop()
			continue
		}
		if b == nil {
			break
		}
		s.queued.Add(-int64(len(b.packs)))
		if s.kind == pipeline.KindFilter {
			s.e.filterBusy.Add(-int64(len(b.packs)))
		}
		n += s.e.settleOut(b, outLost, &s.counts)
		s.wakeDrain(s.kind == pipeline.KindFilter)
	}
	if n > 0 {
		if n == 1 {
			s.log.Error("Lost/Dropped 1 message")
		} else {
			s.log.Error(fmt.Sprintf("Lost/Dropped %d messages", n))
		}
	}
}

// exit acts, once, on the plugin's stopping with err: it stops hekad
// (can_exit = false) or lets the router unregister the plugin.
func (s *sink) exit(err error) {
	if s.exited {
		return
	}
	s.exited = true
	switch {
	case s.e.aborting():
		s.log.Error("stopped while shutting down", "err", err)
	case s.canExit:
		s.logExit(err)
		s.log.Info("has stopped, exiting plugin without shutting down")
		var term *pipeline.Pack
		if !s.e.stopping.Load() {
			term = s.e.terminationPack(s, err)
		}
		s.e.router.remove(s, term)
	default:
		s.logExit(err)
		s.log.Error("has stopped, shutting down")
		s.e.fail(fmt.Errorf("%s '%s' stopped: %w", s.kindName(), s.name, err))
	}
}

func (s *sink) logExit(err error) {
	if st := panicStack(err); st != nil {
		s.log.Error("plugin panicked", "err", err, "stack", string(st))
		return
	}
	s.log.Error("plugin error", "err", err)
}
