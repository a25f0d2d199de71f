package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"time"

	"github.com/hekad-go/hekad/internal/diskqueue"
	"github.com/hekad-go/hekad/pipeline"
)

// A buffered output (use_buffering) has a disk queue between the router and
// the plugin, as in Heka: a writer goroutine appends what the router hands
// the output to the queue and acknowledges it (outcome queued) once it is
// fsynced, while the output's own goroutine reads the queue and writes each
// record, committing the queue's cursor after every successful write. A
// dead output therefore fills its own queue on disk, never the router: the
// router and every other output keep going until the queue is full, and
// then full_action applies. The queue survives restarts and kill -9.

// queueSyncEvery is the most records appended between two fsyncs of a
// disk queue while the router keeps handing records over; the writer also
// syncs when nothing more came for queueSyncWait.
const queueSyncEvery = 4096

// queueSyncWait is how long the writer waits for more records before it
// syncs what it appended.
const queueSyncWait = 2 * time.Millisecond

// blockRetry is how long a writer whose queue is full (full_action
// "block") waits before it tries again when no space was freed.
const blockRetry = time.Second

var nonWord = regexp.MustCompile(`\W`)

// queueDir is where the disk queue of the plugin name lives, as in Heka:
// <base_dir>/output_queue/<name with \W replaced by _>.
func queueDir(baseDir, name string) string {
	return filepath.Join(baseDir, "output_queue", nonWord.ReplaceAllString(name, "_"))
}

// runBuffered runs a buffered output: it opens the queue, starts the
// writer, and reads the queue into the plugin until shutdown. It returns
// nil at shutdown and the plugin's error if it stopped.
func (s *sink) runBuffered(ctx context.Context, rh *retrier) error {
	q, err := diskqueue.Open(diskqueue.Options{
		Dir:               queueDir(s.e.g.BaseDir, s.name),
		MaxFileSize:       int64(s.buffering.MaxFileSize),
		MaxBufferSize:     int64(s.buffering.MaxBufferSize),
		CursorUpdateCount: int(s.buffering.CursorUpdateCount),
		MaxMessageSize:    int(s.e.g.MaxMessageSize),
		Logger:            s.log,
	})
	if err != nil {
		return err
	}
	s.queue.Store(q)
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	writerDone := make(chan struct{})
	writer := func() {
		defer close(writerDone)
		defer stopReading()
		s.fillQueue(q)
	}
	if !s.e.grp.Go(nil, writer) {
		// The shutdown began before the writer could start: queue what the
		// router still hands the output, here, for the next start. That is
		// no failure of the output (it used to make hekad exit 1).
		writer()
	}
	if c, ok := s.plugin.(pipeline.Connector); ok && readCtx.Err() == nil {
		if err = s.connect(readCtx, c, rh); err != nil && readCtx.Err() != nil {
			err = nil // shutdown before the output ever connected: the queue keeps its records
		}
	}
	if err == nil && readCtx.Err() == nil {
		err = s.readQueue(ctx, readCtx, rh, q)
	}
	<-writerDone
	if cerr := q.Close(); cerr != nil {
		s.log.Error("closing the disk queue", "err", cerr)
	}
	if st := q.Stats(); st.Pending > 0 {
		s.log.Info(fmt.Sprintf("disk queue holds %d records for the next start", st.Pending), "dir", q.Dir())
	}
	return err
}

