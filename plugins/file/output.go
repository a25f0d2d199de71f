package file

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"github.com/hekad-go/hekad/internal/strftime"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed FileOutput.toml
var outputSample string

func init() {
	pipeline.RegisterOutput("FileOutput", defaultOutputConfig, newOutput, pipeline.WithSample(outputSample))
}

// OutputConfig is the configuration of FileOutput.
type OutputConfig struct {
	// Path is the file to append to. With rotation_interval set it is a
	// strftime pattern ("/var/log/hekad/out.%Y-%m-%d-%H.log") formatted
	// with the start of each rotation period.
	Path string `toml:"path"`
	// Perm is the permission of a file the output creates, as an octal
	// string.
	Perm string `toml:"perm"`
	// FolderPerm is the permission of the directories the output creates
	// for the file, as an octal string.
	FolderPerm string `toml:"folder_perm"`
	// FlushInterval (milliseconds) is how long records may wait in memory
	// before being written; 0 disables the timer.
	FlushInterval pipeline.Millis `toml:"flush_interval"`
	// FlushCount is how many records must be waiting before they are
	// written (at least 1).
	FlushCount uint32 `toml:"flush_count"`
	// FlushOperator combines flush_interval and flush_count: "AND" writes
	// when both are reached, "OR" when either is.
	FlushOperator string `toml:"flush_operator"`
	// RotationInterval (hours) starts a new file every 1, 4, 12 or 24 hours,
	// on boundaries counted from midnight UTC; 0 never rotates.
	RotationInterval uint32 `toml:"rotation_interval"`
	// Encoder is the common encoder option, required by FileOutput: it
	// writes what the encoder makes.
	Encoder string `toml:"encoder"`
}

func defaultOutputConfig() OutputConfig {
	return OutputConfig{
		Perm:          "644",
		FolderPerm:    "700",
		FlushInterval: 1000,
		FlushCount:    1,
		FlushOperator: "AND",
	}
}

// FramesProtobufByDefault makes use_framing default to true with
// ProtobufEncoder.
func (*OutputConfig) FramesProtobufByDefault() bool { return true }

// Validate checks the options; errors name the key.
func (c *OutputConfig) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("path: required"))
	}
	if _, err := parsePerm(c.Perm); err != nil {
		errs = append(errs, fmt.Errorf("perm: %w", err))
	}
	if _, err := parsePerm(c.FolderPerm); err != nil {
		errs = append(errs, fmt.Errorf("folder_perm: %w", err))
	}
	if c.FlushCount < 1 {
		errs = append(errs, errors.New("flush_count: must be at least 1"))
	}
	if c.FlushOperator != "AND" && c.FlushOperator != "OR" {
		errs = append(errs, fmt.Errorf("flush_operator: must be \"AND\" or \"OR\", got %q", c.FlushOperator))
	}
	switch c.RotationInterval {
	case 0, 1, 4, 12, 24:
	default:
		errs = append(errs, fmt.Errorf("rotation_interval: must be 0, 1, 4, 12 or 24, got %d", c.RotationInterval))
	}
	if c.Encoder == "" {
		errs = append(errs, errors.New("encoder: required: FileOutput writes what its encoder makes"))
	}
	return errors.Join(errs...)
}

// parsePerm parses an octal permission string.
func parsePerm(s string) (os.FileMode, error) {
	v, err := strconv.ParseUint(s, 8, 32)
	if err != nil || v > 0o7777 {
		return 0, fmt.Errorf("must be an octal permission such as \"644\", got %q", s)
	}
	return os.FileMode(v), nil
}

// maxBuffered is the most encoded bytes the output holds in memory: past
// it, the records are written to the file even if the flush conditions are
// not met yet (only fsync waits for them).
const maxBuffered = 4 << 20

// bufferCap is the capacity each of the two buffers is given on first use:
// room for maxBuffered bytes and the record that crosses it, so that the
// buffers do not grow (and fault in fresh memory) while under load. Pages
// of the capacity that are never written cost no resident memory.
const bufferCap = maxBuffered + 256<<10

