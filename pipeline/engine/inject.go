package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// errSelfInject is Heka's refusal of a message the injecting filter would
// itself receive.
var errSelfInject = errors.New("attempted to Inject a message to itself")

// injector is the pipeline.Injector of one filter or output (s set), or of
// an input's ticks (s nil).
type injector struct {
	e    *Engine
	s    *sink
	name string
}

func (in *injector) loop() int {
	if in.s == nil {
		return 0
	}
	return int(in.s.curLoop.Load())
}

func (e *Engine) loopError() error {
	return fmt.Errorf("exceeded MaxMsgLoops = %d", e.g.MaxMessageLoops)
}

// NewPack takes a pack from the inject pool, stamped as Heka stamps
// injected messages (new uuid, now, hostname, pid), with a loop count one
// more than the message being processed.
func (in *injector) NewPack(ctx context.Context) (*pipeline.Pack, error) {
	lc := in.loop() + 1
	if uint(lc) > in.e.g.MaxMessageLoops {
		return nil, in.e.loopError()
	}
	p, err := in.e.injectPack(ctx, in.name)
	if err != nil {
		return nil, err
	}
	in.e.stampInjected(p)
	p.LoopCount = lc
	return p, nil
}

// Inject routes p. It refuses, recycling p, a message over the loop limit
// or one the injecting filter would receive itself.
func (in *injector) Inject(_ context.Context, p *pipeline.Pack) error {
	if p == nil {
		return errors.New("inject: nil pack")
	}
	if uint(p.LoopCount) > in.e.g.MaxMessageLoops {
		p.Recycle()
		return in.e.loopError()
	}
	if in.s != nil && in.s.accepts(p) {
		p.Recycle()
		return errSelfInject
	}
	if in.s != nil {
		in.s.injected.Add(1)
	}
	return in.e.router.inject(p)
}

// injectPack takes a pack from the inject pool. When the pool stays empty
// for Options.InjectWait it allocates an extra pack instead of waiting
// forever: the packs a filter waits for may be queued behind that very
// filter (see docs/locks.md), so waiting could deadlock.
func (e *Engine) injectPack(ctx context.Context, who string) (*pipeline.Pack, error) {
	if p, ok := e.injectPool.TryGet(); ok {
		return p, nil
	}
	wctx, cancel := context.WithTimeout(ctx, e.opts.InjectWait)
	p, err := e.injectPool.Get(wctx)
	cancel()
	if err == nil {
		return p, nil
	}
	if ctx.Err() != nil {
		return nil, err
	}
	n := e.overflow.Add(1)
	if n == 1 || n%100 == 0 {
		e.log.Warn("inject pool exhausted: allocating an extra pack so that injecting filters cannot deadlock",
			"plugin", who, "waited", e.opts.InjectWait, "extra_packs", n)
	}
	return pipeline.NewPack(), nil
}

// enginePack returns a pack for a message hekad makes itself (reports,
// terminations). It never waits: when the inject pool is empty it
// allocates.
func (e *Engine) enginePack() *pipeline.Pack {
	p, ok := e.injectPool.TryGet()
	if !ok {
		p = pipeline.NewPack()
	}
	e.stampInjected(p)
	p.LoopCount = 1
	p.MutableMessage().SetLogger("hekad")
	return p
}

func (e *Engine) stampInjected(p *pipeline.Pack) {
	m := p.MutableMessage()
	m.SetNewUUID()
	m.SetTimestamp(time.Now().UnixNano())
	m.SetHostname(e.hostname)
	m.SetPid(e.pid)
}

// terminationPack builds Heka's heka.terminated message for a plugin that
// exited.
func (e *Engine) terminationPack(s *sink, err error) *pipeline.Pack {
	p := e.enginePack()
	m := p.MutableMessage()
	m.SetType("heka.terminated")
	if f, ferr := message.NewField("plugin", s.name, ""); ferr == nil {
		m.AddField(f)
	}
	msg := "Run exited."
	if err != nil {
		msg = err.Error()
	}
	m.SetPayload(fmt.Sprintf("%s (type %s) terminated. Error: %s", s.name, s.typ, msg))
	return p
}
