package diskqueue

// Mark is the reader's position just past a record Next returned, for a
// reader whose records become delivered later than they are read (an
// output that waits for its peer's acknowledgement): it takes a Mark after
// each record and commits, with CommitMark, only up to the last record
// acknowledged, while Next reads on.
type Mark struct {
	pos position
	n   int64 // records returned by Next since Open, this one included
}

// Mark returns the position just past the record Next returned last. It
// must only be called from the reader goroutine.
func (q *Queue) Mark() Mark {
	q.rmu.Lock()
	defer q.rmu.Unlock()
	rd := &q.rd
	return Mark{pos: position{id: rd.id, off: rd.sr.pos()}, n: q.committed.Load() + rd.uncommitted}
}

// CommitMark marks every record up to m (taken by Mark) as delivered: the
// cursor moves to m, as Commit moves it to the reader's position. Records
// Next returned after m stay uncommitted. Committing a mark at or before
// the cursor does nothing. It must only be called from the reader
// goroutine.
func (q *Queue) CommitMark(m Mark) error {
	q.rmu.Lock()
	defer q.rmu.Unlock()
	if q.closed.Load() {
		return q.errorf("commit: %w", ErrClosed)
	}
	rd := &q.rd
	k := m.n - q.committed.Load()
	if k <= 0 {
		return nil
	}
	if k > rd.uncommitted {
		return q.errorf("commit: %w", ErrNothingToCommit)
	}
	rd.cursor = m.pos
	q.pending.Add(-k)
	q.committed.Add(k)
	rd.uncommitted -= k
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
