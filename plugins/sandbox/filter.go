package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	lua "github.com/yuin/gopher-lua"

	lsb "github.com/hekad-go/hekad/internal/lua/sandbox"
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// Message types a sandbox filter injects.
const (
	// OutputType is the Type of inject_payload's messages.
	OutputType = "heka.sandbox-output"
	// TerminatedType is the Type of the message that reports a terminated
	// sandbox.
	TerminatedType = "heka.sandbox-terminated"
	// InjectPrefix prefixes the Type of inject_message's messages.
	InjectPrefix = "heka.sandbox."
)

// DefaultFilterCommon makes a SandboxFilter's exit leave hekad running
// (can_exit defaults to true for sandbox filters, as in Heka).
func (*Config) DefaultFilterCommon(c *pipeline.FilterCommon) { c.CanExit = true }

// Filter is SandboxFilter: a Lua script's process_message is called for
// every message its matcher selects, timer_event(ns) every ticker_interval.
type Filter struct {
	name, hostname string
	cfg            Config
	log            *slog.Logger
	sb             *lazySandbox
	rd             reader
	maxProcess     int
	maxTimer       int

	// the current call's injector, context and injection budget
	inj      pipeline.Injector
	ctx      context.Context
	injected int
	quota    int

	stats counters
	// terminated is the error every call returns once the sandbox was
	// terminated (reported once, with heka.sandbox-terminated).
	terminated error
}

func newFilter(cfg Config, env *pipeline.Env) (pipeline.Filter, error) {
	g := env.Globals()
	f := &Filter{name: env.Name(), hostname: env.Hostname(), cfg: cfg, log: env.Logger(),
		maxProcess: int(g.MaxProcessInject), maxTimer: int(g.MaxTimerInject)}
	f.stats.denominator = g.SampleDenominator
	if cfg.Profile {
		// Heka's figure: ten times the samples its slow-filter rule needs.
		f.stats.profileGoal = 10 * max(1, int64(g.PluginChanSize)-1)
	}
	sb, err := newSandbox(cfg, env, "sandbox filter", lsb.Restricted, map[string]lua.LGFunction{
		"read_message": f.rd.readMessage, "inject_payload": f.injectPayload, "inject_message": f.injectMessage,
		"read_next_field": f.rd.readNextField,
	})
	if err != nil {
		return nil, err
	}
	f.sb = sb
	return f, nil
}

// Process calls process_message. A negative status is a failure of this
// message (logged and counted); a positive one, a script error or a broken
// limit terminates the sandbox: it reports heka.sandbox-terminated and the
// filter ends.
func (f *Filter) Process(ctx context.Context, p *pipeline.Pack, inj pipeline.Injector) error {
	if err := f.begin(ctx, inj, f.maxProcess); err != nil {
		return err
	}
	f.rd.set(p)
	start := f.stats.startProcess()
	status, msg, err := f.sb.ProcessMessage(ctx)
	f.stats.process(start, status)
	f.rd.set(nil)
	f.inj, f.ctx = nil, nil
	switch {
	case err != nil:
		return f.terminate(ctx, inj, err)
	case status > 0:
		return f.terminate(ctx, inj, fmt.Errorf("process_message() returned %d: %s", status, msg))
	case status < 0:
		return pipeline.Drop(fmt.Errorf("sandbox filter %q: process_message() failed: %s", f.name, msg))
	}
	return nil
}

// Tick calls timer_event with the time in Unix nanoseconds.
func (f *Filter) Tick(ctx context.Context, inj pipeline.Injector) error {
	if err := f.begin(ctx, inj, f.maxTimer); err != nil {
		return err
	}
	start := time.Now()
	err := f.sb.TimerEvent(ctx, start.UnixNano())
	f.stats.timer(start)
	f.inj, f.ctx = nil, nil
	if err != nil {
		return f.terminate(ctx, inj, err)
	}
	return nil
}

// Stop calls timer_event a last time when timer_event_on_shutdown is set.
func (f *Filter) Stop(ctx context.Context, inj pipeline.Injector) error {
	return f.sb.lastTick(f.cfg, func() error { return f.Tick(ctx, inj) })
}

// Abort stops a running script (SIGUSR2 on a wedged router, or a stuck
// shutdown): the call returns "aborted" and the sandbox is terminated.
func (f *Filter) Abort() { f.sb.Abort() }

// Report gives Heka's sandbox report fields.
func (f *Filter) Report() []pipeline.ReportField {
	return f.stats.report(f.sb.Stats(), true)
}

// Close preserves the script's data (preserve_data) and releases the
// sandbox.
func (f *Filter) Close() error { return f.sb.close("sandbox filter", f.name) }

// begin prepares a call with its injection budget, and starts the sandbox on
// the first call (the script's global code may inject too). It returns the
// termination error when the sandbox is terminated, or fails to start.
func (f *Filter) begin(ctx context.Context, inj pipeline.Injector, quota int) error {
	if f.terminated != nil {
		return f.terminated
	}
	f.inj, f.ctx, f.injected, f.quota = inj, ctx, 0, quota
	if err := f.sb.start(ctx); err != nil {
		f.inj, f.ctx = nil, nil
		return f.terminate(ctx, inj, err)
	}
	return nil
}

