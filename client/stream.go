package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// ErrQueueFull is returned by StreamSender.Send when the record does not fit
// in the queue's bound; the record is dropped and counted.
var ErrQueueFull = errors.New("sender queue full")

// StreamOptions configures a StreamSender. Zero fields take their defaults.
type StreamOptions struct {
	// QueueBytes bounds the bytes of the records waiting to be written,
	// including those of a write in progress and, with Ack, those not yet
	// acknowledged (default 8 MiB). A record that does not fit is dropped.
	// The sender's buffers hold up to about twice this.
	QueueBytes int
	// DialTimeout bounds one connection attempt (default 5s).
	DialTimeout time.Duration
	// MinBackoff is the wait after the first failed connection attempt; it
	// doubles after each failure up to MaxBackoff (defaults 50ms and 5s).
	MinBackoff, MaxBackoff time.Duration
	// WriteTimeout breaks a connection on which a write made no progress
	// for that long, to reconnect (default 30s).
	WriteTimeout time.Duration
	// Block makes Send wait for room when the queue is full, instead of
	// dropping the record: for tools such as heka-flood that must not
	// lose what they generate. An application that must never stall on
	// hekad leaves it false.
	Block bool
	// Ack asks the receiver for acknowledgements (hekad's "acknowledged
	// shipping": a TcpInput with ack = true): a record then counts as Sent
	// only once the receiving hekad has made it durable, and the records
	// not acknowledged when a connection ends are written again on the
	// next one. A hekad restart then costs duplicates, never uncounted
	// loss. Against a receiver that does not answer the hello within
	// HelloTimeout (Heka, or ack = false), records count as sent once
	// written, as without Ack.
	Ack bool
	// AckTimeout is how long written records may wait for an
	// acknowledgement before the sender reconnects and writes them again
	// (default 30s).
	AckTimeout time.Duration
	// HelloTimeout is how long the sender waits for the receiver's answer
	// to its hello (default 2s).
	HelloTimeout time.Duration
	// OnError, when set, is called from the sender's goroutine with each
	// connection error (failed dial, broken write). It must not block.
	OnError func(error)
}

func (o *StreamOptions) setDefaults() {
	if o.QueueBytes <= 0 {
		o.QueueBytes = 8 << 20
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 5 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 50 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(5*time.Second, o.MinBackoff)
	}
	if o.AckTimeout <= 0 {
		o.AckTimeout = 30 * time.Second
	}
	if o.HelloTimeout <= 0 {
		o.HelloTimeout = 2 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 30 * time.Second
	}
}

// StreamSender writes records to a stream socket: a TcpInput (network
// "tcp", "tcp4", "tcp6") or a unix-socket TcpInput (network "unix").
//
// Send only appends the record to a bounded in-memory queue; one goroutine
// connects when there is something to write (lazily), writes the queue in
// batches, and reconnects with exponential back-off when the connection
// fails, writing again every record not wholly written. So a slow or down
// hekad never blocks the application: when the queue is full, Send drops
// the record, counts it and returns ErrQueueFull.
//
// What is counted: a record is Sent once the kernel took all its bytes;
// Dropped when the queue had no room, when it was given after Close, or
// when it was still queued at Close's deadline. Records in the kernel's
// socket buffers when a connection breaks (written, not yet read by
// hekad) can be lost without being counted: TCP does not tell which.
type StreamSender struct {
	network, addr string
	opts          StreamOptions

	mu          sync.Mutex
	pending     []byte  // queued records, back to back
	pendingLens []int32 // their lengths
	spare       []byte  // the buffer of the last batch, for reuse
	spareLens   []int32
	queuedBytes int    // pending and in flight
	queuedRecs  uint64 // pending and in flight
	enqueued    uint64 // records accepted by Send, ever
	finished    uint64 // records sent or dropped after being accepted
	progress    chan struct{}
	closed      bool
	abandoned   uint64   // records dropped when Close gave up
	conn        net.Conn // the current connection, for Close to interrupt

	wake   chan struct{}
	ctx    context.Context // cancelled when Close gives up
	cancel context.CancelFunc
	done   chan struct{}

	sent, dropped, reconnects atomic.Uint64
}

