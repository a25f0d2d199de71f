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
// the router's batch is encoded into one buffer and written with one
// WriteBatch; each message is then settled by what became of it.
func (s *sink) handleBatchWrite(ctx context.Context, rh *retrier, b *batch, bw pipeline.BatchWriter) error {
	now := unixNow()
	s.busy.Store(callMessage)
	defer s.busy.Store(callIdle)
	start := time.Now()
	data, ends, outs := s.batch[:0], s.ends[:0], s.outs[:0]
	var fatal error
	for _, p := range b.packs {
		p.Stamp(&s.name, now)
		if fatal != nil {
			outs = append(outs, outLost)
			continue
		}
		enc, err := s.encode(p)
		switch {
		case err == nil:
			data = append(data, enc...)
			ends = append(ends, len(data))
			outs = append(outs, outDelivered)
		case errors.Is(err, pipeline.ErrSkip):
			s.dropped.Add(1)
			outs = append(outs, outDropped)
		case errors.Is(err, pipeline.ErrFatal):
			fatal = fmt.Errorf("encoder '%s': %w", s.encName, err)
			outs = append(outs, outLost)
		default:
			s.drop(fmt.Errorf("encoder '%s': %w", s.encName, err))
			outs = append(outs, outDropped)
		}
	}
	s.batch, s.ends, s.outs = data, ends, outs
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
	s.procSamples.Add(int64(len(b.packs)))
	for i, p := range b.packs {
		p.Recycle()
		s.settle(b.dl[i], outs[i])
	}
	s.processed.Add(int64(len(b.packs)))
	s.e.batches.put(b)
	return fatal
}
