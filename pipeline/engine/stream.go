package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// readAhead is the size to which a busy stream's read buffer grows, so
// that a stream that always has data waiting is read in few system calls
// (and its records are handed on in full batches) rather than
// min_buffer_size bytes at a time. Only a stream whose reads fill the
// buffer grows it: idle or slow connections keep small buffers. 256 KiB
// took hekad's CPU per message of the 1 KiB protobuf workload from 2.2-2.4
// to 1.9-2.3 µs against 64 KiB (bench/e2e on /dev/shm, interleaved runs).
const readAhead = 256 << 10

// aheadPool holds the readAhead buffers of streams that went idle, for the
// next stream that has data waiting: a busy stream takes one, an idle one
// gives it back and keeps only its min_buffer_size buffer, so idle
// connections cost little and closed ones retain nothing (the pool is
// emptied by the garbage collector).
var aheadPool = sync.Pool{New: func() any { return new([readAhead]byte) }}

// putAhead gives buf back to aheadPool if it came from there (it is not
// the stream's own small buffer).
func (st *streamer) putAhead(buf []byte) {
	if cap(buf) == readAhead && (len(st.small) == 0 || &buf[0] != &st.small[0]) {
		aheadPool.Put((*[readAhead]byte)(buf[:readAhead]))
	}
}

// stream reads r until EOF (or an error, or ctx done), cutting records
// with a fresh splitter. The read buffer starts at min_buffer_size and
// doubles up to the largest record size; a record that does not fit is
// dropped (or, with keep_truncated, delivered cut to the largest size), and
// so is the rest of it up to the next record boundary. A buffer that a read
// fills completely also doubles, up to readAhead: records longer than the
// largest record size that fit in it are dropped or cut just the same, by
// deliver. Records are handed on in batches; the batch is flushed whenever
// the next record needs a read, so that a quiet stream is not held back.
func (ir *inputRunner) stream(ctx context.Context, r io.Reader, src pipeline.Source) error {
	v, err := ir.splitter.build()
	if err != nil {
		return fmt.Errorf("splitter '%s': %w", ir.splitter.name, err)
	}
	sp := v.(pipeline.Splitter)
	d, err := ir.newDeliverer()
	if err != nil {
		return err
	}
	defer d.close()
	st := &streamer{ir: ir, d: d, sp: sp, src: src, logger: src.Logger, base: src.Offset}
	if src.Commit != nil {
		st.sc = &streamCommit{commit: src.Commit}
	}
	st.signed, _ = sp.(pipeline.SignedSplitter)
	if st.logger == "" {
		st.logger = ir.name
	}
	return st.run(ctx, r)
}

type streamer struct {
	ir     *inputRunner
	d      *deliverer
	sp     pipeline.Splitter
	signed pipeline.SignedSplitter
	src    pipeline.Source
	logger string
	now    int64 // time of the last read (ns), stamped on text records
	sec    int64 // the same in seconds, for pack stamps

	peer string // Datagrams: the sender of the datagram being split (Source.Peer)

	skipFrom int64  // the stream offset where the oversize record being dropped began
	skipHead string // its first bytes, for the log

	sc    *streamCommit // with Source.Commit: in-order commits of acknowledged records
	orgs  originSlab    // the origins of the records, with sc
	base  int64         // the source offset of buf[0]
	small []byte        // the stream's min_buffer_size read buffer
	pos   int64         // the source offset just past the record being delivered
}

// origin returns the origin of the record that ends at st.pos, tracked for
// the stream's commits (nil when the source wants none).
func (st *streamer) origin() *origin {
	if st.sc == nil {
		return nil
	}
	o := st.orgs.get(nil, st.sc, st.pos)
	st.sc.track(o)
	return o
}

// skipped marks a record that is not delivered (dropped as oversize) as
// done for the stream's commits.
func (st *streamer) skipped() {
	if o := st.origin(); o != nil {
		o.done(false)
	}
}