// NewStreamSender returns a sender to addr ("host:port", or a socket path
// for "unix"). It connects on the first record, not now.
func NewStreamSender(network, addr string, opts StreamOptions) (*StreamSender, error) {
	switch network {
	case "tcp", "tcp4", "tcp6", "unix":
	default:
		return nil, fmt.Errorf("stream sender: network %q is not one of tcp, tcp4, tcp6, unix", network)
	}
	opts.setDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &StreamSender{
		network: network, addr: addr, opts: opts,
		progress: make(chan struct{}),
		wake:     make(chan struct{}, 1),
		ctx:      ctx, cancel: cancel,
		done: make(chan struct{}),
	}
	go s.run()
	return s, nil
}

// Send queues a copy of rec; it never blocks on the network.
func (s *StreamSender) Send(rec []byte) error {
	s.mu.Lock()
	for s.queuedBytes+len(rec) > s.opts.QueueBytes && s.queuedBytes > 0 && s.opts.Block && !s.closed {
		ch := s.progress
		s.mu.Unlock()
		select {
		case <-ch:
		case <-s.done:
		}
		s.mu.Lock()
	}
	if s.closed {
		s.mu.Unlock()
		s.dropped.Add(1)
		return ErrClosed
	}
	if s.queuedBytes+len(rec) > s.opts.QueueBytes {
		s.mu.Unlock()
		s.dropped.Add(1)
		return ErrQueueFull
	}
	s.pending = append(s.pending, rec...)
	s.pendingLens = append(s.pendingLens, int32(len(rec)))
	s.queuedBytes += len(rec)
	s.queuedRecs++
	s.enqueued++
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Flush waits until every record queued before the call has been sent or
// dropped, or until ctx is done.
func (s *StreamSender) Flush(ctx context.Context) error {
	s.mu.Lock()
	target := s.enqueued
	for s.finished < target {
		ch := s.progress
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("stream sender: flush: %w", ctx.Err())
		case <-s.done:
			return nil
		}
		s.mu.Lock()
	}
	s.mu.Unlock()
	return nil
}

// Close stops accepting records and waits until the queue is written or
// ctx is done; then it drops what is left (counted), and closes the
// connection. The error says how many records were dropped at the deadline.
func (s *StreamSender) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
	}
	s.cancel()
	s.mu.Lock()
	if s.conn != nil {
		_ = s.conn.SetDeadline(time.Now())
	}
	s.mu.Unlock()
	<-s.done
	s.mu.Lock()
	left := s.abandoned + s.queuedRecs
	s.mu.Unlock()
	if left > 0 {
		return fmt.Errorf("stream sender: close: %d records dropped: %w", left, ctx.Err())
	}
	return nil
}

// Stats returns the sender's counts so far.
func (s *StreamSender) Stats() SenderStats {
	s.mu.Lock()
	q := s.queuedRecs
	s.mu.Unlock()
	return SenderStats{Sent: s.sent.Load(), Dropped: s.dropped.Load(), Queued: q, Reconnects: s.reconnects.Load()}
}

