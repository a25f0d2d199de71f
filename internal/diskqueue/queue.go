package diskqueue

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// Errors returned by a Queue, wrapped with details; test with errors.Is.
var (
	// ErrFull: appending would make the queue larger than MaxBufferSize,
	// or the file system is full (then the ENOSPC error is wrapped too).
	// Nothing was appended. What to do is the caller's choice (Heka's
	// full_action: shut down, drop the message, or block: wait on Freed and
	// append again).
	ErrFull = errors.New("queue full")
	// ErrTooLarge: a message is larger than MaxMessageSize. It was not
	// appended.
	ErrTooLarge = errors.New("message too large")
	// ErrClosed: the queue was closed.
	ErrClosed = errors.New("queue closed")
	// ErrNothingToCommit: Commit was called with no record returned by Next
	// since the last Commit.
	ErrNothingToCommit = errors.New("no record to commit")
)

// Stats is a snapshot of a queue's counters.
type Stats struct {
	// Bytes is the size of the segment files on disk, synced or not.
	Bytes int64
	// Pending is the number of records after the cursor: those found on
	// disk at Open plus those appended since, minus those committed. It
	// includes records not yet synced and records returned by Next but not
	// committed. (Records of this run that the reader later finds corrupt
	// on disk are not subtracted.)
	Pending int64
	// Appended is the number of records appended since Open (records that a
	// failed Sync discarded are not counted).
	Appended int64
	// Committed is the number of records committed since Open.
	Committed int64
	// Corrupt is the number of corrupt runs the reader skipped since Open
	// (each logged with its segment and offset).
	Corrupt int64
	// Segments is the number of segment files on disk.
	Segments int
}

// pubSegment is a segment as the reader sees it: published by Open or Sync.
type pubSegment struct {
	id        int64
	size      int64 // durable bytes: records up to here are whole and synced
	fileBytes int64 // bytes the file holds, subtracted from Stats.Bytes on deletion
	sealed    bool  // the writer moved on: size is final
}

// Queue is a disk queue in one directory. One goroutine writes (Append,
// Sync), one other goroutine reads (Next, Commit); Stats and Freed may be
// used from any goroutine. Close ends both sides; see its documentation.
type Queue struct {
	dir  string
	opts Options
	log  *slog.Logger
	lock *os.File // holds the directory's flock
	dirf *os.File // the directory, for fsyncs after creating and renaming files
	ckpf *os.File // the checkpoint file, updated in place by the reader

	closed atomic.Bool
	done   chan struct{} // closed by Close: wakes Next
	notify chan struct{} // capacity 1: Sync published records
	freed  chan struct{} // capacity 1: the reader committed or deleted

	mu   sync.Mutex // guards segs
	segs []pubSegment

	w writer // writer goroutine only

	rmu sync.Mutex // held by Next, Commit and Close
	rd  reader

	// The cursor as the writer sees it, to decide whether rolling to a new
	// segment would let the reader free space.
	cursorID, cursorOff atomic.Int64

	bytes, pending, appended, committed, corrupt, segments atomic.Int64
}

// Stats returns a snapshot of the queue's counters. It is safe to call from
// any goroutine, also after Close.
func (q *Queue) Stats() Stats {
	return Stats{
		Bytes:     q.bytes.Load(),
		Pending:   q.pending.Load(),
		Appended:  q.appended.Load(),
		Committed: q.committed.Load(),
		Corrupt:   q.corrupt.Load(),
		Segments:  int(q.segments.Load()),
	}
}

// Freed returns a channel that receives a value after the reader committed
// records or deleted segments, which may make room for an Append that
// returned ErrFull. It has one slot: a writer waiting to append again
// receives from it (with its context and the queue's life in the same
// select) and retries Append. ENOSPC caused by other files is not signalled
// here; retry on a timer as well.
func (q *Queue) Freed() <-chan struct{} {
	return q.freed
}

// Synced returns a channel that receives a value after a Sync made new
// records durable. It has one slot and Next consumes it too, always
// re-checking for records afterwards: a reader that takes only what is
// ready (Next with a context that is already done) and otherwise waits for
// other events as well selects on Synced, then calls Next again. A value
// may arrive when the records were already read.
func (q *Queue) Synced() <-chan struct{} {
	return q.notify
}

// Dir returns the queue directory.
func (q *Queue) Dir() string {
	return q.dir
}

// signal makes a non-blocking send on a one-slot channel.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// errorf returns an error prefixed with the queue directory.
func (q *Queue) errorf(format string, args ...any) error {
	return &queueError{dir: q.dir, err: fmt.Errorf(format, args...)}
}

