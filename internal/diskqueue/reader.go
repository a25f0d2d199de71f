package diskqueue

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// reader is the state of the reading side, guarded by Queue.rmu.
type reader struct {
	sr    *segReader
	f     *os.File // segment being read
	id    int64    // its id
	limit int64    // its durable size as last applied to sr

	cursor      position // committed: everything before it was delivered
	ckpt        position // what the checkpoint file holds
	uncommitted int64    // records returned by Next since the last Commit
	commits     int      // Commits since the checkpoint was written
}

// start positions the reader at the cursor.
func (rd *reader) start(q *Queue, cursor position, buf []byte) error {
	f, err := os.Open(segmentPath(q.dir, cursor.id))
	if err != nil {
		return q.errorf("open segment: %w", err)
	}
	rd.f, rd.id, rd.cursor = f, cursor.id, cursor
	rd.sr = newSegReader(f, cursor.off, 0, q.opts.MaxMessageSize, buf)
	return nil
}

// Next returns the message of the next durable record (one that a Sync
// made durable), blocking until there is one, ctx is done (the error then
// wraps ctx.Err()) or the queue is closed (ErrClosed). The returned bytes
// are valid until the next call to Next; the record is delivered once
// Commit is called. Corrupt records are skipped, logged with their segment
// and offset and counted in Stats.Corrupt. Next must only be called from
// the reader goroutine.
//
// A reader that commits in batches must not block in Next while it holds
// uncommitted records: with the queue full, the writer waits for a Commit
// to free space and the reader for a record, forever. Call Next with a
// context that is already done to take only what is ready (it returns the
// records that are, then the context's error), commit, then block.
func (q *Queue) Next(ctx context.Context) ([]byte, error) {
	q.rmu.Lock()
	defer q.rmu.Unlock()
	rd := &q.rd
	for {
		if q.closed.Load() {
			return nil, q.errorf("next: %w", ErrClosed)
		}
		ev, err := rd.sr.next()
		if err != nil {
			return nil, q.errorf("read %s: %w", segmentName(rd.id), err)
		}
		switch ev.kind {
		case evRecord:
			rd.uncommitted++
			return ev.msg, nil
		case evCorrupt:
			q.corrupt.Add(1)
			q.log.Warn(fmt.Sprintf("skipped corrupt record at %s:%d", segmentName(rd.id), ev.start),
				"dir", q.dir, "bytes", ev.end-ev.start, "reason", ev.reason)
			continue
		}
		// At the durable end: more bytes, the next segment, or wait.
		size, sealed, next, ok := q.segmentState(rd.id)
		if !ok {
			return nil, q.errorf("next: segment %s is gone", segmentName(rd.id))
		}
		if size > rd.limit {
			rd.limit = size
			rd.sr.setLimit(size)
			continue
		}
		if sealed && next >= 0 {
			if err := q.moveTo(next); err != nil {
				return nil, err
			}
			continue
		}
		select {
		case <-q.notify:
		case <-q.done:
			return nil, q.errorf("next: %w", ErrClosed)
		case <-ctx.Done():
			return nil, q.errorf("next: %w", ctx.Err())
		}
	}
}

// segmentState returns the durable size of segment id, whether it is
// sealed, and the id of the next published segment (-1 if none).
func (q *Queue) segmentState(id int64) (size int64, sealed bool, next int64, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	next = -1
	for i, s := range q.segs {
		if s.id == id {
			if i+1 < len(q.segs) {
				next = q.segs[i+1].id
			}
			return s.size, s.sealed, next, true
		}
	}
	return 0, false, -1, false
}

// moveTo makes the reader go on to segment id, the reader's segment being
// consumed. With nothing uncommitted, the cursor moves too (the checkpoint
// is written and the consumed segments deleted).
func (q *Queue) moveTo(id int64) error {
	rd := &q.rd
	f, err := os.Open(segmentPath(q.dir, id))
	if err != nil {
		return q.errorf("open segment: %w", err)
	}
	rd.f.Close()
	rd.f, rd.id, rd.limit = f, id, 0
	rd.sr.reset(f, 0, 0)
	if rd.uncommitted == 0 {
		rd.cursor = position{id: id}
		return q.checkpoint()
	}
	return nil
}

// Commit marks every record Next returned so far as delivered: the cursor
// moves to the reader's position. The checkpoint is written every
// CursorUpdateCount Commits, and whenever the cursor enters a new segment,
// after which the segments before the cursor are deleted. Commit must only
// be called from the reader goroutine; it returns ErrNothingToCommit if Next
// returned no record since the last Commit.
func (q *Queue) Commit() error {
	q.rmu.Lock()
	defer q.rmu.Unlock()
	if q.closed.Load() {
		return q.errorf("commit: %w", ErrClosed)
	}
	rd := &q.rd
	if rd.uncommitted == 0 {
		return q.errorf("commit: %w", ErrNothingToCommit)
	}
	// Everything the reader consumed is delivered: the records, and any
	// corrupt bytes it skipped before the last one.
	rd.cursor = position{id: rd.id, off: rd.sr.pos()}
	q.pending.Add(-rd.uncommitted)
	q.committed.Add(rd.uncommitted)
	rd.uncommitted = 0
	rd.commits++
	if rd.cursor.id != rd.ckpt.id || rd.commits >= q.opts.CursorUpdateCount {
		if err := q.checkpoint(); err != nil {
			return err
		}
	}
	q.publishCursor()
	signal(q.freed)
	return nil
}

// checkpoint writes the cursor to the checkpoint file, then deletes the
// segments before the cursor.
func (q *Queue) checkpoint() error {
	rd := &q.rd
	q.publishCursor()
	q.mu.Lock()
	deletes := len(q.segs) > 0 && q.segs[0].id < rd.cursor.id
	q.mu.Unlock()
	if err := updateCheckpoint(q.ckpf, rd.cursor, deletes); err != nil {
		return q.errorf("%w", err)
	}
	rd.ckpt = rd.cursor
	rd.commits = 0
	q.mu.Lock()
	var gone []pubSegment
	i := 0
	for i < len(q.segs) && q.segs[i].id < rd.cursor.id {
		gone = append(gone, q.segs[i])
		i++
	}
	q.segs = append(q.segs[:0], q.segs[i:]...)
	q.mu.Unlock()
	var errs []error
	for _, s := range gone {
		err := os.Remove(segmentPath(q.dir, s.id))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		q.bytes.Add(-s.fileBytes)
		q.segments.Add(-1)
	}
	if len(gone) > 0 {
		signal(q.freed)
	}
	if err := errors.Join(errs...); err != nil {
		return q.errorf("delete consumed segment: %w", err)
	}
	return nil
}

// publishCursor makes the cursor visible to the writer.
func (q *Queue) publishCursor() {
	q.cursorID.Store(q.rd.cursor.id)
	q.cursorOff.Store(q.rd.cursor.off)
}
