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
// fsyncs those it appended: acknowledgements come at most that much later.
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

// runBuffered runs a buffered plugin: it opens the queue, starts the
// writer, and reads the queue into the plugin until shutdown. It returns
// nil at shutdown and the plugin's error if it stopped; in that case the
// writer keeps queueing what the router sends until the router lets the
// plugin go, so that nothing more is lost than what the plugin held.
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
	if s.filter != nil {
		s.backlog.Store(q.Stats().Pending)
	}
	s.queue.Store(q)
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	writerDone := make(chan struct{})
	go func() { // waited for below: the sink's goroutine accounts for it
		defer close(writerDone)
		defer stopReading()
		s.fillQueue(q)
	}()
	if c, ok := s.plugin.(pipeline.Connector); ok {
		if err = s.connect(readCtx, c, rh); err != nil && readCtx.Err() != nil {
			err = nil // shutdown before the output ever connected: the queue keeps its records
		}
	}
	if err == nil && readCtx.Err() == nil {
		err = s.readQueue(ctx, readCtx, rh, q)
	}
	s.readerGone.Store(true)
	if err != nil {
		s.exit(err) // stop hekad or let the plugin go; the writer goes on until then
	}
	for waiting := true; waiting; {
		select {
		case <-writerDone:
			waiting = false
		case <-s.pendingStop():
			s.skipStop()
		}
	}
	if cerr := q.Close(); cerr != nil {
		s.log.Error("closing the disk queue", "err", cerr)
	}
	if st := q.Stats(); st.Pending > 0 {
		s.log.Info(fmt.Sprintf("disk queue holds %d records for the next start", st.Pending), "dir", q.Dir())
	}
	return err
}

// queueSyncBytes bounds the bytes the writer holds for records appended
// since the last fsync (kept to append them again if the fsync finds the
// disk full).
const queueSyncBytes = 4 << 20

// unsynced holds the records appended to a queue since its last
// successful Sync: their deliveries and a copy of their bytes, so that
// they can be appended again when the Sync fails because the disk is full
// (a failed Sync discards them from the queue).
type unsynced struct {
	dl       []*delivery
	data     []byte
	ends     []int // record i is data[ends[i-1]:ends[i]]
	appended int   // records [0, appended) are appended to the queue now
}

func (g *unsynced) add(d *delivery, msg []byte) {
	g.dl = append(g.dl, d)
	g.data = append(g.data, msg...)
	g.ends = append(g.ends, len(g.data))
	g.appended++
}

func (g *unsynced) record(i int) []byte {
	start := 0
	if i > 0 {
		start = g.ends[i-1]
	}
	return g.data[start:g.ends[i]]
}

// full reports whether the writer should sync now.
func (g *unsynced) full() bool {
	return len(g.dl) >= queueSyncEvery || len(g.data) >= queueSyncBytes
}

// shift forgets the first n records.
func (g *unsynced) shift(n int) {
	if n == len(g.dl) {
		clear(g.dl)
		g.dl, g.data, g.ends = g.dl[:0], g.data[:0], g.ends[:0]
		g.appended = 0
		return
	}
	cut := g.ends[n-1]
	clear(g.dl[:n])
	g.dl = append(g.dl[:0], g.dl[n:]...)
	g.data = append(g.data[:0], g.data[cut:]...)
	m := copy(g.ends, g.ends[n:])
	g.ends = g.ends[:m]
	for i := range g.ends {
		g.ends[i] -= cut
	}
	g.appended -= n
}

// fillQueue appends what the router hands the plugin to q until the
// router closes the channel, syncing in groups and settling each record as
// queued once it is durable.
func (s *sink) fillQueue(q *diskqueue.Queue) {
	var g unsynced
	// Records wait for their fsync until nothing more came for
	// queueSyncWait (or the group is full): a router that pauses for a
	// moment does not cost an fsync each time, and while the writer
	// fsyncs it takes nothing from s.ch, whose batches hold packs of the
	// pool that the router and every other output wait for.
	wait := time.NewTimer(queueSyncWait)
	wait.Stop()
	for {
		var b *batch
		var ok bool
		if len(g.dl) == 0 {
			b, ok = <-s.ch
		} else {
			select {
			case b, ok = <-s.ch:
			default:
				wait.Reset(queueSyncWait)
				select {
				case b, ok = <-s.ch:
					wait.Stop()
				case <-wait.C:
					s.syncQueue(q, &g)
					continue
				}
			}
		}
		if !ok {
			break
		}
		s.queued.Add(-int64(len(b.packs)))
		if s.e.aborting() {
			s.handedOver(len(b.packs))
			s.e.settleOut(b, outLost, &s.counts)
			continue
		}
		for i, p := range b.packs {
			msg := p.Bytes()
			if o, ok := s.enqueue(q, msg, &g); ok {
				g.add(b.dl[i], msg)
			} else {
				s.e.deliveries.done(b.dl[i], o, &s.counts)
				s.handedOver(1)
			}
			p.Recycle()
		}
		s.e.batches.put(b)
		if g.full() {
			s.syncQueue(q, &g)
		}
	}
	s.syncQueue(q, &g)
}

