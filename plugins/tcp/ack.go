package tcp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// Acknowledged shipping between hekad instances (ack = true on a TcpOutput
// and on the TcpInput it sends to). See README.md, "Acknowledged shipping".
//
// On the wire:
//
//	sender -> receiver: AckHello, then the records as usual (Heka framed)
//	receiver -> sender: AckHello (only if it enables ack and got the hello),
//	                    then ack frames: 'A' + 8 bytes big-endian offset
//
// The offset of an ack frame is the number of stream bytes after the hello,
// on this connection, that the receiving hekad has made durable: every
// record that ends at or before it is acknowledged. A new connection starts
// at offset 0 again and the sender first writes again every record not yet
// acknowledged.

// AckHello opens a connection whose sender wants acknowledgements, and is
// the receiver's answer when it gives them (message.AckHello).
const AckHello = message.AckHello

// ackFrameLen is the length of an ack frame: 'A' and the offset.
const ackFrameLen = message.AckFrameLen

// ackInterval is the least time between two ack frames on a connection:
// acknowledgements that arrive meanwhile are sent together.
const ackInterval = 10 * time.Millisecond

// ackWriteTimeout bounds the write of an ack frame.
const ackWriteTimeout = 10 * time.Second

// appendAckFrame appends the ack frame for offset off to dst.
func appendAckFrame(dst []byte, off int64) []byte { return message.AppendAckFrame(dst, off) }

// readHello reads what starts a connection: when its first bytes are
// AckHello it consumes them and reports true. The reader it returns gives
// the rest of the stream, bytes read while looking included. It only
// waits for more bytes while what it read so far is a prefix of AckHello.
func readHello(c io.Reader) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(c, 16)
	hello := true
	var err error
	for i := 1; i <= len(AckHello); i++ {
		var b []byte
		b, err = br.Peek(i)
		if err != nil || b[i-1] != AckHello[i-1] {
			hello = false
			break
		}
	}
	if hello {
		br.Discard(len(AckHello))
	}
	rest := br.Buffered()
	if rest == 0 {
		return c, hello, err
	}
	b, _ := br.Peek(rest)
	return io.MultiReader(bytes.NewReader(bytes.Clone(b)), c), hello, err
}

// acker sends the acknowledgements of one receiving connection: the
// stream's commits (the end of the longest prefix of records the engine
// made durable) are written as ack frames, at most one per ackInterval.
type acker struct {
	c    net.Conn
	off  atomic.Int64
	sig  chan struct{}
	stop context.CancelFunc // makes run send the last frame and return
	done chan struct{}      // closed when run returned
	sent *atomic.Int64      // ack frames written (the input's report)
}

// startAcker starts writing the acknowledgements of c, until its stop is
// called. It does not end with the connection's context: at shutdown the
// acknowledgements outlive it (lingering).
func startAcker(c net.Conn, sent *atomic.Int64) *acker {
	a := &acker{c: c, sent: sent, sig: make(chan struct{}, 1), done: make(chan struct{})}
	ctx, stop := context.WithCancel(context.Background())
	a.stop = stop
	go a.run(ctx)
	return a
}

// commit is the stream's Source.Commit: it never blocks.
func (a *acker) commit(off int64) {
	a.off.Store(off)
	select {
	case a.sig <- struct{}{}:
	default:
	}
}

// run writes ack frames until ctx is done, then the last one if
// commits came since, or until a write fails (the connection is then
// closed: the sender sends the unacknowledged records again on a new
// one).
func (a *acker) run(ctx context.Context) {
	defer close(a.done)
	var sent int64
	frame := make([]byte, 0, ackFrameLen)
	write := func(timeout time.Duration) bool {
		off := a.off.Load()
		if off == sent {
			return true
		}
		frame = appendAckFrame(frame[:0], off)
		a.c.SetWriteDeadline(time.Now().Add(timeout))
		if _, err := a.c.Write(frame); err != nil {
			a.c.Close()
			return false
		}
		sent = off
		a.sent.Add(1)
		return true
	}
	for {
		select {
		case <-a.sig:
		case <-ctx.Done():
			write(finalAckTimeout)
			return
		}
		if !write(ackWriteTimeout) {
			return
		}
		if !sleep(ctx, ackInterval) {
			write(finalAckTimeout)
			return
		}
	}
}

// finalAckTimeout bounds the write of the last ack frame of a connection.
const finalAckTimeout = time.Second

// lingerMax bounds how long a connection stays open at shutdown for its
// last acknowledgements when the engine does not call Drained.
const lingerMax = time.Minute