// Output is FileOutput. Records are appended to a buffer and written (and
// fsynced) to the file when Heka's flush rules say so:
//
//   - flush_operator "OR": when flush_count records wait, or when the
//     flush_interval timer fires and any record waits;
//   - "AND": when the timer fires and flush_count records wait, or when
//     the count is reached after the timer has fired at least once since
//     the last flush (or flush_interval is 0).
//
// Once connected, the output writes as Heka's did: a flush hands the full
// buffer to a goroutine that writes and fsyncs it while records are
// collected in a second buffer, so the caller does not wait for the disk
// (a flush waits only for the previous write to end). Without Connect,
// writes are done in line.
//
// Close writes what is left. The file is opened by Connect or the first
// Write; Reopen (SIGHUP) closes and reopens it, for logrotate.
type Output struct {
	cfg      OutputConfig
	name     string
	log      *slog.Logger
	perm     os.FileMode
	dirPerm  os.FileMode
	interval time.Duration
	rotate   time.Duration
	and      bool
	now      func() time.Time // the clock, replaced by tests

	mu         sync.Mutex
	f          *os.File
	path       string    // the file being written
	nextRotate time.Time // when the next period starts (rotation only)
	buf        []byte
	count      uint32 // records waiting in buf
	elapsed    bool   // the timer fired since the last flush
	timer      *time.Timer
	stop       chan struct{} // closes the flusher
	flusher    sync.WaitGroup

	async    bool          // connected: flushes write in the background
	inflight bool          // a background write has not been waited for
	done     chan writeEnd // the result of the background write
	spare    []byte        // the second buffer

	acked   func(n int, err error) // the engine's DelayedAcker callback (nil: none)
	bufRecs int                    // records in buf
	noSync  atomic.Bool            // the file cannot be fsynced (a FIFO, a pipe, a terminal)
}

// writeEnd is the result of a background write: the buffer it was given,
// how many records it held, and how much of it reached the file.
type writeEnd struct {
	data []byte
	recs int
	n    int
	err  error
}

// SetAcker implements pipeline.DelayedAcker: records are acknowledged once
// they are written and fsynced.
func (o *Output) SetAcker(acked func(n int, err error)) {
	o.mu.Lock()
	o.acked = acked
	o.mu.Unlock()
}

// ack acknowledges n records.
func (o *Output) ack(n int) {
	if n > 0 && o.acked != nil {
		o.acked(n, nil)
	}
}

// sync fsyncs f. A file that cannot be synced (a FIFO, a pipe, a
// terminal: EINVAL or ENOTSUP) is not an error: it is noted once and never
// synced again.
func (o *Output) sync(f *os.File, path string) error {
	if o.noSync.Load() {
		return nil
	}
	err := f.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		o.noSync.Store(true)
		o.log.Info("the file cannot be fsynced (not a regular file): records count as written once the write returns", "path", path)
		return nil
	}
	return err
}

func newOutput(cfg OutputConfig, env *pipeline.Env) (pipeline.Output, error) {
	perm, err := parsePerm(cfg.Perm)
	if err != nil {
		return nil, fmt.Errorf("perm: %w", err)
	}
	dirPerm, err := parsePerm(cfg.FolderPerm)
	if err != nil {
		return nil, fmt.Errorf("folder_perm: %w", err)
	}
	return &Output{
		cfg:      cfg,
		name:     env.Name(),
		log:      env.Logger(),
		perm:     perm,
		dirPerm:  dirPerm,
		interval: cfg.FlushInterval.Duration(),
		rotate:   time.Duration(cfg.RotationInterval) * time.Hour,
		and:      cfg.FlushOperator == "AND",
		now:      time.Now,
	}, nil
}

// Path returns the path of the file being written ("" before the first
// open).
func (o *Output) Path() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.path
}

// Connect opens the file and starts a goroutine for the flush_interval
// timer. It is idempotent. When ctx is done that goroutine writes the
// buffered records and closes the file, as Close does.
func (o *Output) Connect(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.openLocked(); err != nil {
		return fmt.Errorf("file output %q: %w: %w", o.name, pipeline.ErrRetry, err)
	}
	if o.stop == nil {
		o.async = true
		o.done = make(chan writeEnd, 1)
		o.stop = make(chan struct{})
		var tick <-chan time.Time
		if o.interval > 0 {
			o.timer = time.NewTimer(o.interval)
			tick = o.timer.C
		}
		stop := o.stop
		o.flusher.Go(func() { o.runTimer(ctx, stop, tick) })
	}
	return nil
}

