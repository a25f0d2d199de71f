package engine

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/internal/diskqueue"
)

// A buffered output that is a pipeline.DelayedAcker (a TcpOutput whose peer
// acknowledges, a FileOutput that fsyncs later) has its disk queue's cursor
// moved only past records it acknowledged: the reader takes a mark after
// each record it hands the output, and commits up to the last mark whose
// record (and every one before it) is acknowledged. Records written but
// not acknowledged stay in the queue: after a kill -9 or a restart they are
// read and written again (duplicates, never loss). The output's callback
// runs on its own goroutines; it only counts and signals, the commits are
// made by the reader's goroutine (the queue's reading side is
// single-goroutine).

// bufAckDrain is how long, at shutdown, the reader of a buffered
// DelayedAcker waits without any acknowledgement for the records it wrote
// before it gives up (they stay queued for the next start).
const bufAckDrain = 2 * time.Second

// bufAcks is the acknowledgement state of a buffered DelayedAcker.
type bufAcks struct {
	acked  atomic.Int64  // records the output acknowledged since the start
	lost   atomic.Int64  // of those, records it reported lost
	signal chan struct{} // capacity 1: acked moved

	// Reader goroutine only.
	marks []readMark // records read and handed on, not yet committed
	head  int        // marks[head:] are live
	used  int64      // acknowledgements consumed by marks
}

// readMark is a record the reader handed the output.
type readMark struct {
	m     diskqueue.Mark
	acked bool // it waits for an acknowledgement (Write accepted it)
	// skip: a record of a batch other than its last; it has no position
	// of its own (m is unset): the batch commits at its last record's mark
	// only once every record of it is acknowledged.
	skip bool
}

func newBufAcks() *bufAcks { return &bufAcks{signal: make(chan struct{}, 1)} }

// bufferedAcked is the DelayedAcker callback of a buffered output.
func (s *sink) bufferedAcked(n int, err error) {
	if n <= 0 {
		return
	}
	if err != nil {
		// The output gave up on them: they are not written again.
		s.log.Error(fmt.Sprintf("%d records lost", n), "err", err)
		s.bufAck.lost.Add(int64(n))
	}
	s.bufAck.acked.Add(int64(n))
	select {
	case s.bufAck.signal <- struct{}{}:
	default:
	}
}

// ackSignal returns the channel that says acknowledgements arrived (nil
// when the queue's commits do not wait for them).
func (s *sink) ackSignal() <-chan struct{} {
	if s.bufAck == nil {
		return nil
	}
	return s.bufAck.signal
}

// commitRead commits the record the reader just handed the plugin: at
// once, or, for a DelayedAcker, once it and every record before it are
// acknowledged. accepted says the output's Write took it (a record the
// plugin dropped needs no acknowledgement).
func (s *sink) commitRead(q *diskqueue.Queue, accepted bool) {
	b := s.bufAck
	if b == nil {
		if err := q.Commit(); err != nil {
			s.log.Error("disk queue commit failed", "err", err)
		}
		return
	}
	b.marks = append(b.marks, readMark{m: q.Mark(), acked: accepted})
	s.commitAcked(q)
}

// commitBatch commits the records read for a batch, of which written went
// to the output in one WriteBatch: at once, or, for a DelayedAcker, once each
// written record is acknowledged (the cursor moves past the whole batch
// then, never into it).
func (s *sink) commitBatch(q *diskqueue.Queue, written int) {
	b := s.bufAck
	if b == nil {
		if err := q.Commit(); err != nil {
			s.log.Error("disk queue commit failed", "err", err)
		}
		return
	}
	for i := 1; i < written; i++ {
		b.marks = append(b.marks, readMark{acked: true, skip: true})
	}
	b.marks = append(b.marks, readMark{m: q.Mark(), acked: written > 0})
	s.commitAcked(q)
}

// commitAcked moves the queue's cursor past the longest prefix of marked
// records that needs no more acknowledgements.
func (s *sink) commitAcked(q *diskqueue.Queue) {
	b := s.bufAck
	if b == nil {
		return
	}
	avail := b.acked.Load() - b.used
	last, lastReal := -1, -1
	for i := b.head; i < len(b.marks); i++ {
		if b.marks[i].acked {
			if avail == 0 {
				break
			}
			avail--
			b.used++
		}
		last = i
		if !b.marks[i].skip {
			lastReal = i
		}
	}
	if last < 0 {
		return
	}
	if lastReal >= 0 {
		if err := q.CommitMark(b.marks[lastReal].m); err != nil {
			s.log.Error("disk queue commit failed", "err", err)
		}
	}
	b.head = last + 1
	if b.head == len(b.marks) {
		b.marks, b.head = b.marks[:0], 0
	} else if b.head > 1024 && b.head > len(b.marks)/2 {
		n := copy(b.marks, b.marks[b.head:])
		b.marks, b.head = b.marks[:n], 0
	}
}

// waitingAcks reports whether records handed on wait for acknowledgements.
func (s *sink) waitingAcks() bool {
	return s.bufAck != nil && s.bufAck.head < len(s.bufAck.marks)
}

// drainAcks, at shutdown, commits what the output acknowledges until
// every record handed on is, or bufAckDrain passes without any
// acknowledgement; what is left stays queued for the next start.
func (s *sink) drainAcks(q *diskqueue.Queue) {
	if !s.waitingAcks() {
		return
	}
	t := time.NewTimer(bufAckDrain)
	defer t.Stop()
	for s.waitingAcks() {
		select {
		case <-s.bufAck.signal:
			s.commitAcked(q)
			t.Reset(bufAckDrain)
		case <-t.C:
			n := len(s.bufAck.marks) - s.bufAck.head
			s.log.Info(fmt.Sprintf("%d records written but not acknowledged: they stay queued", n))
			return
		case <-s.e.abort:
			return
		}
	}
}