func (st *streamer) run(ctx context.Context, r io.Reader) error {
	maxRec := st.ir.e.maxRecord
	size := min(max(int(st.ir.split.MinBufferSize), 64), maxRec)
	if st.src.Datagrams {
		size = max(maxRec, maxDatagram) // a read must take a whole datagram
	}
	buf := make([]byte, size)
	// small is the stream's own buffer of min_buffer_size: buf is small
	// again whenever a read drained the stream and every record in buf was
	// handed on, so that an idle connection holds no more than that.
	small := buf
	st.small = small
	defer func() { st.putAhead(buf) }()
	drained := false // the last read did not fill the free part of buf
	start, end := 0, 0
	eof := false
	skipping := false // dropping the rest of an oversize record
	empty := 0
	st.stampNow()
	for {
		for start < end {
			adv, rec, err := st.split(buf[start:end], eof)
			if err != nil {
				if errors.Is(err, bufio.ErrFinalToken) {
					st.pos = st.base + int64(start+adv)
					if rec != nil && !skipping {
						if err := st.deliver(ctx, rec, maxRec); err != nil {
							return err
						}
					}
					return nil
				}
				return fmt.Errorf("splitter '%s': %w", st.ir.splitter.name, err)
			}
			if adv < 0 || adv > end-start {
				return fmt.Errorf("splitter '%s': advance %d out of range (%d bytes)", st.ir.splitter.name, adv, end-start)
			}
			if adv == 0 && rec == nil {
				break // needs more data
			}
			if adv == 0 {
				if empty++; empty > 100 {
					return fmt.Errorf("splitter '%s': too many records without progress", st.ir.splitter.name)
				}
			} else {
				empty = 0
			}
			start += adv
			st.pos = st.base + int64(start)
			if rec == nil {
				continue
			}
			if skipping {
				skipping = false // that was the end of the oversize record
				st.skipped()
				st.skippedEnd(st.base+int64(start), maxRec, false)
				continue
			}
			if err := st.deliver(ctx, rec, maxRec); err != nil {
				return err
			}
		}
		if st.src.Datagrams && end > 0 {
			if err := st.endDatagram(ctx, buf[start:end], maxRec); err != nil {
				return err
			}
			st.base += int64(end)
			start, end = 0, 0
		}
		if eof {
			if skipping {
				st.skippedEnd(st.base+int64(end), maxRec, true)
			}
			if start == end {
				// As bufio.Scanner does, call the splitter once more with no
				// data at EOF, so it can report what it still holds (a
				// framed record skipped as oversize at the very end).
				if _, rec, err := st.split(buf[:0], true); err == nil || errors.Is(err, bufio.ErrFinalToken) {
					if rec != nil && !skipping {
						if err := st.deliver(ctx, rec, maxRec); err != nil {
							return err
						}
					}
				}
			}
			if start < end && st.ir.split.DeliverIncompleteFinal && !skipping {
				st.pos = st.base + int64(end)
				if err := st.deliver(ctx, buf[start:end], maxRec); err != nil {
					return err
				}
			}
			st.d.flush()
			return nil
		}
		// Nothing more is ready without reading: hand over what we have
		// (unless the reader already holds more).
		if br, ok := r.(pipeline.BufferedReader); !ok || br.Buffered() == 0 {
			st.d.flush()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if start > 0 {
			end = copy(buf, buf[start:end])
			st.base += int64(start)
			start = 0
		}
		if drained && len(buf) > len(small) && !st.src.Datagrams {
			// The stream is idle (or slower than we read it): back to
			// the small buffer until data needs more, or to one just
			// large enough for the part of a record it holds.
			if end <= len(small) {
				copy(small, buf[:end])
				st.putAhead(buf)
				buf = small
			} else if n := fit(len(small), end); n <= len(buf)/4 {
				buf = st.grow(buf, end, n)
			}
		}
		if end == len(buf) {
			if len(buf) < maxRec {
				buf = st.grow(buf, end, min(2*len(buf), maxRec))
			} else {
				if !skipping {
					st.oversize(ctx, buf[:end], maxRec)
					st.skipFrom, st.skipHead = st.base, string(buf[:min(end, 64)])
				}
				skipping = true
				st.base += int64(end)
				end = 0
			}
		}
		n, err := r.Read(buf[end:])
		drained = end+n < len(buf)
		if n > 0 && st.src.Peer != nil {
			st.peer = st.src.Peer()
		}
		if n > 0 {
			if end+n == len(buf) && len(buf) < readAhead {
				// The stream has more than the buffer holds: read
				// it in larger pieces while it has.
				buf = st.grow(buf, end+n, readAhead)
			}
			end += n
			st.stampNow()
		}
		if err == io.EOF {
			eof = true
		} else if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return cerr
			}
			return err
		}
	}
}

// maxDatagram is the read buffer of a Datagrams stream at least: the
// largest UDP payload, rounded up.
const maxDatagram = 64 << 10

// endDatagram handles what a datagram left after its last record: it is
// delivered with deliver_incomplete_final and dropped otherwise, and the
// splitter, which may hold state about it, is replaced by a fresh one.
func (st *streamer) endDatagram(ctx context.Context, rest []byte, maxRec int) error {
	if len(rest) == 0 {
		return nil
	}
	v, err := st.ir.splitter.build()
	if err != nil {
		return fmt.Errorf("splitter '%s': %w", st.ir.splitter.name, err)
	}
	st.sp = v.(pipeline.Splitter)
	st.signed, _ = st.sp.(pipeline.SignedSplitter)
	st.pos += int64(len(rest))
	if st.ir.split.DeliverIncompleteFinal {
		return st.deliver(ctx, rest, maxRec)
	}
	st.skipped()
	st.ir.partials.Add(1)
	return nil
}