// runTimer handles flush_interval (tick is nil without one) until stop is
// closed, or until ctx is done: then it writes the buffer and closes the
// file.
func (o *Output) runTimer(ctx context.Context, stop chan struct{}, tick <-chan time.Time) {
	for {
		select {
		case <-tick:
			o.onInterval()
		case <-stop:
			return
		case <-ctx.Done():
			o.mu.Lock()
			if err := o.closeLocked(); err != nil {
				o.log.Error("closing on shutdown", "err", err)
			}
			o.mu.Unlock()
			return
		}
	}
}

// onInterval is the flush_interval timer firing.
func (o *Output) onInterval() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.f != nil && o.timer != nil {
		o.timer.Reset(o.interval)
	}
	if (o.and && o.count >= o.cfg.FlushCount) || (!o.and && o.count > 0) {
		if err := o.flushLocked(); err != nil {
			o.log.Error("flush failed; will retry", "path", o.path, "err", err)
			o.elapsed = true
		}
		return
	}
	o.elapsed = true
}

// openLocked opens the file if it is not open. When rotating, the path is
// formatted with the current time, as Heka does for the first file.
func (o *Output) openLocked() error {
	if o.f != nil {
		return nil
	}
	return o.openAt(o.now())
}

// openAt opens the file, formatting the path with t when rotating.
func (o *Output) openAt(t time.Time) error {
	path := o.cfg.Path
	if o.rotate > 0 {
		o.nextRotate = o.now().Truncate(o.rotate).Add(o.rotate)
		path = strftime.String(o.cfg.Path, t)
	}
	if err := os.MkdirAll(filepath.Dir(path), o.dirPerm); err != nil {
		return fmt.Errorf("create the directory of %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, o.perm)
	if err != nil {
		return err
	}
	o.f, o.path = f, path
	return nil
}

// rotateLocked starts the file of a new rotation period when one began.
func (o *Output) rotateLocked() error {
	if o.rotate == 0 || o.f == nil {
		return nil
	}
	now := o.now()
	if now.Before(o.nextRotate) {
		return nil
	}
	if err := o.closeLocked(); err != nil {
		o.log.Error("closing before rotation", "path", o.path, "err", err)
	}
	// A rotated file is named after the start of its period, as in Heka.
	return o.openAt(now.Truncate(o.rotate))
}

// flushLocked writes and syncs the buffer: in the background when
// connected (after the previous background write ended), in line
// otherwise. On failure the bytes not written stay in the buffer, ahead of
// any records added since.
func (o *Output) flushLocked() error {
	if o.interval > 0 && o.timer != nil {
		o.timer.Reset(o.interval)
	}
	if err := o.waitLocked(); err != nil {
		return err
	}
	if len(o.buf) == 0 {
		o.count, o.elapsed = 0, false
		return nil
	}
	if o.f == nil {
		if err := o.openLocked(); err != nil {
			return err
		}
	}
	if o.async {
		f, path, data, recs := o.f, o.path, o.buf, o.bufRecs
		o.buf, o.spare = o.spare[:0], nil
		o.bufRecs = 0
		o.count, o.elapsed = 0, false
		o.inflight = true
		acked := o.acked
		go func() {
			n, err := f.Write(data)
			if err != nil {
				err = fmt.Errorf("write to %s: %w", path, err)
			} else if serr := o.sync(f, path); serr != nil {
				err = fmt.Errorf("sync %s: %w", path, serr)
				n = 0 // write it again: only a synced record is acknowledged
			}
			if err == nil && recs > 0 && acked != nil {
				acked(recs, nil)
			}
			o.done <- writeEnd{data: data, recs: recs, n: n, err: err}
		}()
		return nil
	}
	return o.writeLocked()
}

// waitLocked waits for the background write, if one is under way. Bytes it
// could not write are put back at the front of the buffer and the flush
// conditions are marked as met, so that the next record or tick writes
// them again; the error is returned.
func (o *Output) waitLocked() error {
	if !o.inflight {
		return nil
	}
	r := <-o.done
	o.inflight = false
	if r.err == nil {
		o.spare = r.data[:0]
		return nil
	}
	rest := append(r.data[:copy(r.data, r.data[r.n:])], o.buf...)
	o.spare, o.buf = o.buf[:0], rest
	o.bufRecs += r.recs
	o.count, o.elapsed = max(o.count, o.cfg.FlushCount), true
	return r.err
}

// writeLocked writes and syncs the buffer in line. On failure the bytes
// not written stay in the buffer.
func (o *Output) writeLocked() error {
	n, err := o.f.Write(o.buf)
	o.buf = o.buf[:copy(o.buf, o.buf[n:])]
	if err != nil {
		return fmt.Errorf("write to %s: %w", o.path, err)
	}
	o.count, o.elapsed = 0, false
	if err := o.sync(o.f, o.path); err != nil {
		return fmt.Errorf("sync %s: %w", o.path, err)
	}
	o.ack(o.bufRecs)
	o.bufRecs = 0
	return nil
}

// closeLocked writes the buffer (in line, after any background write) and
// closes the file.
func (o *Output) closeLocked() error {
	if o.f == nil {
		return nil
	}
	if o.interval > 0 && o.timer != nil {
		o.timer.Reset(o.interval)
	}
	err := o.waitLocked()
	if len(o.buf) > 0 {
		err = o.writeLocked() // it writes what the background write could not, too
	} else {
		o.count, o.elapsed = 0, false
	}
	if cerr := o.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close %s: %w", o.path, cerr)
	}
	o.f = nil
	return err
}

// Write buffers r.Data and writes the buffer when the flush rules say so.
// A record that could not be written is taken back out of the buffer and
// the error wraps pipeline.ErrRetry, so that the engine writes it again.
func (o *Output) Write(_ context.Context, r pipeline.Record) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.rotateLocked(); err != nil {
		return fmt.Errorf("file output %q: rotate: %w: %w", o.name, pipeline.ErrRetry, err)
	}
	if err := o.openLocked(); err != nil {
		return fmt.Errorf("file output %q: %w: %w", o.name, pipeline.ErrRetry, err)
	}
	if r.Data == nil {
		o.ack(1) // nothing to write: nothing to wait for
		return nil
	}
	if o.buf == nil {
		o.buf = make([]byte, 0, bufferCap)
	}
	o.buf = append(o.buf, r.Data...)
	o.count++
	o.bufRecs++
	due := o.count >= o.cfg.FlushCount && (!o.and || o.interval == 0 || o.elapsed)
	if !due && len(o.buf) < maxBuffered {
		return nil
	}
	err := o.flushLocked()
	if err == nil {
		return nil
	}
	if len(o.buf) >= len(r.Data) {
		// None of this record reached the file: give it back.
		o.buf = o.buf[:len(o.buf)-len(r.Data)]
		o.count--
		o.bufRecs--
		return fmt.Errorf("file output %q: %w: %w", o.name, pipeline.ErrRetry, err)
	}
	// Part of it did; the rest stays buffered for the next flush.
	o.log.Error("flush failed; will retry", "path", o.path, "err", err)
	return nil
}