// lingering holds the acknowledging connections that outlive Run at
// shutdown: they stay open, no longer read, so that what the drain
// settles is acknowledged (Input.Drained), and the sender does not send
// it again.
type lingering struct {
	mu      sync.Mutex
	ctx     context.Context // done at Drained, or lingerMax after the first linger
	drained context.CancelFunc
	closed  []chan struct{} // closed once each connection is closed
}

// add keeps a's connection open until Drained.
func (l *lingering) add(a *acker) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ctx == nil {
		l.ctx, l.drained = context.WithTimeout(context.Background(), lingerMax)
	}
	closed := make(chan struct{})
	l.closed = append(l.closed, closed)
	context.AfterFunc(l.ctx, func() {
		defer close(closed)
		a.stop()
		<-a.done
		closeAfterAcks(a.c)
	})
}

// closeAfterAcks ends an acknowledging connection at shutdown without a
// reset, which could reach the sender before it read the last ack frame:
// a FIN after that frame, then it discards what the sender still writes
// (records it will send again on its next connection) until the sender
// closes, at most finalAckTimeout.
func closeAfterAcks(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		c.SetReadDeadline(time.Now().Add(finalAckTimeout))
		io.Copy(io.Discard, c)
	}
	c.Close()
}

// drain makes the lingering connections send their last acknowledgements
// and close, waiting for them at most twice finalAckTimeout and a little.
func (l *lingering) drain() {
	l.mu.Lock()
	closed, drained := l.closed, l.drained
	l.closed = nil
	l.mu.Unlock()
	if drained == nil {
		return
	}
	drained()
	t := time.NewTimer(2*finalAckTimeout + 100*time.Millisecond)
	defer t.Stop()
	for _, c := range closed {
		select {
		case <-c:
		case <-t.C:
			return
		}
	}
}

// Sender side.

// Connection modes of an acknowledging TcpOutput.
const (
	modeHello  int32 = iota // hello sent, no answer yet
	modeAcking              // the receiver acknowledges
	modeLegacy              // it does not: records are durable when written, as in Heka
)

// sendAcks is the state of a TcpOutput with ack = true. mu guards the
// connection (Output.cur) and the window; Write, Connect, the keeper and
// the connections' readers take it.
type sendAcks struct {
	mu       sync.Mutex
	acked    func(n int, err error) // the engine's DelayedAcker callback
	window   []unacked              // records written, not acknowledged, oldest first
	head     int                    // window[head:] are live
	bytes    int                    // their bytes
	progress time.Time              // last acknowledgement, dial, or start of waiting
	backoff  time.Duration          // the keeper's wait between failed dials
	nextDial time.Time

	moved   chan struct{} // capacity 1: the window shrank or the mode changed
	kick    chan struct{} // capacity 1: a connection ended: the keeper looks
	ctx     context.Context
	cancel  context.CancelFunc
	started bool
	readers sync.WaitGroup
	keeper  sync.WaitGroup

	acks     atomic.Int64 // ack frames received
	resent   atomic.Int64 // records written again on a new connection
	legacies atomic.Int64 // connections whose receiver did not answer the hello
}

// unacked is a record written and not yet acknowledged.
type unacked struct {
	data []byte
	end  int64 // stream offset just past it on the current connection
}

// maxWindowBytes bounds the bytes of unacknowledged records kept for
// sending again (a single larger record is still accepted).
const maxWindowBytes = 64 << 20

func newSendAcks() *sendAcks {
	ctx, cancel := context.WithCancel(context.Background())
	return &sendAcks{moved: make(chan struct{}, 1), kick: make(chan struct{}, 1), ctx: ctx, cancel: cancel}
}

