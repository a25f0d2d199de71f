package sandbox

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	lsb "github.com/hekad-go/hekad/internal/lua/sandbox"
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed SandboxFilter.toml
var filterSample string

//go:embed SandboxDecoder.toml
var decoderSample string

//go:embed SandboxEncoder.toml
var encoderSample string

//go:embed SandboxOutput.toml
var outputSample string

//go:embed SandboxInput.toml
var inputSample string

func init() {
	pipeline.RegisterFilter("SandboxFilter", defaultConfig, newFilter, pipeline.WithSample(filterSample))
	pipeline.RegisterDecoder("SandboxDecoder", defaultConfig, newDecoder, pipeline.WithSample(decoderSample))
	pipeline.RegisterEncoder("SandboxEncoder", defaultConfig, newEncoder, pipeline.WithSample(encoderSample))
	pipeline.RegisterOutput("SandboxOutput", defaultOutputConfig, newOutput, pipeline.WithSample(outputSample))
	pipeline.RegisterInput("SandboxInput", defaultInputConfig, newInput, pipeline.WithSample(inputSample))
}

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

// loadTimeout bounds the script's global code, which has no
// instruction_limit.
const loadTimeout = 10 * time.Second

// DefaultFilterCommon makes a SandboxFilter's exit leave hekad running
// (can_exit defaults to true for sandbox filters, as in Heka).
func (*Config) DefaultFilterCommon(c *pipeline.FilterCommon) { c.CanExit = true }

// newSandbox makes the sandbox of a plugin, with the host functions every
// plugin kind has plus those in hosts. When the script exists it is compiled
// now, so that a syntax error fails the configuration (hekad -check too);
// the script runs only when the plugin is first called (lazySandbox), so
// that building a plugin, which the configuration loader also does to probe
// it, runs no Lua.
func newSandbox(cfg Config, env *pipeline.Env, kind string, profile lsb.Profile, hosts map[string]lua.LGFunction) (*lazySandbox, error) {
	core := cfg.coreConfig(env, profile)
	sb, err := lsb.New(core)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", kind, env.Name(), err)
	}
	if _, ok := hosts["inject_payload"]; ok { // the kinds that can send the buffer
		sb.Register("add_to_payload", sb.AddToPayload)
	}
	sb.Register("decode_message", decodeMessage)
	for name, h := range hosts {
		sb.Register(name, h)
	}
	if _, err := os.Stat(core.Script); err == nil {
		if err := sb.Compile(); err != nil {
			return nil, fmt.Errorf("%s %q: %w", kind, env.Name(), err)
		}
	}
	return &lazySandbox{Sandbox: sb}, nil
}

// lazySandbox is a sandbox started on its plugin's first call.
type lazySandbox struct {
	*lsb.Sandbox
	started  bool
	startErr error
}

// start starts the sandbox on the first call (its global code and the
// preserved data) and returns the error that made it fail, every time.
func (l *lazySandbox) start(ctx context.Context) error {
	if !l.started {
		l.started = true
		ctx, cancel := context.WithTimeout(ctx, loadTimeout)
		defer cancel()
		l.startErr = l.Start(ctx)
	}
	return l.startErr
}

// lastTick runs tick (a plugin's timer_event) once more at shutdown when
// timer_event_on_shutdown is set and the sandbox is still alive.
func (l *lazySandbox) lastTick(cfg Config, tick func() error) error {
	if !cfg.TimerEventOnShutdown || l.Terminated() != nil {
		return nil
	}
	return tick()
}

// close is a plugin's Close: it preserves the data and releases the state.
func (l *lazySandbox) close(kind, name string) error {
	if err := l.Close(); err != nil {
		return fmt.Errorf("%s %q: %w", kind, name, err)
	}
	return nil
}

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

	// report figures, read by Report from another goroutine
	processed atomic.Int64
	failures  atomic.Int64
	injects   atomic.Int64
}

