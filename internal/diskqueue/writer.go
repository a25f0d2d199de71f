package diskqueue

import (
	"errors"
	"fmt"
	"os"
)

// flushSize is the size of buffered records past which Append writes them
// to the segment file (without syncing) before buffering more.
const flushSize = 1 << 20

// wseg is a segment file the writer has open.
type wseg struct {
	f       *os.File
	id      int64
	written int64 // bytes written to the file
	durable int64 // bytes synced and published to the reader
	dirty   bool  // written since the last fsync
}

// writer is the state of the writing side, owned by the writer goroutine.
type writer struct {
	buf    []byte // framed records not yet written
	active *wseg  // the segment being appended to
	// rolled holds the segments the writer moved away from since the last
	// Sync, oldest first; they are synced and sealed by the next Sync.
	// rolled[0] is the segment that was active at the last Sync.
	rolled []*wseg
	// newFiles: segment files were created since the last Sync, so the
	// directory needs an fsync.
	newFiles bool
	// records appended since the last Sync.
	records int64
	// forceRoll: the next Append starts a new segment (the tail of the
	// current one could not be truncated after a failed Sync).
	forceRoll bool
	// fault, when set (by tests), may fail an operation ("write", "fsync")
	// before it is done.
	fault func(op string) error
}

// injected returns the fault a test injected for op, if any.
func (w *writer) injected(op string) error {
	if w.fault == nil {
		return nil
	}
	return w.fault(op)
}

// Append adds one record holding msg (one protobuf-encoded message; its
// bytes are copied) to the queue. The record is buffered: it is durable, and
// visible to Next, once a Sync returns nil. Append does no fsync; it writes
// to the segment file only when the buffer passes 1 MiB or the segment
// rolls over.
//
// Errors: ErrTooLarge (message over MaxMessageSize), ErrFull (the record does
// not fit in MaxBufferSize, or the file system is full), ErrClosed. On error
// the record was not appended and the records appended before are still
// buffered. Append must only be called from the writer goroutine.
func (q *Queue) Append(msg []byte) error {
	if q.closed.Load() {
		return q.errorf("append: %w", ErrClosed)
	}
	if len(msg) > q.opts.MaxMessageSize {
		return q.errorf("append %d bytes: %w (max_message_size %d)", len(msg), ErrTooLarge, q.opts.MaxMessageSize)
	}
	w := &q.w
	n := int64(recordSize(len(msg)))
	if limit := q.opts.MaxBufferSize; limit > 0 && q.bytes.Load()+int64(len(w.buf))+n > limit {
		if err := q.rollToFree(); err != nil {
			return err
		}
		return q.errorf("append: %w: %d bytes on disk, %d buffered, record of %d, max_buffer_size %d",
			ErrFull, q.bytes.Load(), len(w.buf), n, limit)
	}
	if size := w.active.written + int64(len(w.buf)); w.forceRoll || size > 0 && size+n > q.opts.MaxFileSize {
		if err := q.roll(); err != nil {
			return err
		}
	}
	if len(w.buf) > 0 && len(w.buf)+int(n) > flushSize {
		if err := q.flush(); err != nil {
			return err
		}
	}
	w.buf = appendRecord(w.buf, msg)
	w.records++
	q.pending.Add(1)
	q.appended.Add(1)
	return nil
}

// Sync writes the records Append buffered and fsyncs the segment files they
// went to (one write and one fsync in the common case); when it returns nil,
// every record appended before is durable and Next may return it. With
// nothing appended since the last Sync it does nothing.
//
// If Sync fails (ErrFull when the file system is full), the records
// appended since the last successful Sync are discarded: they are not in
// the queue, and Next never returns them. The queue stays usable; the
// caller may append them again. Sync must only be called from the writer
// goroutine.
func (q *Queue) Sync() error {
	if q.closed.Load() {
		return q.errorf("sync: %w", ErrClosed)
	}
	return q.sync()
}

func (q *Queue) sync() error {
	w := &q.w
	if len(w.buf) == 0 && !w.active.dirty && len(w.rolled) == 0 && !w.newFiles {
		return nil
	}
	if err := q.flush(); err != nil {
		return q.discard(err)
	}
	if err := w.injected("fsync"); err != nil {
		return q.discard(q.ioError("sync", err))
	}
	for _, s := range w.rolled {
		if s.dirty {
			if err := s.f.Sync(); err != nil {
				return q.discard(q.ioError("sync "+segmentName(s.id), err))
			}
		}
	}
	if w.active.dirty {
		if err := w.active.f.Sync(); err != nil {
			return q.discard(q.ioError("sync "+segmentName(w.active.id), err))
		}
	}
	if w.newFiles {
		if err := q.dirf.Sync(); err != nil {
			return q.discard(q.ioError("sync directory", err))
		}
	}
	// Publish: sealed segments with their final size, then the active one.
	q.mu.Lock()
	for _, s := range w.rolled {
		q.publish(s, true)
	}
	q.publish(w.active, false)
	q.mu.Unlock()
	for _, s := range w.rolled {
		s.f.Close()
	}
	clear(w.rolled)
	w.rolled = w.rolled[:0]
	w.active.durable = w.active.written
	w.active.dirty = false
	w.newFiles = false
	w.records = 0
	signal(q.notify)
	return nil
}