func signalChan(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (a *sendAcks) live() int { return len(a.window) - a.head }

// ackOutput is a TcpOutput with ack = true: a pipeline.DelayedAcker.
type ackOutput struct{ *Output }

// SetAcker implements pipeline.DelayedAcker.
func (o ackOutput) SetAcker(acked func(n int, err error)) {
	o.ack.mu.Lock()
	o.ack.acked = acked
	o.ack.mu.Unlock()
}

// settle acknowledges the n oldest records of the window (a.mu held).
func (a *sendAcks) settle(n int) {
	if n <= 0 {
		return
	}
	for i := a.head; i < a.head+n; i++ {
		a.bytes -= len(a.window[i].data)
		a.window[i] = unacked{}
	}
	a.head += n
	if a.head == len(a.window) {
		a.window, a.head = a.window[:0], 0
	} else if a.head > 1024 && a.head > len(a.window)/2 {
		k := copy(a.window, a.window[a.head:])
		clear(a.window[k:])
		a.window, a.head = a.window[:k], 0
	}
	a.progress = time.Now()
	if a.acked != nil {
		a.acked(n, nil)
	}
	signalChan(a.moved)
}

// connectAck opens a connection if there is none or the current one
// ended, says hello and writes the unacknowledged records again. It
// starts the keeper on first use. o.ack.mu is held.
func (o *Output) connectAckLocked(ctx context.Context) error {
	a := o.ack
	if !a.started {
		a.started = true
		a.progress = time.Now()
		a.keeper.Add(1)
		go o.keep()
	}
	if o.cur != nil && !o.cur.peerGone.Load() {
		return nil
	}
	o.dropConnLocked()
	c, err := o.dial(ctx)
	if err != nil {
		return err
	}
	cn := &conn{c: c, ctx: a.ctx, done: make(chan struct{})}
	cn.stop = context.AfterFunc(a.ctx, func() { c.Close() })
	// The hello and every record not yet acknowledged, offsets from 0.
	bufs := net.Buffers{[]byte(AckHello)}
	var off int64
	for i := a.head; i < len(a.window); i++ {
		off += int64(len(a.window[i].data))
		a.window[i].end = off
		bufs = append(bufs, a.window[i].data)
	}
	c.SetWriteDeadline(time.Now().Add(o.cfg.AckTimeout.Duration()))
	if _, err := bufs.WriteTo(c); err != nil {
		cn.stop()
		c.Close()
		return fmt.Errorf("tcp output %q: writing to %s: %w: %w", o.name, o.cfg.Address, pipeline.ErrRetry, err)
	}
	c.SetWriteDeadline(time.Time{})
	if n := a.live(); n > 0 {
		a.resent.Add(int64(n))
		o.log.Info(fmt.Sprintf("sent %d unacknowledged records again", n), "address", o.cfg.Address)
	}
	cn.off = off
	a.progress = time.Now()
	o.cur = cn
	a.readers.Add(1)
	go o.readAcks(cn)
	o.log.Debug("connected", "address", o.cfg.Address, "local", c.LocalAddr().String(), "ack", true)
	return nil
}

// dropConnLocked closes the current connection without waiting for its
// reader (which may be waiting for o.ack.mu: it finds its connection is
// no longer current and returns).
func (o *Output) dropConnLocked() {
	if o.cur == nil {
		return
	}
	o.cur.stop()
	o.cur.c.Close()
	o.cur = nil
}

// readAcks reads the receiver's answer to the hello, then its ack frames,
// until the connection ends.
func (o *Output) readAcks(cn *conn) {
	a := o.ack
	defer a.readers.Done()
	defer close(cn.done)
	defer func() {
		cn.peerGone.Store(true)
		signalChan(a.kick)
	}()
	var buf [len(AckHello)]byte
	cn.c.SetReadDeadline(time.Now().Add(o.cfg.HelloTimeout.Duration()))
	_, err := io.ReadFull(cn.c, buf[:])
	var ne net.Error
	switch {
	case err == nil && string(buf[:]) == AckHello:
		cn.c.SetReadDeadline(time.Time{})
		a.mu.Lock()
		if o.cur == cn {
			cn.mode.Store(modeAcking)
			a.progress = time.Now()
		}
		a.mu.Unlock()
		o.log.Debug("the receiver acknowledges", "address", o.cfg.Address)
	case err == nil, errors.As(err, &ne) && ne.Timeout():
		// Heka, or a hekad without ack: as in Heka, a record is durable
		// once written.
		cn.c.SetReadDeadline(time.Time{})
		a.mu.Lock()
		if o.cur == cn {
			cn.mode.Store(modeLegacy)
			a.legacies.Add(1)
			a.settle(a.live())
		}
		a.mu.Unlock()
		if err == nil {
			o.log.Warn("the receiver answered the hello with unexpected bytes: records are acknowledged when written", "address", o.cfg.Address)
		} else {
			o.log.Info("the receiver does not acknowledge: records are acknowledged when written", "address", o.cfg.Address)
		}
		var discard [512]byte
		for {
			if _, err := cn.c.Read(discard[:]); err != nil {
				return
			}
		}
	default:
		return
	}
	var frame [ackFrameLen]byte
	for {
		if _, err := io.ReadFull(cn.c, frame[:]); err != nil {
			return
		}
		off, ok := message.ParseAckFrame(frame[:])
		if !ok {
			o.log.Error("bad ack frame from the receiver: reconnecting", "address", o.cfg.Address, "byte", frame[0])
			cn.c.Close()
			return
		}
		a.acks.Add(1)
		a.mu.Lock()
		if o.cur != cn {
			a.mu.Unlock()
			return
		}
		n := 0
		for i := a.head; i < len(a.window) && a.window[i].end <= off; i++ {
			n++
		}
		a.settle(n)
		a.mu.Unlock()
	}
}

// keep reconnects, and so sends again what is not acknowledged, when the
// connection ended or no acknowledgement came for ack_timeout while
// records wait for one, even if the engine has nothing more to write.
func (o *Output) keep() {
	a := o.ack
	defer a.keeper.Done()
	timeout := o.cfg.AckTimeout.Duration()
	t := time.NewTicker(min(max(timeout/4, 10*time.Millisecond), time.Second))
	defer t.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-a.kick:
		case <-t.C:
		}
		a.mu.Lock()
		if a.live() > 0 {
			if o.cur != nil && !o.cur.peerGone.Load() && time.Since(a.progress) > timeout {
				o.log.Warn(fmt.Sprintf("no acknowledgement for %s: reconnecting", timeout), "address", o.cfg.Address, "unacknowledged", a.live())
				o.dropConnLocked()
			}
			if (o.cur == nil || o.cur.peerGone.Load()) && !time.Now().Before(a.nextDial) {
				ctx, cancel := context.WithTimeout(a.ctx, timeout)
				err := o.connectAckLocked(ctx)
				cancel()
				if err != nil {
					a.backoff = min(max(2*a.backoff, 50*time.Millisecond), 2*time.Second)
					a.nextDial = time.Now().Add(a.backoff)
					o.log.Debug("reconnect failed", "err", err, "wait", a.backoff)
				} else {
					a.backoff = 0
				}
			}
		}
		a.mu.Unlock()
	}
}

