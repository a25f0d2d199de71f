package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hekad-go/hekad/internal/diskqueue"
	"github.com/hekad-go/hekad/pipeline"
)

// An output that implements pipeline.BatchWriter is sent its messages in
// batches: buffered, what its disk queue has ready,
// one write for up to batchRecords records or batchBytes bytes and one
// queue commit per batch; unbuffered, each batch the router hands it. One
// write per record cost TcpOutput about 4.7 µs a record, half of hekad's
// CPU.
const (
	batchRecords = 1024
	batchBytes   = 256 << 10
)

// batchWriter returns the plugin as a BatchWriter when its messages may
// be batched: an output with an encoder.
func (s *sink) batchWriter() pipeline.BatchWriter {
	if s.output == nil || s.encoder == nil {
		return nil
	}
	bw, _ := s.plugin.(pipeline.BatchWriter)
	return bw
}

// load makes p hold the queue record rec (protobuf bytes).
func load(p *pipeline.Pack, rec []byte) {
	p.MutableMessage().Reset()
	p.MsgBytes = append(p.MsgBytes[:0], rec...)
	p.TrustBytes()
}

// sendOne gives the queue record rec to the plugin and returns what
// became of it there.
func (s *sink) sendOne(ctx context.Context, rh *retrier, p *pipeline.Pack, rec []byte) (outcome, error) {
	load(p, rec)
	o, err := s.handle(ctx, rh, p)
	if err != nil {
		return o, err
	}
	if o == outDropped {
		s.queueDropped.Add(1)
	}
	s.processed.Add(1)
	return o, nil
}

// sendBatch encodes rec and the records after it that are ready, up to the
// batch bounds, and writes them with one WriteBatch. Records the encoder
// skips or fails on are dropped, as with Write. The caller commits the
// queue once it returns nil.
func (s *sink) sendBatch(ctx context.Context, rh *retrier, q *diskqueue.Queue, p *pipeline.Pack, rec []byte, bw pipeline.BatchWriter) error {
	batch, ends := s.batch[:0], s.ends[:0]
	read := 0
	for {
		load(p, rec)
		read++
		data, err := s.encode(p)
		switch {
		case err == nil:
			batch = append(batch, data...)
			ends = append(ends, len(batch))
		case errors.Is(err, pipeline.ErrSkip):
			s.dropped.Add(1)
			s.queueDropped.Add(1)
		case errors.Is(err, pipeline.ErrFatal):
			return fmt.Errorf("encoder '%s': %w", s.encName, err)
		default:
			s.drop(fmt.Errorf("encoder '%s': %w", s.encName, err))
			s.queueDropped.Add(1)
		}
		if read >= batchRecords || len(batch) >= batchBytes {
			break
		}
		if rec, err = q.Next(doneCtx); err != nil {
			break // nothing more is ready now (or the queue closed: the caller finds out)
		}
	}
	s.batch, s.ends = batch, ends
	n := len(ends)
	if n > 0 {
		switch err := s.writeBatch(ctx, rh, bw, batch, ends); {
		case errors.Is(err, errBatchDropped):
			s.queueDropped.Add(int64(n))
			n = 0
		case err != nil:
			return err
		}
	}
	s.processed.Add(int64(read))
	s.commitBatch(q, n)
	return nil
}

// errBatchDropped: the output dropped a whole batch (a Drop error).
var errBatchDropped = errors.New("batch dropped")

// writeBatch writes one batch, retrying and reconnecting on ErrRetry as
// handle does for one record. It returns errBatchDropped when the output
// dropped the batch (counted and logged here).
func (s *sink) writeBatch(ctx context.Context, rh *retrier, bw pipeline.BatchWriter, data []byte, ends []int) error {
	n := len(ends)
	for {
		err := guard(func() error { return bw.WriteBatch(ctx, data, ends) })
		if err == nil {
			rh.reset()
			return nil
		}
		if pipeline.IsDrop(err) {
			s.dropped.Add(int64(n))
			s.log.Error(fmt.Sprintf("%d messages dropped", n), "err", err)
			return errBatchDropped
		}
		if !errors.Is(err, pipeline.ErrRetry) {
			return err
		}
		if werr := s.retryWait(ctx, rh, "write", err); werr != nil {
			return werr
		}
		if c, ok := s.plugin.(pipeline.Connector); ok {
			if err := s.connect(ctx, c, rh); err != nil {
				return err
			}
			s.busy.Store(callMessage)
		}
	}
}

