package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// inputRunner runs one input: it calls Run (again after ErrRetry, per the
// retries options), gives it an InputHost, and handles its exit.
type inputRunner struct {
	e        *Engine
	name     string
	typ      string
	sec      config.Section
	env      *pipeline.Env
	log      *slog.Logger
	common   pipeline.InputCommon
	split    pipeline.SplitterCommon
	splitter *template
	decoder  *template // nil: no decoder
	tick     time.Duration

	ctx    context.Context         // the input's lifetime: ends at shutdown or when its decoder fails fatally
	cancel context.CancelCauseFunc // ends ctx with a cause

	mu       sync.Mutex     // guards input and closed; never held while waiting
	input    pipeline.Input // replaced on restart
	closed   bool           // Run returned: no more Stream calls
	streamWG sync.WaitGroup

	delMu     sync.Mutex // guards def, delClosed and orgs; held while Deliver waits
	def       *deliverer // delivers what Deliver gets
	delClosed bool
	orgs      originSlab // the origins of Deliver's acknowledged packs

	decoded        atomic.Int64 // records given to the decoder
	decNs          atomic.Int64 // time spent in sampled Decode calls
	decSamples     atomic.Int64
	decodeFailures atomic.Int64
	decodeDrops    atomic.Int64 // records a decoder turned into no message
	undecoded      atomic.Int64 // records that became no message: decodeDrops, and failures not routed
	oversize       atomic.Int64
	partials       atomic.Int64 // datagram ends dropped: not a whole record (Source.Datagrams)
	decQueued      atomic.Int64 // packs waiting for the async decoders

	liveMu sync.Mutex                 // guards live
	live   map[*decodeWorker]struct{} // the decoder instances running now (decoders_live.go)
}

func (ir *inputRunner) plugin() pipeline.Input {
	ir.mu.Lock()
	defer ir.mu.Unlock()
	return ir.input
}

// decodeFatal stops the input because its decoder failed fatally
// (pipeline.ErrFatal): Run's context ends with err as its cause.
func (ir *inputRunner) decodeFatal(err error) {
	ir.log.Error("decoder failed fatally: stopping the input", "err", err)
	ir.cancel(err)
}

// fatalCause returns the error a fatal decoder failure ended the input
// with, or nil.
func (ir *inputRunner) fatalCause() error {
	if ir.e.inCtx.Err() != nil {
		return nil // shutdown
	}
	if err := context.Cause(ir.ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func (ir *inputRunner) run() {
	ctx := ir.ctx
	rh := newRetrier(ir.common.Retries)
	host := &inputHost{ir: ir}
	err := ir.runLoop(ctx, rh, host)

	ir.mu.Lock()
	ir.closed = true
	ir.mu.Unlock()
	ir.streamWG.Wait()
	ir.delMu.Lock()
	ir.delClosed = true
	if ir.def != nil {
		ir.def.close()
		ir.def = nil
	}
	ir.delMu.Unlock()

	if ferr := ir.fatalCause(); ferr != nil {
		err = ferr
	} else if ctx.Err() != nil {
		ir.log.Info("stopped")
		return
	}
	if ir.common.CanExit {
		ir.log.Info("has stopped, exiting plugin without shutting down", "err", err)
		return
	}
	ir.log.Error("has stopped, shutting down")
	if err == nil {
		err = errors.New("Run exited")
	}
	ir.e.fail(fmt.Errorf("input '%s' stopped: %w", ir.name, err))
}

// runLoop runs the input until it returns for good: nil when ctx is done or
// Run returned nil, otherwise the last error.
func (ir *inputRunner) runLoop(ctx context.Context, rh *retrier, host *inputHost) error {
	for {
		err := ir.safeRun(ctx, host)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			return nil
		}
		if st := panicStack(err); st != nil {
			ir.log.Error("plugin panicked", "err", err, "stack", string(st))
		} else {
			ir.log.Error("plugin error", "err", err)
		}
		if !errors.Is(err, pipeline.ErrRetry) {
			return err
		}
		for {
			if werr := rh.wait(ctx); werr != nil {
				if ctx.Err() != nil {
					return nil
				}
				ir.log.Error(werr.Error())
				return fmt.Errorf("%w: %w", werr, err)
			}
			ir.log.Info(fmt.Sprintf("Restarting (attempt %d/%d)", rh.attempts(), ir.common.Retries.MaxRetries))
			p, berr := buildAs[pipeline.Input](ir.sec, ir.env, "an input")
			if berr == nil {
				ir.mu.Lock()
				ir.input = p
				ir.mu.Unlock()
				break
			}
			ir.log.Error("rebuilding for restart failed", "err", berr)
		}
	}
}

func (ir *inputRunner) safeRun(ctx context.Context, host *inputHost) (err error) {
	in := ir.plugin()
	ran := make(chan struct{})
	defer close(ran)
	ir.logStarted(in, ran)
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
		}
	}()
	return in.Run(ctx, host)
}