// fillQueue appends what the router hands the output to q until the
// router closes the channel, syncing in groups and settling each record as
// queued once it is durable.
func (s *sink) fillQueue(q *diskqueue.Queue) {
	var unsynced []*delivery
	sync := func() {
		if len(unsynced) == 0 {
			return
		}
		o := outQueued
		if err := q.Sync(); err != nil {
			s.log.Error(fmt.Sprintf("disk queue sync failed: %d records lost", len(unsynced)), "err", err)
			o = outLost
		}
		for _, d := range unsynced {
			s.e.deliveries.done(d, o, &s.counts)
		}
		clear(unsynced)
		unsynced = unsynced[:0]
	}
	// While records wait for an fsync, a pause of the router shorter than
	// queueSyncWait does not cost one: the router (and the pool, whose packs
	// sit in s.ch while the writer syncs) is held up only once per group.
	wait := time.NewTimer(queueSyncWait)
	defer wait.Stop()
	for {
		var b *batch
		var ok bool
		select {
		case b, ok = <-s.ch:
		default:
			if len(unsynced) == 0 {
				b, ok = <-s.ch
				break
			}
			wait.Reset(queueSyncWait)
			select {
			case b, ok = <-s.ch:
			case <-wait.C:
				sync()
				continue
			}
		}
		if !ok {
			break
		}
		s.queued.Add(-int64(len(b.packs)))
		if s.e.aborting() {
			s.e.settleOut(b, outLost, &s.counts)
			continue
		}
		for i, p := range b.packs {
			o, ok := s.enqueue(q, p, sync)
			p.Recycle()
			if ok {
				unsynced = append(unsynced, b.dl[i])
			} else {
				s.e.deliveries.done(b.dl[i], o, &s.counts)
			}
		}
		s.e.batches.put(b)
		if len(unsynced) >= queueSyncEvery {
			sync()
		}
	}
	sync()
}

// enqueue appends p's message to q. When the queue is full it applies
// full_action: "drop" drops the message, "shutdown" stops hekad, "block"
// syncs and waits for room (which slows the router down, as an unbuffered
// output would). ok reports an appended record; otherwise o is what became
// of the message.
func (s *sink) enqueue(q *diskqueue.Queue, p *pipeline.Pack, sync func()) (o outcome, ok bool) {
	for {
		err := q.Append(p.Bytes())
		switch {
		case err == nil:
			return outQueued, true
		case errors.Is(err, diskqueue.ErrTooLarge):
			s.drop(err)
			return outDropped, false
		case !errors.Is(err, diskqueue.ErrFull):
			s.log.Error("disk queue append failed", "err", err)
			return outLost, false
		}
		switch s.buffering.FullAction {
		case "drop":
			s.dropped.Add(1)
			s.fullLog(err, "dropping messages")
			return outDropped, false
		case "shutdown":
			s.fullLog(err, "shutting down")
			s.e.fail(fmt.Errorf("%s '%s': %w", s.kindName(), s.name, err))
			return outLost, false
		}
		sync()
		s.fullLog(err, "blocking until the output catches up")
		t := time.NewTimer(blockRetry)
		select {
		case <-q.Freed():
		case <-t.C:
		case <-s.e.abort:
			t.Stop()
			return outLost, false
		}
		t.Stop()
	}
}

// fullLog logs a full queue once per episode.
func (s *sink) fullLog(err error, what string) {
	if s.full.CompareAndSwap(false, true) {
		s.log.Error("disk queue full: "+what, "err", err, "full_action", s.buffering.FullAction)
	}
}

// readQueue writes the queue's records to the plugin, committing each,
// until readCtx ends (the writer is done: shutdown) and then until no
// record is ready or a write fails (what is left stays queued for the next
// start). It returns the plugin's error if it stopped.
func (s *sink) readQueue(ctx, readCtx context.Context, rh *retrier, q *diskqueue.Queue) error {
	p := pipeline.NewPack()
	draining := false
	nextCtx := readCtx
	for {
		select {
		case <-s.reopen:
			s.doReopen()
		default:
		}
		rec, err := q.Next(nextCtx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, diskqueue.ErrClosed) {
				return nil
			}
			if !draining {
				// Shutdown: deliver what is ready, without retrying.
				draining = true
				nextCtx = doneCtx
				rh = newRetrier(pipeline.RetryOptions{MaxRetries: 0})
				continue
			}
			return nil
		}
		p.MutableMessage().Reset()
		p.MsgBytes = append(p.MsgBytes[:0], rec...)
		p.TrustBytes()
		s.busy.Store(callMessage)
		o, herr := s.handle(ctx, rh, p)
		s.busy.Store(callIdle)
		if herr != nil {
			if draining {
				s.log.Info("stopped draining the disk queue: the output fails", "err", herr)
				return nil
			}
			return herr
		}
		if o == outDropped {
			s.queueDropped.Add(1)
		}
		s.processed.Add(1)
		if err := q.Commit(); err != nil {
			s.log.Error("disk queue commit failed", "err", err)
		}
	}
}

// doneCtx is a context that is already done: Next with it returns only a
// record that is ready.
var doneCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()