// grow returns a buffer of size n holding buf[:end]; buf is given back
// to aheadPool if it came from there.
func (st *streamer) grow(buf []byte, end, n int) []byte {
	var nb []byte
	if n == readAhead {
		nb = aheadPool.Get().(*[readAhead]byte)[:]
	} else {
		nb = make([]byte, n)
	}
	copy(nb, buf[:end])
	st.putAhead(buf)
	return nb
}

// fit returns the smallest size, small doubled, that holds n bytes and
// leaves room to read.
func fit(small, n int) int {
	for small <= n {
		small *= 2
	}
	return small
}

func (st *streamer) stampNow() {
	t := time.Now()
	st.now, st.sec = t.UnixNano(), t.Unix()
}

func (st *streamer) split(data []byte, atEOF bool) (adv int, rec []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
		}
	}()
	return st.sp.Split(data, atEOF)
}

// oversize handles a record that filled the largest buffer: it is logged
// and dropped, or with keep_truncated delivered cut to maxRec bytes.
func (st *streamer) oversize(ctx context.Context, rec []byte, maxRec int) {
	st.ir.oversize.Add(1)
	head := rec[:min(len(rec), 64)]
	if st.ir.split.KeepTruncated {
		st.ir.log.Error(fmt.Sprintf("record of at least %d bytes exceeded MAX_RECORD_SIZE %d and was truncated", len(rec), maxRec), "stream", st.src.Name, "start", string(head))
		_ = st.deliverRecord(ctx, rec[:min(len(rec), maxRec)])
		return
	}
	if len(rec) <= maxRec {
		// The head of a record longer than the buffer: its end, where it
		// is skipped, is what the stream's commits must pass.
		return
	}
	st.skipped()
	st.ir.log.Error(fmt.Sprintf("record of %d bytes exceeded MAX_RECORD_SIZE %d and was dropped", len(rec), maxRec), "stream", st.src.Name, "start", string(head))
}

// skippedEnd logs a record longer than the read buffer, dropped while it
// was read, with its size, once its end (the stream offset end) is known,
// or at the end of the stream (atEOF: its size is then a lower bound).
// With keep_truncated its head was delivered and logged already.
func (st *streamer) skippedEnd(end int64, maxRec int, atEOF bool) {
	if st.ir.split.KeepTruncated {
		return
	}
	size := fmt.Sprintf("%d bytes", end-st.skipFrom)
	if atEOF {
		size = "at least " + size + ", cut by the end of the stream,"
	}
	st.ir.log.Error(fmt.Sprintf("record of %s exceeded MAX_RECORD_SIZE %d and was dropped", size, maxRec),
		"stream", st.src.Name, "offset", st.skipFrom, "start", st.skipHead)
}

func (st *streamer) deliver(ctx context.Context, rec []byte, maxRec int) error {
	if len(rec) > maxRec {
		st.oversize(ctx, rec, maxRec)
		return nil
	}
	return st.deliverRecord(ctx, rec)
}

// deliverRecord puts rec in a pack (as message bytes, or as the payload of
// a stamped message in text mode) and hands it on. It waits for a pack
// until hekad gives up on shutdown, not just until the input is told to
// stop: records already read are delivered.
func (st *streamer) deliverRecord(_ context.Context, rec []byte) error {
	p, ok := st.ir.e.inputPool.TryGet()
	if !ok {
		// Never wait for a pack while holding packs nobody else can
		// recycle: hand over the batch first.
		st.d.flush()
		var err error
		if p, err = st.ir.e.inputPool.Get(st.ir.e.runCtx); err != nil {
			st.ir.e.abandoned.Add(1)
			return err
		}
	}
	p.Stamp(&st.ir.name, st.sec)
	if st.signed != nil {
		p.Signer = st.signed.Signer()
	}
	if st.ir.split.UseMessageBytes {
		p.MsgBytes = append(p.MsgBytes[:0], rec...)
	} else {
		m := p.MutableMessage()
		m.SetNewUUID()
		m.SetTimestamp(st.now)
		m.SetLogger(st.logger)
		m.SetPayload(string(rec))
		if st.src.Type != "" {
			m.SetType(st.src.Type)
		}
		if st.peer != "" {
			m.SetHostname(st.peer)
		} else if st.src.Hostname != "" {
			m.SetHostname(st.src.Hostname)
		}
		if st.src.Decorate != nil {
			st.src.Decorate(m)
		}
	}
	st.d.add(p, st.origin())
	return nil
}