// queueError prefixes an error with the queue directory.
type queueError struct {
	dir string
	err error
}

func (e *queueError) Error() string { return "disk queue " + e.dir + ": " + e.err.Error() }
func (e *queueError) Unwrap() error { return e.err }

// ioError wraps an error of a file operation, adding ErrFull when the file
// system is full.
func (q *Queue) ioError(what string, err error) error {
	if isNoSpace(err) {
		return q.errorf("%s: %w: %w", what, ErrFull, err)
	}
	return q.errorf("%s: %w", what, err)
}

// Close ends the queue: it syncs what Append buffered (as Sync), writes the
// checkpoint exactly at the cursor (so a restart delivers no duplicates),
// closes the files and releases the directory lock. A Next blocked waiting
// returns ErrClosed; Next and Commit return ErrClosed afterwards. Close must
// not run concurrently with Append or Sync (call it from the writer goroutine
// or once the writer stopped); it may run concurrently with Next and Commit,
// and waits for the one in progress. A second Close returns ErrClosed.
func (q *Queue) Close() error {
	if !q.closed.CompareAndSwap(false, true) {
		return q.errorf("close: %w", ErrClosed)
	}
	close(q.done)
	var errs []error
	if err := q.sync(); err != nil {
		errs = append(errs, err)
	}
	q.rmu.Lock()
	defer q.rmu.Unlock()
	w, rd := &q.w, &q.rd
	// An empty write segment is removed rather than left for the next run
	// to step over. If the cursor is in it, the checkpoint names it with
	// offset 0: Open then starts at the next segment, which is correct.
	if err := w.active.f.Close(); err != nil {
		errs = append(errs, q.errorf("close %s: %w", segmentName(w.active.id), err))
	}
	if w.active.written == 0 && len(errs) == 0 {
		if err := os.Remove(segmentPath(q.dir, w.active.id)); err == nil {
			q.segments.Add(-1)
		}
	}
	if err := updateCheckpoint(q.ckpf, rd.cursor, true); err != nil {
		errs = append(errs, q.errorf("%w", err))
	}
	q.ckpf.Close()
	if rd.f != nil {
		rd.f.Close()
	}
	q.dirf.Close()
	if err := q.lock.Close(); err != nil {
		errs = append(errs, q.errorf("release lock: %w", err))
	}
	return errors.Join(errs...)
}