// run is the sender's goroutine: it takes the queue as a batch, writes it,
// and repeats until Close.
func (s *StreamSender) run() {
	defer close(s.done)
	if s.opts.Ack {
		s.runAck()
		return
	}
	w := streamWriter{link{s: s, backoff: s.opts.MinBackoff}}
	defer w.disconnect()
	for {
		s.mu.Lock()
		batch, lens, closed := s.pending, s.pendingLens, s.closed
		if len(lens) > 0 {
			s.pending, s.pendingLens = s.spare[:0], s.spareLens[:0]
			s.spare, s.spareLens = nil, nil
		}
		s.mu.Unlock()
		if len(lens) == 0 {
			if closed {
				return
			}
			select {
			case <-s.wake:
			case <-s.ctx.Done():
				return
			}
			continue
		}
		sent := w.writeBatch(batch, lens)
		bytes := 0
		for _, l := range lens[:sent] {
			bytes += int(l)
		}
		s.mu.Lock()
		s.spare, s.spareLens = batch[:0], lens[:0]
		s.settleLocked(sent, bytes)
		if sent < len(lens) { // aborted by Close: the rest is dropped
			s.abandonLocked()
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
	}
}

// settleLocked counts n records of the queue (b bytes) as done: sent, or
// acknowledged. s.mu is held.
func (s *StreamSender) settleLocked(n, b int) {
	s.queuedBytes -= b
	s.queuedRecs -= uint64(n)
	s.finished += uint64(n)
	close(s.progress)
	s.progress = make(chan struct{})
}

// abandonLocked drops every record still queued, written or not, once
// Close gave up. s.mu is held.
func (s *StreamSender) abandonLocked() {
	s.abandoned = s.queuedRecs
	s.dropped.Add(s.queuedRecs)
	s.pending, s.pendingLens = s.pending[:0], s.pendingLens[:0]
	s.settleLocked(int(s.queuedRecs), s.queuedBytes)
}

// link is a writer's connection: dialed with back-off, and registered
// with the sender so that Close can interrupt a write.
type link struct {
	s         *StreamSender
	conn      net.Conn
	connected bool // a connection was made before
	backoff   time.Duration
}

// connect dials until it succeeds or Close gives up, waiting the back-off
// between attempts.
func (l *link) connect() bool {
	s := l.s
	d := net.Dialer{Timeout: s.opts.DialTimeout}
	for {
		conn, err := d.DialContext(s.ctx, s.network, s.addr)
		if err == nil {
			s.mu.Lock()
			if s.ctx.Err() != nil {
				s.mu.Unlock()
				conn.Close()
				return false
			}
			l.conn, s.conn = conn, conn
			s.mu.Unlock()
			if l.connected {
				s.reconnects.Add(1)
			}
			l.connected = true
			l.backoff = s.opts.MinBackoff
			return true
		}
		if s.ctx.Err() != nil {
			return false
		}
		l.fail(fmt.Errorf("stream sender: %w", err))
		t := time.NewTimer(l.backoff)
		select {
		case <-t.C:
		case <-s.ctx.Done():
			t.Stop()
			return false
		}
		l.backoff = min(2*l.backoff, s.opts.MaxBackoff)
	}
}

// disconnect closes the connection, if any.
func (l *link) disconnect() {
	if l.conn == nil {
		return
	}
	l.s.mu.Lock()
	l.s.conn = nil
	l.s.mu.Unlock()
	l.conn.Close()
	l.conn = nil
}

// write writes b with the write timeout. A write deadline is set under
// the lock, so that Close's abort (cancel, then a deadline in the past) is
// never overwritten; after the abort, write writes nothing.
func (l *link) write(b []byte) (int, error) {
	s := l.s
	s.mu.Lock()
	if err := s.ctx.Err(); err != nil {
		s.mu.Unlock()
		return 0, err
	}
	_ = l.conn.SetWriteDeadline(time.Now().Add(s.opts.WriteTimeout))
	s.mu.Unlock()
	n, err := l.conn.Write(b)
	if err != nil {
		err = fmt.Errorf("stream sender: write to %s: %w", s.addr, err)
	}
	return n, err
}

func (l *link) fail(err error) {
	if l.s.opts.OnError != nil {
		l.s.opts.OnError(err)
	}
}

// streamWriter writes batches without acknowledgements: a record is sent
// once written.
type streamWriter struct{ link }

// writeBatch writes the records of batch (of lengths lens), reconnecting
// as needed, and returns how many were wholly written: all of them, unless
// Close gave up.
func (w *streamWriter) writeBatch(batch []byte, lens []int32) int {
	s := w.s
	done, off := 0, 0 // records and bytes written
	for done < len(lens) {
		if w.conn == nil && !w.connect() {
			return done
		}
		n, err := w.write(batch[off:])
		// Count the records wholly written; a record cut by an error is
		// written again from its start on the next connection.
		end := off + n
		for done < len(lens) && off+int(lens[done]) <= end {
			off += int(lens[done])
			done++
			s.sent.Add(1)
		}
		if err != nil {
			w.fail(err)
			w.disconnect()
			if s.ctx.Err() != nil {
				return done
			}
		}
	}
	return done
}

var (
	_ Sender  = (*StreamSender)(nil)
	_ Flusher = (*StreamSender)(nil)
)