// handedOver tells the router's drain that n messages given to a buffered
// filter are off its hands (queued, or settled otherwise).
func (s *sink) handedOver(n int) {
	if s.filter != nil && n > 0 {
		s.e.filterBusy.Add(-int64(n))
		s.wakeDrain(true)
	}
}

// syncQueue makes the records of g durable and settles them as queued.
// When the disk is full, full_action decides: "block" waits for room and
// appends them again, "drop" drops them, "shutdown" stops hekad; any other
// failure loses them (each logged and counted).
func (s *sink) syncQueue(q *diskqueue.Queue, g *unsynced) {
	for len(g.dl) > 0 {
		err := q.Sync()
		if err == nil {
			s.settleSynced(g)
			if len(g.dl) == 0 {
				return
			}
			// Appended again after a failure, in small groups: a group
			// that does not fit on the disk as a whole never syncs, and
			// a synced one lets the reader free space.
			if err = s.appendRest(q, g, queueRetryGroup); err == nil {
				continue
			}
		} else {
			g.appended = 0 // a failed Sync discards what was appended since the last one
		}
		if errors.Is(err, diskqueue.ErrFull) && s.buffering.FullAction == "block" && s.waitRoom(q, err) {
			continue
		}
		s.giveUpGroup(q, g, err)
		return
	}
}

// settleSynced settles the records of g that a Sync made durable.
func (s *sink) settleSynced(g *unsynced) {
	n := g.appended
	if n == 0 {
		return
	}
	if s.filter != nil {
		s.backlog.Add(int64(n)) // before filterBusy drops: see router.quiet
	}
	for _, d := range g.dl[:n] {
		s.e.deliveries.done(d, outQueued, &s.counts)
	}
	s.handedOver(n)
	g.shift(n)
}

// queueRetryGroup is the most records appended again between two fsyncs
// after a sync failed.
const queueRetryGroup = 64

// appendRest appends, in order, at most max of the records of g that are
// not in the queue, until one fails.
func (s *sink) appendRest(q *diskqueue.Queue, g *unsynced, max int) error {
	for n := 0; g.appended < len(g.dl) && n < max; n++ {
		if err := q.Append(g.record(g.appended)); err != nil {
			return err
		}
		g.appended++
	}
	return nil
}

// giveUpGroup settles the records of g that the queue could not take after
// err: dropped or lost by full_action when the disk is full, lost
// otherwise. Those still appended are synced first, if the queue can.
func (s *sink) giveUpGroup(q *diskqueue.Queue, g *unsynced, err error) {
	if g.appended > 0 && q.Sync() == nil {
		s.settleSynced(g)
	}
	n := len(g.dl)
	o := outLost
	if errors.Is(err, diskqueue.ErrFull) {
		s.queueFull.Add(int64(n))
	}
	switch {
	case !errors.Is(err, diskqueue.ErrFull):
		s.log.Error(fmt.Sprintf("disk queue write failed: %d messages lost", n), "err", err)
	case s.buffering.FullAction == "drop":
		o = outDropped
		s.dropped.Add(int64(n))
		s.fullLog(err, "dropping messages")
	case s.buffering.FullAction == "shutdown":
		s.fullLog(err, "shutting down")
		s.e.fail(fmt.Errorf("%s '%s': %w", s.kindName(), s.name, err))
	default:
		s.log.Error(fmt.Sprintf("disk queue full at shutdown: %d messages lost", n), "err", err)
	}
	for _, d := range g.dl {
		s.e.deliveries.done(d, o, &s.counts)
	}
	s.handedOver(n)
	g.appended = n
	g.shift(n)
}

// waitRoom waits, after err (the queue is full), until the reader frees
// space or a second has passed (the disk may have been filled by other
// files). It returns false if hekad is aborting.
func (s *sink) waitRoom(q *diskqueue.Queue, err error) bool {
	s.fullLog(err, "blocking until the output catches up")
	t := time.NewTimer(blockRetry)
	defer t.Stop()
	select {
	case <-q.Freed():
	case <-t.C:
	case <-s.e.abort:
		return false
	}
	return true
}