// Terminate ends the sandbox on the engine's slow-filter rule
// (pipeline.SlowTerminator, manager-loaded filters only): it reports
// heka.sandbox-terminated with reason as the Payload and the engine's
// figures (ProcessMessageAvgDuration, FilterChanLength...) as fields, as
// Heka, and returns the error that ends the filter.
func (f *Filter) Terminate(ctx context.Context, inj pipeline.Injector, reason string, fields []pipeline.ReportField) error {
	return f.report(ctx, inj, reason, fields)
}

// terminate reports the termination with a heka.sandbox-terminated message
// and returns the error that ends the filter.
func (f *Filter) terminate(ctx context.Context, inj pipeline.Injector, cause error) error {
	payload := cause.Error()
	var te *lsb.TerminatedError
	if errors.As(cause, &te) {
		payload = te.Payload()
	}
	return f.report(ctx, inj, payload, nil)
}

// report closes the sandbox, injects heka.sandbox-terminated and returns
// the error that ends the filter.
func (f *Filter) report(ctx context.Context, inj pipeline.Injector, payload string, fields []pipeline.ReportField) error {
	f.sb.Close()
	p, err := inj.NewPack(ctx)
	if err == nil {
		m := p.MutableMessage()
		m.SetNewUUID()
		m.SetTimestamp(time.Now().UnixNano())
		m.SetType(TerminatedType)
		m.SetLogger("hekad")
		m.SetHostname(f.hostname)
		m.SetPayload(payload)
		m.AppendField("plugin", message.ValueString, "").AddString(f.name)
		for _, rf := range fields {
			if v, ok := rf.Value.(int64); ok {
				m.AppendField(rf.Name, message.ValueInteger, rf.Representation).AddInteger(v)
			}
		}
		err = inj.Inject(ctx, p)
	}
	if err != nil {
		f.log.Error("could not report the termination", "err", err)
	}
	f.terminated = fmt.Errorf("sandbox filter %q terminated: %s", f.name, payload)
	return f.terminated
}

// newPack takes a pack for an injection within the call's budget
// (max_process_inject, max_timer_inject), or raises a Lua error.
func (f *Filter) newPack(L *lua.LState, fn string) *pipeline.Pack {
	if f.inj == nil {
		L.RaiseError("%s() called outside process_message and timer_event", fn)
	}
	f.injected++
	f.stats.injects.Add(1)
	if f.injected > f.quota {
		L.RaiseError("%s() exceeded InjectMessage count", fn)
	}
	p, err := f.inj.NewPack(f.ctx)
	if err != nil {
		L.RaiseError("%s() aborted: %v", fn, err)
	}
	return p
}

// inject routes p or raises the engine's refusal as a Lua error.
func (f *Filter) inject(L *lua.LState, fn string, p *pipeline.Pack) {
	if err := f.inj.Inject(f.ctx, p); err != nil {
		L.RaiseError("%s() %v", fn, err)
	}
}

// injectPayload is inject_payload([type[, name[, ...]]]): a
// heka.sandbox-output message with the output buffer as Payload.
func (f *Filter) injectPayload(L *lua.LState) int {
	typ, name, payload := f.sb.InjectPayload(L)
	if len(payload) == 0 {
		return 0
	}
	p := f.newPack(L, "inject_payload")
	m := p.MutableMessage()
	m.SetNewUUID()
	m.SetTimestamp(time.Now().UnixNano())
	m.SetType(OutputType)
	m.SetLogger(f.name)
	m.SetHostname(f.hostname)
	m.SetPayload(string(payload))
	m.AppendField("payload_type", message.ValueString, "file-extension").AddString(typ)
	m.AppendField("payload_name", message.ValueString, "").AddString(name)
	f.sb.Output().Reset()
	f.inject(L, "inject_payload", p)
	return 0
}

// injectMessage is inject_message(table): Type gets the heka.sandbox.
// prefix, Logger is the filter's name and Hostname hekad's.
func (f *Filter) injectMessage(L *lua.LState) int {
	p := f.newPack(L, "inject_message")
	m := p.MutableMessage()
	filled := false
	defer func() { // also while a Lua error unwinds: give the pack back
		if !filled {
			p.Recycle()
		}
	}()
	messageArg(L, m)
	filled = true
	m.SetType(InjectPrefix + m.GetType())
	m.SetLogger(f.name)
	m.SetHostname(f.hostname)
	f.inject(L, "inject_message", p)
	return 0
}

var (
	_ pipeline.Filter                = (*Filter)(nil)
	_ pipeline.Ticker                = (*Filter)(nil)
	_ pipeline.Stopper               = (*Filter)(nil)
	_ pipeline.Aborter               = (*Filter)(nil)
	_ pipeline.Reporter              = (*Filter)(nil)
	_ pipeline.FilterCommonDefaulter = (*Config)(nil)
)