// Reopen writes what is buffered, closes the file and opens the path again
// (SIGHUP, after logrotate moved the file away).
func (o *Output) Reopen() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	err := o.closeLocked()
	if oerr := o.openLocked(); oerr != nil {
		return fmt.Errorf("file output %q: reopen: %w", o.name, errors.Join(err, oerr))
	}
	if err != nil {
		return fmt.Errorf("file output %q: reopen: %w", o.name, err)
	}
	return nil
}

// Close stops the timer, writes what is buffered and closes the file.
func (o *Output) Close() error {
	o.mu.Lock()
	if o.stop != nil {
		close(o.stop)
		o.stop = nil
		if o.timer != nil {
			o.timer.Stop()
		}
	}
	o.mu.Unlock()
	o.flusher.Wait()
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.closeLocked(); err != nil {
		return fmt.Errorf("file output %q: %w", o.name, err)
	}
	return nil
}

var (
	_ pipeline.Output           = (*Output)(nil)
	_ pipeline.Connector        = (*Output)(nil)
	_ pipeline.Reopener         = (*Output)(nil)
	_ pipeline.DelayedAcker     = (*Output)(nil)
	_ io.Closer                 = (*Output)(nil)
	_ pipeline.Validator        = (*OutputConfig)(nil)
	_ pipeline.FramingDefaulter = (*OutputConfig)(nil)
)
