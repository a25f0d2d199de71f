package client

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/message"
)

// Acknowledged shipping (StreamOptions.Ack), hekad's protocol between a
// TcpOutput and a TcpInput with ack = true (plugins/tcp/README.md):
//
//	sender -> receiver: message.AckHello, then the framed records
//	receiver -> sender: message.AckHello, then ack frames of 9 bytes: 'A'
//	                    and a big-endian uint64, the number of stream bytes
//	                    after the hello, on this connection, whose records
//	                    the receiver made durable
//
// A new connection counts offsets from 0 again, and the sender first
// writes again every record not acknowledged.

// The modes of an acknowledging connection.
const (
	modeUnknown int32 = iota // the answer to the hello has not come yet
	modeAcking               // the receiver acknowledges
	modeLegacy               // it does not: a record is done once written
)

// ackConn is one connection of an acknowledging sender.
type ackConn struct {
	mode  atomic.Int32
	acked atomic.Uint64 // the offset acknowledged so far
	done  chan struct{} // closed when the reader of the connection returns
}

// ackWriter keeps the records written and not yet acknowledged.
type ackWriter struct {
	link
	cn       *ackConn
	buf      []byte  // records taken from the queue, not acknowledged, back to back
	lens     []int32 // their lengths
	written  int     // bytes of buf written on the current connection
	base     uint64  // offset of buf[0] in the current connection's stream
	progress time.Time
	kick     chan struct{} // the reader has news
}

// runAck is run with Ack: the records taken from the queue stay in the
// writer until the receiver acknowledges them.
func (s *StreamSender) runAck() {
	w := &ackWriter{link: link{s: s, backoff: s.opts.MinBackoff}, kick: make(chan struct{}, 1)}
	defer w.disconnect()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		w.settle()
		closed := w.take()
		switch {
		case len(w.lens) == 0:
			if closed {
				return
			}
			select {
			case <-s.wake:
			case <-w.kick:
			case <-s.ctx.Done():
			}
			continue
		case s.ctx.Err() != nil:
			w.abandon()
			return
		case w.cn == nil:
			if !w.connectAck() {
				w.abandon()
				return
			}
			continue
		case w.written < len(w.buf):
			n, err := w.write(w.buf[w.written:])
			w.written += n
			if err != nil {
				w.fail(err)
				w.disconnect()
			}
			continue
		}
		// Everything is written: wait for an acknowledgement, more
		// records, the end of the connection or the ack timeout.
		wait := s.opts.AckTimeout - time.Since(w.progress)
		if wait <= 0 {
			w.fail(fmt.Errorf("stream sender: no acknowledgement from %s for %v: reconnecting", s.addr, s.opts.AckTimeout))
			w.disconnect()
			continue
		}
		timer.Reset(wait)
		select {
		case <-s.wake:
		case <-w.kick:
		case <-w.cn.done:
			// The receiver closed: what it acknowledged is done, the rest
			// is written again on the next connection.
			w.settle()
			w.disconnect()
		case <-timer.C:
		case <-s.ctx.Done():
		}
		timer.Stop()
	}
}

// take moves the queued records to the writer's buffer and reports whether
// the sender is closed.
func (w *ackWriter) take() bool {
	s := w.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pendingLens) > 0 {
		w.buf = append(w.buf, s.pending...)
		w.lens = append(w.lens, s.pendingLens...)
		s.pending, s.pendingLens = s.pending[:0], s.pendingLens[:0]
	}
	return s.closed
}

// settle drops from the buffer the records the receiver acknowledged (or,
// from a receiver that does not acknowledge, the records written) and
// counts them as sent.
func (w *ackWriter) settle() {
	if w.cn == nil {
		return
	}
	var upto uint64
	switch w.cn.mode.Load() {
	case modeAcking:
		upto = w.cn.acked.Load()
	case modeLegacy:
		upto = w.base + uint64(w.written)
	default:
		return
	}
	n, b := 0, 0
	for n < len(w.lens) && w.base+uint64(b)+uint64(w.lens[n]) <= upto {
		b += int(w.lens[n])
		n++
	}
	if n == 0 {
		return
	}
	w.buf = w.buf[:copy(w.buf, w.buf[b:])]
	w.lens = w.lens[:copy(w.lens, w.lens[n:])]
	w.written = max(w.written-b, 0)
	w.base += uint64(b)
	w.progress = time.Now()
	w.s.sent.Add(uint64(n))
	w.s.mu.Lock()
	w.s.settleLocked(n, b)
	w.s.mu.Unlock()
}

// connectAck connects, writes the hello and starts the reader of the
// answer and the acknowledgements; the buffer is then written again from
// its start. It returns false when Close gave up.
func (w *ackWriter) connectAck() bool {
	for {
		if !w.connect() {
			return false
		}
		if _, err := w.write([]byte(message.AckHello)); err != nil {
			w.fail(err)
			w.link.disconnect()
			if w.s.ctx.Err() != nil {
				return false
			}
			continue
		}
		cn := &ackConn{done: make(chan struct{})}
		go w.readAcks(w.conn, cn)
		w.cn, w.written, w.base, w.progress = cn, 0, 0, time.Now()
		return true
	}
}

// disconnect closes the connection and waits for its reader.
func (w *ackWriter) disconnect() {
	w.link.disconnect()
	if w.cn != nil {
		<-w.cn.done
		w.cn = nil
	}
	w.written, w.base = 0, 0
}

// abandon drops what is left once Close gave up.
func (w *ackWriter) abandon() {
	w.buf, w.lens = w.buf[:0], w.lens[:0]
	w.s.mu.Lock()
	w.s.abandonLocked()
	w.s.mu.Unlock()
}

// readAcks reads the answer to the hello, then the acknowledgements, until
// the connection ends.
func (w *ackWriter) readAcks(c net.Conn, cn *ackConn) {
	defer close(cn.done)
	defer w.signal()
	s := w.s
	var hello [len(message.AckHello)]byte
	_ = c.SetReadDeadline(time.Now().Add(s.opts.HelloTimeout))
	_, err := io.ReadFull(c, hello[:])
	var ne net.Error
	switch {
	case err == nil && string(hello[:]) == message.AckHello:
		_ = c.SetReadDeadline(time.Time{})
		cn.mode.Store(modeAcking)
	case s.ctx.Err() != nil:
		// Close gave up (and set a deadline in the past): nothing
		// written here counts as sent.
		return
	case err == nil, errors.As(err, &ne) && ne.Timeout():
		// Heka, or a hekad without ack: as in Heka, a record is done
		// once written.
		_ = c.SetReadDeadline(time.Time{})
		cn.mode.Store(modeLegacy)
		w.signal()
		_, _ = io.Copy(io.Discard, c)
		return
	default:
		return
	}
	var frame [message.AckFrameLen]byte
	for {
		if _, err := io.ReadFull(c, frame[:]); err != nil {
			return
		}
		off, ok := message.ParseAckFrame(frame[:])
		if !ok {
			w.fail(fmt.Errorf("stream sender: bad acknowledgement from %s (byte %#x): reconnecting", s.addr, frame[0]))
			c.Close()
			return
		}
		if uint64(off) > cn.acked.Load() {
			cn.acked.Store(uint64(off))
		}
		w.signal()
	}
}

// signal wakes the writer.
func (w *ackWriter) signal() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}