// publish updates or adds segment s in the reader's list; q.mu is held.
func (q *Queue) publish(s *wseg, sealed bool) {
	for i := len(q.segs) - 1; i >= 0; i-- {
		if q.segs[i].id == s.id {
			q.segs[i].size, q.segs[i].fileBytes, q.segs[i].sealed = s.written, s.written, sealed
			return
		}
		if q.segs[i].id < s.id {
			break
		}
	}
	q.segs = append(q.segs, pubSegment{id: s.id, size: s.written, fileBytes: s.written, sealed: sealed})
}

// flush writes the buffered records to the active segment, without fsync.
// On error the buffer is kept, and the bytes a partial write left past the
// segment's end are overwritten by the next write.
func (q *Queue) flush() error {
	w := &q.w
	if len(w.buf) == 0 {
		return nil
	}
	s := w.active
	if err := w.injected("write"); err != nil {
		return q.ioError("write "+segmentName(s.id), err)
	}
	n, err := s.f.WriteAt(w.buf, s.written)
	if err != nil {
		return q.ioError("write "+segmentName(s.id), err)
	}
	s.written += int64(n)
	s.dirty = true
	q.bytes.Add(int64(n))
	w.buf = w.buf[:0]
	return nil
}

// roll writes the buffer to the active segment and starts a new segment
// file. The old one is synced and sealed by the next Sync.
func (q *Queue) roll() error {
	w := &q.w
	if err := q.flush(); err != nil {
		return err
	}
	id := w.active.id + 1
	f, err := os.OpenFile(segmentPath(q.dir, id), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return q.ioError("create segment", err)
	}
	w.rolled = append(w.rolled, w.active)
	w.active = &wseg{f: f, id: id}
	w.newFiles = true
	w.forceRoll = false
	q.segments.Add(1)
	return nil
}

// rollToFree is called when the queue is full. If everything is synced and
// the reader has committed records of the active segment, that space can
// only be freed by deleting the segment, so the writer rolls to a new one
// and publishes the seal: the reader deletes the old segment when it has
// consumed it (and Freed then fires).
func (q *Queue) rollToFree() error {
	w := &q.w
	if len(w.buf) > 0 || len(w.rolled) > 0 || w.active.dirty || w.active.written == 0 ||
		q.cursorID.Load() != w.active.id || q.cursorOff.Load() == 0 {
		return nil
	}
	if err := q.roll(); err != nil {
		return err
	}
	return q.sync()
}

// discard undoes everything appended since the last successful Sync, after
// err: the segments created since are removed, the one active at the last
// Sync is truncated to its durable size and becomes active again. It
// returns err, annotated with the number of records discarded.
func (q *Queue) discard(err error) error {
	w := &q.w
	first := w.active
	var created []*wseg
	if len(w.rolled) > 0 {
		first = w.rolled[0]
		created = append(created, w.rolled[1:]...)
		created = append(created, w.active)
	}
	var errs []error
	for _, s := range created {
		s.f.Close()
		if rerr := os.Remove(segmentPath(q.dir, s.id)); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			errs = append(errs, rerr)
		}
		q.bytes.Add(-s.written)
		q.segments.Add(-1)
	}
	if first.written > first.durable {
		if terr := first.f.Truncate(first.durable); terr != nil {
			errs = append(errs, terr)
			w.forceRoll = true // never write after bytes that may hold discarded records
		}
		q.bytes.Add(first.durable - first.written)
		first.written = first.durable
	}
	first.dirty = false
	if len(errs) > 0 {
		q.log.Error("disk queue: cleaning up after a failed sync", "dir", q.dir, "err", errors.Join(errs...))
	}
	clear(w.rolled)
	w.rolled = w.rolled[:0]
	w.active = first
	w.buf = w.buf[:0]
	w.newFiles = false
	n := w.records
	w.records = 0
	q.pending.Add(-n)
	q.appended.Add(-n)
	return fmt.Errorf("%w (%d records appended since the last successful sync discarded)", err, n)
}