// handleBatchWrite is handleBatch for an unbuffered BatchWriter output:
// the router's batch, and the batches queued behind it up to the batch
// bounds, are encoded into one buffer and written with one WriteBatch; each
// message is then settled by what became of it. A pack goes back to its pool
// as soon as it is encoded, so that the inputs can read on during the write.
func (s *sink) handleBatchWrite(ctx context.Context, rh *retrier, b *batch, bw pipeline.BatchWriter) error {
	now := unixNow()
	s.busy.Store(callMessage)
	defer s.busy.Store(callIdle)
	start := time.Now()
	s.batch, s.ends, s.outs = s.batch[:0], s.ends[:0], s.outs[:0]
	joined := append(s.joined[:0], b)
	fatal := s.encodeBatch(b, now, nil)
	for fatal == nil && len(s.batch) < batchBytes && len(s.outs) < batchRecords && !s.e.aborting() {
		nb := s.nextReady()
		if nb == nil {
			break
		}
		joined = append(joined, nb)
		fatal = s.encodeBatch(nb, now, fatal)
	}
	s.joined = joined
	data, ends, outs := s.batch, s.ends, s.outs
	if len(ends) > 0 {
		written := outDelivered
		switch err := s.writeBatch(ctx, rh, bw, data, ends); {
		case errors.Is(err, errBatchDropped):
			written = outDropped
		case err != nil:
			written = outLost
			if fatal == nil {
				fatal = err
			}
		}
		if written != outDelivered {
			for i, o := range outs {
				if o == outDelivered {
					outs[i] = written
				}
			}
		}
	}
	s.procNs.Add(int64(time.Since(start)))
	s.procSamples.Add(int64(len(outs)))
	k := 0
	for _, jb := range joined {
		for _, dl := range jb.dl {
			s.settle(dl, outs[k])
			k++
		}
		s.e.batches.put(jb)
	}
	clear(joined)
	s.processed.Add(int64(len(outs)))
	if fatal != nil {
		for _, o := range outs {
			if o == outLost {
				s.exitLost++
			}
		}
	}
	return fatal
}

// nextReady returns the next batch the router has queued for the sink, or
// nil when none is ready now. It notes a closed channel in s.chClosed.
func (s *sink) nextReady() *batch {
	select {
	case b, ok := <-s.ch:
		if !ok {
			s.chClosed = true
			return nil
		}
		s.queued.Add(-int64(len(b.packs)))
		return b
	default:
		return nil
	}
}

// encodeBatch stamps and encodes b's packs onto s.batch, appending their
// ends to s.ends and their outcomes to s.outs, and recycles each pack once
// encoded. After a fatal encoder error (passed in or met here) the packs
// are not encoded but counted as lost; it returns the fatal error.
func (s *sink) encodeBatch(b *batch, now int64, fatal error) error {
	for _, p := range b.packs {
		p.Stamp(&s.name, now)
		if fatal != nil {
			s.outs = append(s.outs, outLost)
			p.Recycle()
			continue
		}
		enc, err := s.encode(p)
		switch {
		case err == nil:
			s.batch = append(s.batch, enc...)
			s.ends = append(s.ends, len(s.batch))
			s.outs = append(s.outs, outDelivered)
		case errors.Is(err, pipeline.ErrSkip):
			s.dropped.Add(1)
			s.outs = append(s.outs, outDropped)
		case errors.Is(err, pipeline.ErrFatal):
			fatal = fmt.Errorf("encoder '%s': %w", s.encName, err)
			s.outs = append(s.outs, outLost)
		default:
			s.drop(fmt.Errorf("encoder '%s': %w", s.encName, err))
			s.outs = append(s.outs, outDropped)
		}
		p.Recycle()
	}
	return fatal
}