// logStarted logs "input started" once in runs: when it is ready
// (pipeline.Readier: it listens) or, for other inputs, now. Nothing is
// logged when Run returns (ran is closed) before the input was ready.
func (ir *inputRunner) logStarted(in pipeline.Input, ran <-chan struct{}) {
	r, ok := in.(pipeline.Readier)
	if !ok {
		ir.log.Info("input started")
		return
	}
	ready := r.Ready()
	go func() {
		select {
		case <-ready:
			ir.log.Info("input started")
		case <-ran:
		}
	}()
}

// ticker calls Tick every ticker_interval until the input stops, on the
// instance that runs now (a restart replaces it).
func (ir *inputRunner) ticker() {
	inj := &injector{e: ir.e, name: ir.name}
	t := time.NewTicker(ir.tick)
	defer t.Stop()
	ctx := ir.ctx
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			tk, ok := ir.plugin().(pipeline.Ticker)
			if !ok {
				continue
			}
			if err := safeTick(ctx, tk, inj); err != nil {
				ir.log.Error("tick failed", "err", err)
			}
		}
	}
}

func safeTick(ctx context.Context, t pipeline.Ticker, inj pipeline.Injector) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = recovered(v)
		}
	}()
	return t.Tick(ctx, inj)
}

// enter registers a Stream call; it fails once Run has returned.
func (ir *inputRunner) enter() bool {
	ir.mu.Lock()
	defer ir.mu.Unlock()
	if ir.closed || ir.e.stopping.Load() {
		return false
	}
	ir.streamWG.Add(1)
	return true
}

// inputHost is the pipeline.InputHost of one input.
type inputHost struct{ ir *inputRunner }

// Stream cuts r into records with a fresh splitter and delivers them.
func (h *inputHost) Stream(ctx context.Context, r io.Reader, src pipeline.Source) error {
	ir := h.ir
	if !ir.enter() {
		return errStopped
	}
	defer ir.streamWG.Done()
	return ir.stream(ctx, r, src)
}

// NewPack takes a pack from the input pool, waiting while it is empty.
func (h *inputHost) NewPack(ctx context.Context) (*pipeline.Pack, error) {
	p, err := h.ir.e.inputPool.Get(ctx)
	if err != nil {
		return nil, err
	}
	p.Stamp(&h.ir.name, unixNow())
	return p, nil
}

// Deliver decodes p (if the input has a decoder) and routes it; ack, when
// not nil, is called once the engine is done with what p became.
func (h *inputHost) Deliver(ctx context.Context, p *pipeline.Pack, ack pipeline.Ack) error {
	ir := h.ir
	ir.delMu.Lock()
	defer ir.delMu.Unlock()
	if ir.delClosed || ir.e.aborting() {
		p.Recycle()
		if ack != nil {
			ack(errStopped)
		}
		return errStopped
	}
	if ir.def == nil {
		d, err := ir.newDeliverer()
		if err != nil {
			p.Recycle()
			if ack != nil {
				ack(err)
			}
			return err
		}
		ir.def = d
	}
	var o *origin
	if ack != nil {
		o = ir.orgs.get(ack, nil, 0)
	}
	ir.def.add(p, o)
	ir.def.flush()
	return nil
}
