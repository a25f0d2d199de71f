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

// ErrClosed is returned by a sender's Send after Close.
var ErrClosed = errors.New("sender closed")

// SenderStats counts what a sender did with the records given to it.
type SenderStats struct {
	// Sent is the number of records handed to the operating system (with
	// StreamOptions.Ack: acknowledged by the receiver).
	Sent uint64
	// Dropped is the number of records given to Send that will never be
	// sent: refused by the socket, over the queue's bound, left in the
	// queue when Close's deadline passed, or given after Close.
	Dropped uint64
	// Queued is the number of records waiting: in a stream sender's
	// queue, or in a datagram sender's batch.
	Queued uint64
	// Reconnects is the number of connections made after the first one
	// (stream senders).
	Reconnects uint64
}

// DatagramOptions configures a DatagramSender. The zero value sends one
// record per datagram, as heka-py's UdpStream.
type DatagramOptions struct {
	// BatchBytes, when above 0, packs consecutive records into datagrams
	// of at most this many bytes (a record larger than that goes alone),
	// sent when the next record does not fit, about FlushInterval after
	// the first record of the batch (at most twice that), or at Flush or
	// Close. hekad's UdpInput
	// splits a datagram into all the framed records it holds, so a batch
	// costs one system call instead of one per message; a lost datagram
	// loses the whole batch. Keep it within the path's MTU for UDP beyond
	// the local host (for instance 1400), or up to 65000 on loopback and
	// unix sockets.
	BatchBytes int
	// FlushInterval bounds how long a record waits in a batch (default
	// 10ms).
	FlushInterval time.Duration
}

// DatagramSender sends records as datagrams: to a UdpInput (network "udp",
// "udp4" or "udp6") or a unixgram UdpInput (network "unixgram"), whose
// splitter is HekaFramingSplitter. By default each record is one datagram,
// as heka-py's UdpStream sends them; DatagramOptions.BatchBytes packs
// several into one. Datagrams carry no delivery guarantee: a record is
// sent once the kernel took its datagram. A datagram the socket refuses
// (nothing listening, a full buffer, over the size limit) is dropped,
// counted with its records, and reported by the error of the Send that
// wrote it. Send does not allocate.
type DatagramSender struct {
	conn    net.Conn
	opts    DatagramOptions
	sent    atomic.Uint64
	dropped atomic.Uint64
	closed  atomic.Bool

	// Batching only.
	mu      sync.Mutex
	batch   []byte
	batchN  int
	started chan struct{} // a batch was started: the flusher arms its timer
	stop    chan struct{}
	done    chan struct{}
}

// NewDatagramSender returns a sender of datagrams to addr ("host:port", or
// a socket path for "unixgram"). It opens its socket at once: a datagram
// socket needs no peer.
func NewDatagramSender(network, addr string, opts DatagramOptions) (*DatagramSender, error) {
	switch network {
	case "udp", "udp4", "udp6", "unixgram":
	default:
		return nil, fmt.Errorf("datagram sender: network %q is not one of udp, udp4, udp6, unixgram", network)
	}
	if opts.FlushInterval <= 0 {
		opts.FlushInterval = 10 * time.Millisecond
	}
	conn, err := net.Dial(network, addr)
	if err != nil {
		return nil, fmt.Errorf("datagram sender: %w", err)
	}
	s := &DatagramSender{conn: conn, opts: opts}
	if opts.BatchBytes > 0 {
		s.batch = make([]byte, 0, opts.BatchBytes)
		s.started = make(chan struct{}, 1)
		s.stop = make(chan struct{})
		s.done = make(chan struct{})
		go s.flusher()
	}
	return s, nil
}

// Send writes rec as one datagram, or adds it to the current batch.
func (s *DatagramSender) Send(rec []byte) error {
	if s.closed.Load() {
		s.dropped.Add(1)
		return ErrClosed
	}
	if s.opts.BatchBytes <= 0 {
		return s.write(rec, 1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() { // closed while waiting for the lock
		s.dropped.Add(1)
		return ErrClosed
	}
	var err error
	if len(s.batch)+len(rec) > s.opts.BatchBytes {
		err = s.flushLocked()
	}
	if len(rec) > s.opts.BatchBytes { // alone, after the batch before it
		return errors.Join(err, s.write(rec, 1))
	}
	s.batch = append(s.batch, rec...)
	s.batchN++
	if s.batchN == 1 {
		select {
		case s.started <- struct{}{}:
		default:
		}
	}
	return err
}

// write sends b, holding n records, as one datagram.
func (s *DatagramSender) write(b []byte, n int) error {
	if _, err := s.conn.Write(b); err != nil {
		s.dropped.Add(uint64(n))
		return err
	}
	s.sent.Add(uint64(n))
	return nil
}

// flushLocked sends the batch; s.mu is held.
func (s *DatagramSender) flushLocked() error {
	if s.batchN == 0 {
		return nil
	}
	err := s.write(s.batch, s.batchN)
	s.batch, s.batchN = s.batch[:0], 0
	return err
}

// Flush sends the current batch now (batching only).
func (s *DatagramSender) Flush(context.Context) error {
	if s.opts.BatchBytes <= 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked()
}

// flusher sends each batch FlushInterval after its first record, unless
// it was sent before.
func (s *DatagramSender) flusher() {
	defer close(s.done)
	t := time.NewTimer(time.Hour)
	t.Stop()
	for {
		select {
		case <-s.started:
		case <-s.stop:
			return
		}
		t.Reset(s.opts.FlushInterval)
		select {
		case <-t.C:
		case <-s.stop:
			t.Stop()
			return
		}
		s.mu.Lock()
		_ = s.flushLocked()
		s.mu.Unlock()
	}
}

// Close sends the current batch and closes the socket.
func (s *DatagramSender) Close(context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	var err error
	if s.opts.BatchBytes > 0 {
		close(s.stop)
		<-s.done
		s.mu.Lock()
		err = s.flushLocked()
		s.mu.Unlock()
	}
	return errors.Join(err, s.conn.Close())
}

// Stats returns the sender's counts so far.
func (s *DatagramSender) Stats() SenderStats {
	st := SenderStats{Sent: s.sent.Load(), Dropped: s.dropped.Load()}
	if s.opts.BatchBytes > 0 {
		s.mu.Lock()
		st.Queued = uint64(s.batchN)
		s.mu.Unlock()
	}
	return st
}

var (
	_ Sender  = (*DatagramSender)(nil)
	_ Flusher = (*DatagramSender)(nil)
)
