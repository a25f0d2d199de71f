package sandbox

import (
	"context"
	"fmt"
	"time"

	lua "github.com/yuin/gopher-lua"

	lsb "github.com/hekad-go/hekad/internal/lua/sandbox"
	"github.com/hekad-go/hekad/pipeline"
)

// DefaultOutputCommon makes a SandboxOutput's exit leave hekad running
// (can_exit defaults to true for sandbox outputs, as in Heka).
func (*Config) DefaultOutputCommon(c *pipeline.OutputCommon) { c.CanExit = true }

// Output is SandboxOutput: process_message is called for every message its
// matcher selects, timer_event(ns) every ticker_interval. It runs in the
// relaxed profile (io, os.getenv, coroutine) and, as in Heka, without an
// instruction_limit.
type Output struct {
	name  string
	cfg   Config
	sb    *lazySandbox
	rd    reader
	stats counters
}

func newOutput(cfg Config, env *pipeline.Env) (pipeline.Output, error) {
	cfg.noInstructionLimit(env)
	o := &Output{name: env.Name(), cfg: cfg}
	o.stats.denominator = env.Globals().SampleDenominator
	sb, err := newSandbox(cfg, env, "sandbox output", lsb.Relaxed, map[string]lua.LGFunction{
		"read_message": o.rd.readMessage, "read_next_field": o.rd.readNextField,
	})
	if err != nil {
		return nil, err
	}
	o.sb = sb
	return o, nil
}

// Write calls process_message for the record's message: 0 is success, a
// negative status fails this message (dropped, counted and logged), a
// positive one, a script error or a broken limit ends the output.
func (o *Output) Write(ctx context.Context, r pipeline.Record) error {
	if err := o.sb.start(ctx); err != nil {
		return fmt.Errorf("sandbox output %q terminated: %w", o.name, err)
	}
	o.rd.set(r.Pack)
	start := o.stats.startProcess()
	status, msg, err := o.sb.ProcessMessage(ctx)
	o.stats.process(start, status)
	o.rd.set(nil)
	switch {
	case err != nil:
		return fmt.Errorf("sandbox output %q: %w", o.name, err)
	case status > 0:
		return fmt.Errorf("sandbox output %q terminated: process_message() returned %d: %s", o.name, status, msg)
	case status < 0:
		return pipeline.Drop(fmt.Errorf("sandbox output %q: process_message() failed: %s", o.name, msg))
	}
	return nil
}

// Tick calls timer_event with the time in Unix nanoseconds.
func (o *Output) Tick(ctx context.Context, _ pipeline.Injector) error {
	if err := o.sb.start(ctx); err != nil {
		return fmt.Errorf("sandbox output %q terminated: %w", o.name, err)
	}
	start := time.Now()
	err := o.sb.TimerEvent(ctx, start.UnixNano())
	o.stats.timer(start)
	if err != nil {
		return fmt.Errorf("sandbox output %q: %w", o.name, err)
	}
	return nil
}

// Stop calls timer_event a last time when timer_event_on_shutdown is set.
func (o *Output) Stop(ctx context.Context, inj pipeline.Injector) error {
	return o.sb.lastTick(o.cfg, func() error { return o.Tick(ctx, inj) })
}

// Abort stops a running script.
func (o *Output) Abort() { o.sb.Abort() }

// Report gives Heka's sandbox report fields.
func (o *Output) Report() []pipeline.ReportField {
	return o.stats.report(o.sb.Stats(), false)
}

// Close preserves the script's data (preserve_data) and releases the
// sandbox.
func (o *Output) Close() error { return o.sb.close("sandbox output", o.name) }

var (
	_ pipeline.Output                = (*Output)(nil)
	_ pipeline.Ticker                = (*Output)(nil)
	_ pipeline.Stopper               = (*Output)(nil)
	_ pipeline.Aborter               = (*Output)(nil)
	_ pipeline.Reporter              = (*Output)(nil)
	_ pipeline.OutputCommonDefaulter = (*Config)(nil)
)