// writeAck is Write with ack = true.
func (o *Output) writeAck(ctx context.Context, r pipeline.Record) error {
	a := o.ack
	if o.retire {
		if err := o.retireConn(ctx); err != nil {
			return err
		}
	}
	if err := o.waitRoom(ctx); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := o.connectAckLocked(ctx); err != nil {
		return err
	}
	cn := o.cur
	legacy := cn.mode.Load() == modeLegacy
	if !legacy {
		if a.live() == 0 {
			a.progress = time.Now()
		}
		a.window = append(a.window, unacked{data: bytes.Clone(r.Data), end: cn.off + int64(len(r.Data))})
		a.bytes += len(r.Data)
	}
	if ctx != cn.ctx {
		stop := context.AfterFunc(ctx, func() { cn.c.SetWriteDeadline(aLongTimeAgo) })
		defer stop()
	}
	if _, err := cn.c.Write(r.Data); err != nil {
		if !legacy { // the engine hands it again
			a.bytes -= len(r.Data)
			a.window[len(a.window)-1] = unacked{}
			a.window = a.window[:len(a.window)-1]
		}
		o.dropConnLocked()
		if cerr := context.Cause(ctx); cerr != nil {
			return cerr
		}
		return fmt.Errorf("tcp output %q: writing to %s: %w: %w", o.name, o.cfg.Address, pipeline.ErrRetry, err)
	}
	cn.off += int64(len(r.Data))
	o.written.Add(1)
	o.sent++
	if legacy && a.acked != nil {
		a.acked(1, nil)
	}
	if o.cfg.ReconnectAfter > 0 && o.sent%o.cfg.ReconnectAfter == 0 {
		o.reconnectDueLocked(legacy)
	}
	return nil
}