// enqueue appends msg to q. When the queue is full it applies full_action:
// "drop" drops the message, "shutdown" stops hekad, "block" syncs g and
// waits for room (which slows the router down, as an unbuffered plugin
// would). ok reports an appended record; otherwise o is what became of the
// message.
func (s *sink) enqueue(q *diskqueue.Queue, msg []byte, g *unsynced) (o outcome, ok bool) {
	metFull := false
	for {
		err := q.Append(msg)
		switch {
		case err == nil:
			return outQueued, true
		case errors.Is(err, diskqueue.ErrTooLarge):
			s.drop(err)
			return outDropped, false
		case !errors.Is(err, diskqueue.ErrFull):
			s.log.Error("disk queue append failed: message lost", "err", err)
			return outLost, false
		}
		if !metFull {
			metFull = true
			s.queueFull.Add(1)
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
		s.syncQueue(q, g)
		if !s.waitRoom(q, err) {
			return outLost, false
		}
	}
}

// fullLog logs a full queue once per episode.
func (s *sink) fullLog(err error, what string) {
	if s.full.CompareAndSwap(false, true) {
		s.log.Error("disk queue full: "+what, "err", err, "full_action", s.buffering.FullAction)
	}
}

// readQueue gives the queue's records to the plugin, committing each,
// while it ticks the plugin and, for a filter, runs its Stop hook when
// the router asks. When readCtx ends (the writer is done: shutdown) it
// delivers what is ready, without retrying, and returns; what is left
// stays queued for the next start. It returns the plugin's error if it
// stopped, or the queue's if it cannot be read.
func (s *sink) readQueue(ctx, readCtx context.Context, rh *retrier, q *diskqueue.Queue) error {
	p := pipeline.NewPack()
	bw := s.batchWriter()
	var tickC <-chan time.Time
	if s.tick > 0 {
		t := time.NewTicker(s.tick)
		defer t.Stop()
		tickC = t.C
	}
	var stopReq <-chan struct{}
	if s.filter != nil {
		stopReq = s.stopReq
	}
	// event handles what is not a record; it reports whether the plugin
	// stopped (err) or should not be given more records (done).
	draining := false
	event := func(block bool) (done bool, err error) {
		// Blocking, it waits for records (synced) or the end of reading
		// as well; otherwise it only polls (now is ready at once). A
		// default case would make it poll in both cases, and the reader
		// spin while the queue is empty.
		var synced, readDone, now <-chan struct{}
		if block {
			synced, readDone = q.Synced(), readCtx.Done()
		} else {
			now = doneCtx.Done()
		}
		select {
		case <-tickC:
			return false, s.doTick(ctx)
		case <-stopReq:
			stopReq, tickC = nil, nil
			s.stopRequested(ctx)
		case <-s.reopen:
			s.doReopen()
		case <-synced:
		case <-s.ackSignal():
			s.commitAcked(q)
		case <-readDone:
			if ctx.Err() != nil {
				return true, nil
			}
			// Shutdown: deliver what is ready, without retrying.
			draining = true
			rh = newRetrier(pipeline.RetryOptions{MaxRetries: 0})
		case <-now:
		}
		return false, nil
	}
	for {
		outstanding := s.backlog.Load()
		rec, err := q.Next(doneCtx)
		if err != nil {
			if errors.Is(err, diskqueue.ErrClosed) {
				return nil
			}
			if !errors.Is(err, context.Canceled) {
				return fmt.Errorf("reading the disk queue: %w", err)
			}
			// Nothing is ready: every record counted in the backlog
			// was read, or was corrupt and skipped.
			if s.filter != nil && outstanding > 0 {
				s.backlog.Add(-outstanding)
				s.wakeDrain(true)
			}
			if draining {
				s.drainAcks(q)
				return nil
			}
			if done, err := event(true); done || err != nil {
				return err
			}
			continue
		}
		o, herr := outDelivered, error(nil)
		s.busy.Store(callMessage)
		if bw != nil {
			herr = s.sendBatch(ctx, rh, q, p, rec, bw)
		} else {
			o, herr = s.sendOne(ctx, rh, p, rec)
		}
		s.busy.Store(callIdle)
		if herr != nil {
			if draining {
				s.log.Info("stopped draining the disk queue: the plugin fails", "err", herr)
				return nil
			}
			return herr
		}
		if bw == nil { // sendBatch commits its batch
			s.commitRead(q, o == outDelivered)
		}
		if s.filter != nil {
			s.backlog.Add(-1)
			s.wakeDrain(true)
		}
		if done, err := event(false); done || err != nil {
			return err
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