// Open opens (creating if needed) the queue in o.Dir and locks the
// directory. It deletes the segments before the checkpoint, counts the
// records after it (Stats.Pending), and starts a new segment for writing: a
// torn record at the end of the last segment of an earlier run is never
// appended to, only skipped by the reader.
//
// A missing checkpoint starts the reader at the oldest segment. A checkpoint
// that cannot be parsed, names a segment that no longer exists or an offset
// past its end is logged as a warning and replaced by the start of the oldest
// segment: Open never refuses to start over a bad checkpoint. (A checkpoint
// naming a missing segment at offset 0 is normal: Close removed an empty
// segment; the reader starts at the next one.)
func Open(o Options) (*Queue, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	dir := filepath.Clean(o.Dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("disk queue %s: create directory: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, fmt.Errorf("disk queue %s: %w", dir, err)
	}
	q := &Queue{
		dir:    dir,
		opts:   o,
		log:    o.Logger,
		lock:   lock,
		done:   make(chan struct{}),
		notify: make(chan struct{}, 1),
		freed:  make(chan struct{}, 1),
	}
	if err := q.open(); err != nil {
		q.abandon()
		return nil, err
	}
	return q, nil
}

// abandon closes every file of a queue without writing anything: the
// queue's state on disk stays as it is (as after a crash).
func (q *Queue) abandon() {
	q.closed.Store(true)
	select {
	case <-q.done:
	default:
		close(q.done)
	}
	if q.w.active != nil {
		q.w.active.f.Close()
	}
	for _, s := range q.w.rolled {
		s.f.Close()
	}
	if q.rd.f != nil {
		q.rd.f.Close()
	}
	if q.dirf != nil {
		q.dirf.Close()
	}
	if q.ckpf != nil {
		q.ckpf.Close()
	}
	q.lock.Close()
}

// open finds the cursor, counts the pending records, creates the write
// segment and positions the reader.
func (q *Queue) open() error {
	dirf, err := os.Open(q.dir)
	if err != nil {
		return q.errorf("open directory: %w", err)
	}
	q.dirf = dirf
	os.Remove(filepath.Join(q.dir, checkpointTemp)) // left by a crash; replaced at each write

	segs, err := listSegments(q.dir)
	if err != nil {
		return q.errorf("list segments: %w", err)
	}
	cursor, nextID := q.startPosition(segs)
	// Delete the segments before the cursor: they were consumed.
	kept := segs[:0]
	for _, s := range segs {
		if s.id >= cursor.id {
			kept = append(kept, s)
			continue
		}
		if err := os.Remove(segmentPath(q.dir, s.id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return q.errorf("delete consumed segment: %w", err)
		}
	}
	segs = kept
	if len(segs) == 0 || segs[0].id > cursor.id {
		cursor = position{id: nextID}
		if len(segs) > 0 {
			cursor.id = segs[0].id
		}
	}

	// Count what the queue holds after the cursor.
	buf := make([]byte, maxRecordSize(q.opts.MaxMessageSize)+readBufSize)
	var pending, bytes int64
	for _, s := range segs {
		bytes += s.size
		off := int64(0)
		if s.id == cursor.id {
			off = cursor.off
		}
		n, err := q.countRecords(s, off, buf)
		if err != nil {
			return err
		}
		pending += n
	}

	// The write segment: always a new file.
	f, err := os.OpenFile(segmentPath(q.dir, nextID), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return q.ioError("create segment", err)
	}
	q.w.active = &wseg{f: f, id: nextID}
	if err := q.dirf.Sync(); err != nil {
		return q.ioError("sync directory", err)
	}
	for _, s := range segs {
		q.segs = append(q.segs, pubSegment{id: s.id, size: s.size, fileBytes: s.size, sealed: true})
	}
	q.segs = append(q.segs, pubSegment{id: nextID})
	q.bytes.Store(bytes)
	q.pending.Store(pending)
	q.segments.Store(int64(len(q.segs)))

	// The reader.
	if err := q.rd.start(q, cursor, buf); err != nil {
		return err
	}
	ckpf, err := createCheckpoint(q.dir, q.dirf, cursor)
	if err != nil {
		return q.errorf("%w", err)
	}
	q.ckpf = ckpf
	q.rd.ckpt = cursor
	q.publishCursor()
	q.log.Info("disk queue opened", "dir", q.dir, "cursor", cursor.String(),
		"pending", pending, "bytes", bytes, "segments", len(q.segs))
	return nil
}

// startPosition returns the cursor from the checkpoint (or its fallback)
// and the id of the new write segment.
func (q *Queue) startPosition(segs []diskSegment) (cursor position, nextID int64) {
	oldest := position{}
	if len(segs) > 0 {
		oldest.id = segs[0].id
		nextID = segs[len(segs)-1].id + 1
	}
	cp, err := readCheckpoint(q.dir)
	switch {
	case errors.Is(err, errNoCheckpoint):
		return oldest, nextID
	case err != nil:
		q.log.Warn("disk queue: bad checkpoint, reading from the oldest segment",
			"dir", q.dir, "err", err, "from", oldest.String())
		return oldest, nextID
	}
	nextID = max(nextID, cp.id+1)
	for _, s := range segs {
		if s.id != cp.id {
			continue
		}
		if cp.off > s.size {
			q.log.Warn("disk queue: checkpoint offset past the end of its segment, reading from the oldest segment",
				"dir", q.dir, "checkpoint", cp.String(), "size", s.size, "from", oldest.String())
			return oldest, nextID
		}
		return cp, nextID
	}
	if cp.off == 0 {
		// The checkpoint's segment was empty and removed: everything before
		// it was consumed; start at the next one (open deletes the older).
		return cp, nextID
	}
	q.log.Warn("disk queue: checkpoint names a missing segment, reading from the oldest segment",
		"dir", q.dir, "checkpoint", cp.String(), "from", oldest.String())
	return oldest, nextID
}

// countRecords counts the valid records of segment s from offset off.
func (q *Queue) countRecords(s diskSegment, off int64, buf []byte) (int64, error) {
	f, err := os.Open(segmentPath(q.dir, s.id))
	if err != nil {
		return 0, q.errorf("open segment: %w", err)
	}
	defer f.Close()
	sr := newSegReader(f, off, s.size, q.opts.MaxMessageSize, buf)
	var n int64
	for {
		ev, err := sr.next()
		if err != nil {
			return 0, q.errorf("scan %s: %w", segmentName(s.id), err)
		}
		switch ev.kind {
		case evRecord:
			n++
		case evEnd:
			return n, nil
		}
	}
}