// writeAckBatch is WriteBatch with ack = true: the records of data (record
// i ends at ends[i]) join the window as if written one by one, and go out
// in one write.
func (o *Output) writeAckBatch(ctx context.Context, data []byte, ends []int) error {
	if len(data) == 0 {
		for range ends {
			o.emptyAck()
		}
		return nil
	}
	a := o.ack
	if o.retire {
		if err := o.retireConn(ctx); err != nil {
			return err
		}
	}
	if err := o.waitRoom(ctx); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := o.connectAckLocked(ctx); err != nil {
		return err
	}
	cn := o.cur
	legacy := cn.mode.Load() == modeLegacy
	added := 0
	if !legacy {
		if a.live() == 0 {
			a.progress = time.Now()
		}
		kept := bytes.Clone(data) // one copy for the batch; records share it
		start := 0
		for _, end := range ends {
			a.window = append(a.window, unacked{data: kept[start:end:end], end: cn.off + int64(end)})
			start = end
		}
		added = len(ends)
		a.bytes += len(data)
	}
	if ctx != cn.ctx {
		stop := context.AfterFunc(ctx, func() { cn.c.SetWriteDeadline(aLongTimeAgo) })
		defer stop()
	}
	if _, err := cn.c.Write(data); err != nil {
		if added > 0 { // the engine hands them again
			a.bytes -= len(data)
			clear(a.window[len(a.window)-added:])
			a.window = a.window[:len(a.window)-added]
		}
		o.dropConnLocked()
		if cerr := context.Cause(ctx); cerr != nil {
			return cerr
		}
		return fmt.Errorf("tcp output %q: writing to %s: %w: %w", o.name, o.cfg.Address, pipeline.ErrRetry, err)
	}
	cn.off += int64(len(data))
	n := int64(len(ends))
	o.written.Add(n)
	before := o.sent
	o.sent += n
	if legacy && a.acked != nil {
		a.acked(len(ends), nil)
	}
	if r := o.cfg.ReconnectAfter; r > 0 && o.sent/r != before/r {
		o.reconnectDueLocked(legacy)
	}
	return nil
}

// reconnectDueLocked acts on reconnect_after: a connection whose receiver
// does not acknowledge closes at once, as in Heka; an acknowledging one
// once everything written on it is acknowledged (the next write waits for
// that), so that a planned reconnection sends nothing twice.
func (o *Output) reconnectDueLocked(legacy bool) {
	if legacy {
		o.dropConnLocked()
		return
	}
	o.retire = true
}

// retireConn closes the connection that reached reconnect_after once the
// receiver acknowledged what was written on it, it ended, or no
// acknowledgement came for ack_timeout.
func (o *Output) retireConn(ctx context.Context) error {
	if err := o.waitAcked(ctx, o.cfg.AckTimeout.Duration()); err != nil {
		return err
	}
	a := o.ack
	a.mu.Lock()
	o.dropConnLocked()
	a.mu.Unlock()
	o.retire = false
	return nil
}

// waitAcked waits until nothing written waits for an acknowledgement, the
// connection is gone, or no acknowledgement came for patience; it returns
// ctx's cause when ctx ends first.
func (o *Output) waitAcked(ctx context.Context, patience time.Duration) error {
	return o.waitWindow(ctx, 50*time.Millisecond, func(a *sendAcks) bool {
		return a.live() == 0 || o.cur == nil || o.cur.peerGone.Load() || time.Since(a.progress) > patience
	})
}

// waitRoom waits until the window has room for one more record. When no
// acknowledgement comes for ack_timeout it reconnects (the keeper does).
func (o *Output) waitRoom(ctx context.Context) error {
	max := int(o.cfg.MaxUnacked)
	return o.waitWindow(ctx, 100*time.Millisecond, func(a *sendAcks) bool {
		return a.live() < max && (a.live() == 0 || a.bytes < maxWindowBytes)
	})
}

// waitWindow waits until ok (called with the window locked) holds, looking
// again whenever the window moves or poll passed; it returns ctx's cause
// when ctx ends first.
func (o *Output) waitWindow(ctx context.Context, poll time.Duration, ok func(a *sendAcks) bool) error {
	a := o.ack
	for {
		a.mu.Lock()
		done := ok(a)
		a.mu.Unlock()
		if done {
			return nil
		}
		t := time.NewTimer(poll)
		select {
		case <-a.moved:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		}
		t.Stop()
	}
}

// closeAck waits, up to ack_timeout without progress, for the
// acknowledgement of what was written, then stops the keeper and closes
// the connection.
func (o *Output) closeAck() {
	a := o.ack
	o.waitAcked(context.Background(), min(o.cfg.AckTimeout.Duration(), 5*time.Second))
	a.mu.Lock()
	n := a.live()
	a.mu.Unlock()
	if n > 0 {
		o.log.Info(fmt.Sprintf("closing with %d records not acknowledged", n), "address", o.cfg.Address)
	}
	a.cancel()
	a.keeper.Wait()
	a.mu.Lock()
	o.dropConnLocked()
	a.mu.Unlock()
	a.readers.Wait()
}

// emptyAck accepts a record with no bytes: it is acknowledged with the
// record before it (at once when none waits).
func (o *Output) emptyAck() {
	a := o.ack
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.live() == 0 {
		if a.acked != nil {
			a.acked(1, nil)
		}
		return
	}
	a.window = append(a.window, unacked{end: a.window[len(a.window)-1].end})
}