func newFilter(cfg Config, env *pipeline.Env) (pipeline.Filter, error) {
	g := env.Globals()
	f := &Filter{name: env.Name(), hostname: env.Hostname(), cfg: cfg, log: env.Logger(),
		maxProcess: int(g.MaxProcessInject), maxTimer: int(g.MaxTimerInject)}
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

// messageHost is a plugin kind with the host functions that make and change
// messages (decoders and encoders).
type messageHost interface {
	injectMessage(L *lua.LState) int
	injectPayload(L *lua.LState) int
	writeMessage(L *lua.LState) int
}

// messageHosts are the host functions of a decoder or an encoder.
func messageHosts(h messageHost, rd *reader) map[string]lua.LGFunction {
	return map[string]lua.LGFunction{"read_message": rd.readMessage, "read_next_field": rd.readNextField,
		"inject_message": h.injectMessage, "inject_payload": h.injectPayload, "write_message": h.writeMessage}
}

// Process calls process_message. A negative status is a failure of this
// message (logged and counted); a positive one, a script error or a broken
// limit terminates the sandbox: it reports heka.sandbox-terminated and the
// filter ends.
func (f *Filter) Process(ctx context.Context, p *pipeline.Pack, inj pipeline.Injector) error {
	if err := f.sb.start(ctx); err != nil {
		return f.terminate(ctx, inj, err)
	}
	f.begin(ctx, inj, f.maxProcess)
	f.rd.set(p)
	status, msg, err := f.sb.ProcessMessage(ctx)
	f.rd.set(nil)
	f.inj, f.ctx = nil, nil
	f.processed.Add(1)
	if status < 0 {
		f.failures.Add(1)
	}
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
	if err := f.sb.start(ctx); err != nil {
		return f.terminate(ctx, inj, err)
	}
	f.begin(ctx, inj, f.maxTimer)
	err := f.sb.TimerEvent(ctx, time.Now().UnixNano())
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
	return sandboxReport(f.sb.Stats(), f.processed.Load(), f.failures.Load(), f.injects.Load())
}

// sandboxReport is Heka's sandbox report fields (injects < 0: none).
func sandboxReport(st lsb.Stats, processed, failures, injects int64) []pipeline.ReportField {
	r := []pipeline.ReportField{
		{Name: "Memory", Value: st.Memory, Representation: "B"},
		{Name: "MaxMemory", Value: st.MaxMemory, Representation: "B"},
		{Name: "MaxInstructions", Value: st.MaxInstructions, Representation: "count"},
		{Name: "MaxOutput", Value: int64(st.MaxOutput), Representation: "B"},
		{Name: "ProcessMessageCount", Value: processed, Representation: "count"},
		{Name: "ProcessMessageFailures", Value: failures, Representation: "count"},
	}
	if injects >= 0 {
		r = append(r, pipeline.ReportField{Name: "InjectMessageCount", Value: injects, Representation: "count"})
	}
	return r
}

// Close preserves the script's data (preserve_data) and releases the
// sandbox.
func (f *Filter) Close() error { return f.sb.close("sandbox filter", f.name) }

func (f *Filter) begin(ctx context.Context, inj pipeline.Injector, quota int) {
	f.inj, f.ctx, f.injected, f.quota = inj, ctx, 0, quota
}

// terminate reports the termination with a heka.sandbox-terminated message
// and returns the error that ends the filter.
func (f *Filter) terminate(ctx context.Context, inj pipeline.Injector, cause error) error {
	payload := cause.Error()
	var te *lsb.TerminatedError
	if errors.As(cause, &te) {
		payload = te.Payload()
	}
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
		err = inj.Inject(ctx, p)
	}
	if err != nil {
		f.log.Error("could not report the termination", "err", err)
	}
	return fmt.Errorf("sandbox filter %q terminated: %s", f.name, payload)
}

// newPack takes a pack for an injection within the call's budget
// (max_process_inject, max_timer_inject), or raises a Lua error.
func (f *Filter) newPack(L *lua.LState, fn string) *pipeline.Pack {
	if f.inj == nil {
		L.RaiseError("%s() called outside process_message and timer_event", fn)
	}
	f.injected++
	f.injects.Add(1)
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
