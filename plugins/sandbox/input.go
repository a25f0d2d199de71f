package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	lua "github.com/yuin/gopher-lua"

	lsb "github.com/hekad-go/hekad/internal/lua/sandbox"
	"github.com/hekad-go/hekad/pipeline"
)

// InputConfig is SandboxInput's configuration: the sandbox options and the
// ticker_interval of its polling.
type InputConfig struct {
	Config
	// TickerInterval is the time, in seconds, between two calls of
	// process_message when the previous one returned 0 or less (polling);
	// 0 runs the script once. It is the common input option, read here too.
	TickerInterval pipeline.Seconds `toml:"ticker_interval"`
}

func defaultInputConfig() InputConfig { return InputConfig{Config: defaultOutputConfig()} }

// Validate checks the options; errors name the key.
func (c *InputConfig) Validate() error {
	if c.TimerEventOnShutdown {
		return errors.New("timer_event_on_shutdown: SandboxInput has no timer_event")
	}
	return c.Config.Validate()
}

// DefaultInputCommon makes a SandboxInput's exit leave hekad running
// (can_exit defaults to true for sandbox inputs, as in Heka).
func (*InputConfig) DefaultInputCommon(c *pipeline.InputCommon) { c.CanExit = true }

// Input is SandboxInput: process_message() is called with no message; the
// script makes messages with inject_message, which go through the input's
// decoder. A status above 0 ends the input; 0 or less waits for the next
// tick (with no ticker_interval the input ends: a single run). It runs in
// the relaxed profile and, as in Heka, without an instruction_limit.
type Input struct {
	name string
	cfg  InputConfig
	log  *slog.Logger
	sb   *lazySandbox

	// the running call's context and host
	ctx  context.Context
	host pipeline.InputHost
	tick chan struct{} // Tick's nudges to Run

	stats counters
}

func newInput(cfg InputConfig, env *pipeline.Env) (pipeline.Input, error) {
	cfg.noInstructionLimit(env)
	in := &Input{name: env.Name(), cfg: cfg, log: env.Logger(), tick: make(chan struct{}, 1)}
	in.stats.denominator = 1 // process_message is called once per tick: time every call
	sb, err := newSandbox(cfg.Config, env, "sandbox input", lsb.Relaxed, map[string]lua.LGFunction{
		"inject_message": in.injectMessage,
	})
	if err != nil {
		return nil, err
	}
	in.sb = sb
	return in, nil
}

// Run calls process_message until the script asks to stop or ctx is done.
func (in *Input) Run(ctx context.Context, host pipeline.InputHost) error {
	defer func() {
		if err := in.sb.close("sandbox input", in.name); err != nil {
			in.log.Error("could not preserve the data", "err", err)
		}
	}()
	if err := in.sb.start(ctx); err != nil {
		return fmt.Errorf("sandbox input %q terminated: %w", in.name, err)
	}
	for {
		in.ctx, in.host = ctx, host
		start := in.stats.startProcess()
		status, msg, err := in.sb.ProcessMessage(ctx)
		in.stats.process(start, status)
		in.ctx, in.host = nil, nil
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			return fmt.Errorf("sandbox input %q: %w", in.name, err)
		case status > 0:
			in.log.Info("process_message() asked to stop", "status", status, "message", msg)
			return nil
		case status < 0:
			in.log.Error("process_message() failed", "status", status, "message", msg)
		}
		if in.cfg.TickerInterval == 0 {
			in.log.Info("single run completed")
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-in.tick:
		}
	}
}

// Tick, every ticker_interval, lets Run call process_message again (a tick
// that comes while the script runs is kept for when it returns).
func (in *Input) Tick(context.Context, pipeline.Injector) error {
	select {
	case in.tick <- struct{}{}:
	default:
	}
	return nil
}

// injectMessage is inject_message(table or encoded message) in an input:
// the message goes to the input's decoder, or to the router.
func (in *Input) injectMessage(L *lua.LState) int {
	if in.host == nil {
		L.RaiseError("inject_message() called outside process_message")
	}
	p, err := in.host.NewPack(in.ctx)
	if err != nil {
		L.RaiseError("inject_message() aborted: %v", err)
	}
	filled := false
	defer func() { // also while a Lua error unwinds: give the pack back
		if !filled {
			p.Recycle()
		}
	}()
	messageArg(L, p.MutableMessage())
	filled = true
	in.stats.injects.Add(1)
	if err := in.host.Deliver(in.ctx, p, nil); err != nil {
		L.RaiseError("inject_message() aborted: %v", err)
	}
	return 0
}

// Abort stops a running script.
func (in *Input) Abort() { in.sb.Abort() }

// Report gives Heka's sandbox report fields.
func (in *Input) Report() []pipeline.ReportField {
	return in.stats.report(in.sb.Stats(), true)
}

var (
	_ pipeline.Input                = (*Input)(nil)
	_ pipeline.Ticker               = (*Input)(nil)
	_ pipeline.Aborter              = (*Input)(nil)
	_ pipeline.Reporter             = (*Input)(nil)
	_ pipeline.InputCommonDefaulter = (*InputConfig)(nil)
)
