package sandbox

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"

	lsb "github.com/hekad-go/hekad/internal/lua/sandbox"
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

// loadTimeout bounds the script's global code, which has no
// instruction_limit.
const loadTimeout = 10 * time.Second

// newSandbox makes the sandbox of a plugin, with the host functions every
// plugin kind has plus those in hosts. When the script exists it is compiled
// now, so that a syntax error fails the configuration (hekad -check too);
// the script runs only when the plugin is first called (lazySandbox), so
// that building a plugin, which the configuration loader also does to probe
// it, runs no Lua.
func newSandbox(cfg Config, env *pipeline.Env, kind string, profile lsb.Profile, hosts map[string]lua.LGFunction) (*lazySandbox, error) {
	core := cfg.coreConfig(env, profile)
	// The sandboxes of one engine share their compiled scripts and
	// modules: a decoder that runs per connection compiles once.
	cache, release := env.Shared().Acquire("sandbox.compiled", func() any { return lsb.NewCache() })
	core.Cache = cache.(*lsb.Cache)
	sb, err := lsb.New(core)
	if err != nil {
		release()
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
			release()
			return nil, fmt.Errorf("%s %q: %w", kind, env.Name(), err)
		}
	}
	return &lazySandbox{Sandbox: sb, release: release}, nil
}

// lazySandbox is a sandbox started on its plugin's first call.
type lazySandbox struct {
	*lsb.Sandbox
	started  bool
	startErr error
	release  func() // lets go of the engine's compiled-script cache
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
	l.release()
	if err := l.Close(); err != nil {
		return fmt.Errorf("%s %q: %w", kind, name, err)
	}
	return nil
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

// counters are a plugin's report figures. The plugin's goroutine writes
// them; Report reads them from another.
type counters struct {
	processed atomic.Int64
	failures  atomic.Int64
	injects   atomic.Int64
	pmSamples atomic.Int64 // timed process_message calls
	pmTotal   atomic.Int64 // their total duration in ns
	teSamples atomic.Int64 // timed timer_event calls (all of them)
	teTotal   atomic.Int64

	sample      int // process_message calls since the last timed one
	denominator int // sample_denominator: one call in this many is timed

	// profile = true (SandboxFilter): the first profileGoal calls are all
	// timed, then sampling resumes from their average, as in Heka.
	profileGoal  int64
	profileN     atomic.Int64
	profileTotal atomic.Int64
}

// process records one process_message call that started at start (zero when
// it was not timed) and returned status.
func (c *counters) process(start time.Time, status int) {
	c.processed.Add(1)
	if status < 0 {
		c.failures.Add(1)
	}
	if start.IsZero() {
		return
	}
	d := int64(time.Since(start))
	if c.profiling() {
		n, total := c.profileN.Add(1), c.profileTotal.Add(d)
		if n == c.profileGoal {
			// As Heka: the profile's average becomes one sample, so that
			// the calls timed from now on are not swamped by it.
			c.pmTotal.Store(total / n)
			c.pmSamples.Store(1)
			return
		}
	}
	c.pmSamples.Add(1)
	c.pmTotal.Add(d)
}

// profiling reports whether every call is still timed (profile = true).
func (c *counters) profiling() bool { return c.profileN.Load() < c.profileGoal }

// startProcess is the start time of a process_message call to time (one
// in sample_denominator), or the zero time.
func (c *counters) startProcess() time.Time {
	if c.profiling() {
		return time.Now()
	}
	if c.sample++; c.sample < c.denominator {
		return time.Time{}
	}
	c.sample = 0
	return time.Now()
}

// timer records one timer_event call that started at start.
func (c *counters) timer(start time.Time) {
	c.teSamples.Add(1)
	c.teTotal.Add(int64(time.Since(start)))
}

// report is Heka's sandbox report fields (InjectMessageCount when the kind
// injects).
func (c *counters) report(st lsb.Stats, injects bool) []pipeline.ReportField {
	avg := func(total, n int64) int64 {
		if n == 0 {
			return 0
		}
		return total / n
	}
	pmN, teN := c.pmSamples.Load(), c.teSamples.Load()
	r := []pipeline.ReportField{
		{Name: "Memory", Value: st.Memory, Representation: "B"},
		{Name: "MaxMemory", Value: st.MaxMemory, Representation: "B"},
		{Name: "MaxInstructions", Value: st.MaxInstructions, Representation: "count"},
		{Name: "MaxOutput", Value: int64(st.MaxOutput), Representation: "B"},
		{Name: "ProcessMessageCount", Value: c.processed.Load(), Representation: "count"},
		{Name: "ProcessMessageFailures", Value: c.failures.Load(), Representation: "count"},
		{Name: "ProcessMessageSamples", Value: pmN, Representation: "count"},
		{Name: "ProcessMessageAvgDuration", Value: avg(c.pmTotal.Load(), pmN), Representation: "ns"},
		{Name: "TimerEventSamples", Value: teN, Representation: "count"},
		{Name: "TimerEventAvgDuration", Value: avg(c.teTotal.Load(), teN), Representation: "ns"},
	}
	if n := c.profileN.Load(); n > 0 {
		r = append(r, pipeline.ReportField{Name: "ProfileMessageSamples", Value: n, Representation: "count"},
			pipeline.ReportField{Name: "ProfileMessageAvgDuration", Value: avg(c.profileTotal.Load(), n), Representation: "ns"})
	}
	if injects {
		r = append(r, pipeline.ReportField{Name: "InjectMessageCount", Value: c.injects.Load(), Representation: "count"})
	}
	return r
}
