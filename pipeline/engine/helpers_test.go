package engine

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// testMatcher compiles the small matcher language the tests use: TRUE,
// FALSE, `Field == 'v'` and `Field != 'v'` on Type, Logger and Payload,
// joined with ||.
func testMatcher(expr string) (Matcher, error) {
	var terms []func(*message.Message) bool
	for _, t := range strings.Split(expr, "||") {
		t = strings.TrimSpace(t)
		switch t {
		case "TRUE":
			terms = append(terms, func(*message.Message) bool { return true })
			continue
		case "FALSE":
			terms = append(terms, func(*message.Message) bool { return false })
			continue
		}
		op := "=="
		field, val, ok := strings.Cut(t, " == ")
		if !ok {
			op = "!="
			if field, val, ok = strings.Cut(t, " != "); !ok {
				return nil, fmt.Errorf("bad term %q", t)
			}
		}
		val = strings.Trim(val, "'")
		var get func(*message.Message) string
		switch field {
		case "Type":
			get = (*message.Message).GetType
		case "Logger":
			get = (*message.Message).GetLogger
		case "Payload":
			get = (*message.Message).GetPayload
		default:
			return nil, fmt.Errorf("bad field %q", field)
		}
		eq := op == "=="
		terms = append(terms, func(m *message.Message) bool { return (get(m) == val) == eq })
	}
	return funcMatcher(func(m *message.Message) bool {
		for _, f := range terms {
			if f(m) {
				return true
			}
		}
		return false
	}), nil
}

type funcMatcher func(*message.Message) bool

func (f funcMatcher) Match(m *message.Message) bool { return f(m) }

func section[C any](name, typ string, set func(*C)) config.Section {
	reg, ok := pipeline.Lookup(typ)
	if !ok {
		panic("no test plugin " + typ)
	}
	cfg := reg.NewConfig().(*C)
	if set != nil {
		set(cfg)
	}
	kind, _ := pipeline.KindOf(typ)
	return config.Section{Name: name, Type: typ, Kind: kind, Registration: reg, Config: cfg}
}

func fastRetries(n int) pipeline.RetryOptions {
	return pipeline.RetryOptions{Delay: pipeline.Duration(time.Millisecond), MaxDelay: pipeline.Duration(4 * time.Millisecond), MaxRetries: n}
}

// newPlan returns a plan with the test splitters and decoder, small pools
// and the given plugins.
func newPlan(plugins ...any) *config.Plan {
	g := pipeline.DefaultGlobals()
	g.PoolSize = 20
	g.PluginChanSize = 10
	g.Hostname = "testhost"
	g.SampleDenominator = 3
	p := &config.Plan{Globals: g}
	sc := pipeline.DefaultSplitterCommon()
	p.Splitters = []config.Splitter{
		{Section: section[struct{}]("line", "TestLineSplitter", nil), Common: sc},
		{Section: section[struct{}]("signed", "TestSignedSplitter", nil), Common: sc},
	}
	mb := sc
	mb.UseMessageBytes = true
	p.Splitters = append(p.Splitters, config.Splitter{Section: section[struct{}]("linebytes", "TestLineSplitter", nil), Common: mb})
	p.Decoders = []config.Section{section[struct{}]("dec", "TestDecoder", nil), section[struct{}]("pbdec", "TestProtoDecoder", nil)}
	p.Encoders = []config.Section{section[struct{}]("enc", "TestEncoder", nil), section[struct{}]("pbenc", "TestProtoEncoder", nil)}
	for _, x := range plugins {
		switch v := x.(type) {
		case config.Input:
			p.Inputs = append(p.Inputs, v)
		case config.Filter:
			p.Filters = append(p.Filters, v)
		case config.Output:
			p.Outputs = append(p.Outputs, v)
		case config.Splitter:
			p.Splitters = append(p.Splitters, v)
		case func(*config.Plan):
			v(p)
		default:
			panic(fmt.Sprintf("newPlan: %T", x))
		}
	}
	return p
}

func input(name string, cfg inCfg, mod func(*pipeline.InputCommon)) config.Input {
	c := pipeline.DefaultInputCommon()
	c.Splitter = "line"
	c.Retries = fastRetries(-1)
	if mod != nil {
		mod(&c)
	}
	return config.Input{Section: section[inCfg](name, "TestReaderInput", func(x *inCfg) { *x = cfg }), Common: c}
}

func filter(name, matcher string, cfg filtCfg, mod func(*pipeline.FilterCommon)) config.Filter {
	c := pipeline.DefaultFilterCommon()
	c.MessageMatcher = matcher
	c.Retries = fastRetries(-1)
	if mod != nil {
		mod(&c)
	}
	return config.Filter{Section: section[filtCfg](name, "TestFilter", func(x *filtCfg) { *x = cfg }), Common: c}
}

func output(name, matcher string, cfg outCfg, mod func(*config.Output)) config.Output {
	c := pipeline.DefaultOutputCommon()
	c.MessageMatcher = matcher
	c.Retries = fastRetries(-1)
	o := config.Output{Section: section[outCfg](name, "TestOutput", func(x *outCfg) { *x = cfg }), Common: c}
	if mod != nil {
		mod(&o)
	}
	return o
}

// logBuf collects log lines.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// running is an engine under test.
type running struct {
	t      *testing.T
	e      *Engine
	logs   *logBuf
	cancel context.CancelFunc
	errc   chan error
	base   int
	done   bool
	err    error
}

func testOptions(logs *logBuf) Options {
	return Options{
		Logger:         slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		CompileMatcher: testMatcher,
		DrainTimeout:   10 * time.Second,
	}
}

// start builds and runs plan; the engine is stopped (and checked for
// leaked goroutines) at the end of the test if the test did not stop it.
func start(t *testing.T, plan *config.Plan, mod func(*Options)) *running {
	t.Helper()
	return startWith(t, plan, mod, nil)
}

// startWith is start with a hook that may adjust the engine before Run.
func startWith(t *testing.T, plan *config.Plan, mod func(*Options), pre func(*Engine)) *running {
	t.Helper()
	resetInstances()
	logs := &logBuf{}
	opts := testOptions(logs)
	if mod != nil {
		mod(&opts)
	}
	base := runtime.NumGoroutine()
	e, err := New(plan, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if pre != nil {
		pre(e)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: t, e: e, logs: logs, cancel: cancel, errc: make(chan error, 1), base: base}
	go func() { r.errc <- e.Run(ctx) }()
	t.Cleanup(func() {
		if !r.done {
			r.stop()
		}
	})
	return r
}

// stop cancels the engine, waits for Run and checks that no goroutine is
// left behind.
func (r *running) stop() error {
	r.t.Helper()
	r.cancel()
	return r.wait()
}

// wait waits for Run to return by itself.
func (r *running) wait() error {
	r.t.Helper()
	if r.done {
		return r.err
	}
	select {
	case r.err = <-r.errc:
	case <-time.After(20 * time.Second):
		buf := make([]byte, 1<<20)
		r.t.Fatalf("Run did not return\n%s", buf[:runtime.Stack(buf, true)])
	}
	r.done = true
	r.cancel()
	checkGoroutines(r.t, r.base)
	return r.err
}

func checkGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines leaked: %d > %d\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("timed out waiting for %s\n%s", what, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}

func lines(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s%d\n", prefix, i)
	}
	return b.String()
}

func seq(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}
