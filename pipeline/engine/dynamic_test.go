package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// stopFilter counts what it processes and, in its Stop hook, injects a
// "stopped" message whose payload is that count: what it saw is counted
// outside the engine.
type stopFilter struct {
	name   string
	delay  time.Duration
	seen   atomic.Int64
	stops  atomic.Int64
	closed atomic.Int64
}

var (
	stopMu      sync.Mutex
	stopFilters = map[string][]*stopFilter{}
)

func stopFiltersOf(name string) []*stopFilter {
	stopMu.Lock()
	defer stopMu.Unlock()
	return append([]*stopFilter(nil), stopFilters[name]...)
}

// lastStopFilter is the latest stopFilter built as name.
func lastStopFilter(name string) *stopFilter {
	fs := stopFiltersOf(name)
	return fs[len(fs)-1]
}

func init() {
	pipeline.RegisterFilter("TestStopFilter", func() stopCfg { return stopCfg{} }, func(c stopCfg, env *pipeline.Env) (pipeline.Filter, error) {
		f := &stopFilter{name: env.Name(), delay: time.Duration(c.DelayUs) * time.Microsecond}
		stopMu.Lock()
		stopFilters[f.name] = append(stopFilters[f.name], f)
		stopMu.Unlock()
		return f, nil
	})
}

// stopCfg is TestStopFilter's configuration.
type stopCfg struct {
	DelayUs int64 `toml:"delay_us"` // Process sleeps this long: a slow filter
}

func (f *stopFilter) Process(context.Context, *pipeline.Pack, pipeline.Injector) error {
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	f.seen.Add(1)
	return nil
}

func (f *stopFilter) Stop(ctx context.Context, inj pipeline.Injector) error {
	f.stops.Add(1)
	p, err := inj.NewPack(ctx)
	if err != nil {
		return err
	}
	p.MutableMessage().SetType("stopped")
	p.MutableMessage().SetLogger(f.name)
	p.MutableMessage().SetPayload(strconv.FormatInt(f.seen.Load(), 10))
	return inj.Inject(ctx, p)
}

func (f *stopFilter) Close() error { f.closed.Add(1); return nil }

func stopFilterSection(name string) config.Filter {
	c := pipeline.DefaultFilterCommon()
	c.MessageMatcher = "Type != 'stopped'"
	c.CanExit = true
	return config.Filter{Section: section[stopCfg](name, "TestStopFilter", nil), Common: c}
}

// slowStopFilter is stopFilterSection with a Process that takes delay.
func slowStopFilter(name string, delay time.Duration) config.Filter {
	f := stopFilterSection(name)
	f.Config.(*stopCfg).DelayUs = delay.Microseconds()
	return f
}

// feeder streams chunks of lines into a Feed input until stopped, and
// counts the lines it fed.
type feeder struct {
	feed   chan io.Reader
	fed    chan struct{}
	lines  atomic.Int64
	chunks atomic.Int64
	quit   chan struct{}
	done   chan struct{}
}

func newFeeder() *feeder {
	return &feeder{feed: make(chan io.Reader), fed: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
}

func (f *feeder) run(per int) {
	defer close(f.done)
	for i := 0; ; i++ {
		select {
		case f.feed <- strings.NewReader(lines(fmt.Sprintf("c%d-", i), per)):
		case <-f.quit:
			return
		}
		<-f.fed
		f.lines.Add(int64(per))
		f.chunks.Add(1)
	}
}

func (f *feeder) stop() { close(f.quit); <-f.done }

func recv(t *testing.T, what string, ch <-chan error) error {
	t.Helper()
	var err error
	var ok bool
	waitFor(t, what, func() bool {
		select {
		case err = <-ch:
			ok = true
		default:
		}
		return ok
	})
	return err
}

// stoppedPayload returns the payload of the "stopped" message that
// filter name injected, and how many it injected.
func stoppedPayload(o *testOutput, name string) (string, int) {
	var pl string
	n := 0
	for _, r := range o.records() {
		if r.typ == "stopped" && r.logger == name {
			pl, n = r.payload, n+1
		}
	}
	return pl, n
}

// TestAddRemoveFilterUnderLoad adds a filter and removes it while an
// input streams: the filter gets its messages from a batch on, processes
// everything routed to it before its Stop hook runs, leaves the reports,
// and the closing figures add up with nothing lost.
func TestAddRemoveFilterUnderLoad(t *testing.T) {
	fd := newFeeder()
	in := input("in", inCfg{Feed: fd.feed, Fed: fd.fed}, nil)
	r := start(t, newPlan(in, output("out", "TRUE", outCfg{}, nil)), nil)
	go fd.run(100)
	defer func() {
		select {
		case <-fd.done:
		default:
			fd.stop()
		}
	}()
	waitFor(t, "some load", func() bool { return fd.chunks.Load() >= 3 })

	for round := range 3 {
		name := fmt.Sprintf("dyn%d", round)
		res, err := r.e.AddFilter(stopFilterSection(name))
		if err != nil {
			t.Fatalf("AddFilter: %v", err)
		}
		if err := recv(t, "the filter added", res); err != nil {
			t.Fatalf("add: %v", err)
		}
		f := lastStopFilter(name)
		waitFor(t, "the added filter to see messages", func() bool { return f.seen.Load() > 150 })
		if _, ok := r.e.Snapshot().Plugin(pipeline.ReportFilters, name); !ok {
			t.Errorf("%s is not in the report", name)
		}
		if _, err := r.e.AddFilter(stopFilterSection(name)); err == nil {
			t.Errorf("a second filter named %s was accepted", name)
		}
		res, err = r.e.RemoveFilter(name)
		if err != nil {
			t.Fatalf("RemoveFilter: %v", err)
		}
		if err := recv(t, "the filter removed", res); err != nil {
			t.Fatalf("remove: %v", err)
		}
		if f.stops.Load() != 1 || f.closed.Load() != 1 {
			t.Errorf("%s: Stop ran %d times, Close %d times; want 1, 1", name, f.stops.Load(), f.closed.Load())
		}
		if _, ok := r.e.Snapshot().Plugin(pipeline.ReportFilters, name); ok {
			t.Errorf("%s is still in the report after its removal", name)
		}
		if _, err := r.e.RemoveFilter(name); err == nil {
			t.Errorf("a removed filter was removed again")
		}
	}
	fd.stop()
	fed := fd.lines.Load()
	o := getOutput("out")
	waitFor(t, "every line at the output", func() bool { return int64(o.count()) >= fed+3 })
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	for round := range 3 {
		name := fmt.Sprintf("dyn%d", round)
		f := lastStopFilter(name)
		pl, n := stoppedPayload(o, name)
		if n != 1 || pl != strconv.FormatInt(f.seen.Load(), 10) {
			t.Errorf("%s: stopped messages %d (payload %q), want 1 with %d", name, n, pl, f.seen.Load())
		}
	}
	st := r.e.Stats()
	if st.Lost != 0 || st.InFlight != 0 || st.Abandoned != 0 {
		t.Errorf("lost %d, in flight %d, abandoned %d", st.Lost, st.InFlight, st.Abandoned)
	}
	if want := fed + 3; st.Received != want || st.Delivered != want {
		t.Errorf("received %d, delivered %d; want %d (lines fed + 3 stop messages)", st.Received, st.Delivered, want)
	}
	if !strings.Contains(r.logs.String(), fmt.Sprintf("%d messages received = %d delivered", fed+3, fed+3)) {
		t.Errorf("closing line does not add up:\n%s", r.logs.String())
	}
}

// TestAddedFilterStopsAtShutdown: a filter added at run time and never
// removed takes part in the shutdown like a configured one: it drains, its
// Stop hook runs and what it injects there reaches the output.
func TestAddedFilterStopsAtShutdown(t *testing.T) {
	fd := newFeeder()
	in := input("in", inCfg{Feed: fd.feed, Fed: fd.fed}, nil)
	r := start(t, newPlan(in, output("out", "TRUE", outCfg{}, nil)), nil)
	go fd.run(50)
	waitFor(t, "load", func() bool { return fd.chunks.Load() >= 1 })
	res, err := r.e.AddFilter(stopFilterSection("late"))
	if err != nil {
		t.Fatal(err)
	}
	if err := recv(t, "the filter added", res); err != nil {
		t.Fatal(err)
	}
	f := lastStopFilter("late")
	waitFor(t, "messages at the added filter", func() bool { return f.seen.Load() > 100 })
	fd.stop()
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	pl, n := stoppedPayload(getOutput("out"), "late")
	if n != 1 || pl != strconv.FormatInt(f.seen.Load(), 10) || f.closed.Load() != 1 {
		t.Errorf("stopped messages %d (payload %q), seen %d, closed %d", n, pl, f.seen.Load(), f.closed.Load())
	}
	st := r.e.Stats()
	if st.Lost != 0 || st.InFlight != 0 || st.Received != st.Delivered {
		t.Errorf("figures: %+v", st)
	}
}

// TestShutdownWhileAddingFilters adds and removes filters while the engine
// shuts down: every call either succeeds or says the engine is not
// running, every filter built is closed exactly once, and nothing leaks.
func TestShutdownWhileAddingFilters(t *testing.T) {
	for round := range 20 {
		fd := newFeeder()
		in := input("in", inCfg{Feed: fd.feed, Fed: fd.fed}, nil)
		r := start(t, newPlan(in, output("out", "TRUE", outCfg{}, nil)), nil)
		go fd.run(20)
		waitFor(t, "load", func() bool { return fd.chunks.Load() >= 1 })
		var wg sync.WaitGroup
		wg.Go(func() {
			for i := 0; ; i++ {
				name := fmt.Sprintf("s%d-%d", round, i)
				res, err := r.e.AddFilter(stopFilterSection(name))
				if err != nil {
					if !errors.Is(err, errNotRunning) {
						t.Errorf("AddFilter: %v", err)
					}
					return
				}
				if i%2 == 1 {
					if err := <-res; err == nil {
						if _, err := r.e.RemoveFilter(name); err != nil && !errors.Is(err, errNotRunning) {
							t.Errorf("RemoveFilter: %v", err)
						}
					}
				}
			}
		})
		fd.stop()
		if err := r.stop(); err != nil {
			t.Fatalf("Run: %v", err)
		}
		wg.Wait()
		stopMu.Lock()
		for name, fs := range stopFilters {
			if strings.HasPrefix(name, fmt.Sprintf("s%d-", round)) && fs[len(fs)-1].closed.Load() != 1 {
				t.Errorf("%s closed %d times", name, fs[len(fs)-1].closed.Load())
			}
		}
		stopMu.Unlock()
		st := r.e.Stats()
		if st.Lost != 0 || st.InFlight != 0 || st.Received != st.Delivered {
			t.Fatalf("round %d: figures %+v", round, st)
		}
	}
}

// TestRemoveSlowFilterThenShutdown removes a slow filter whose queue is
// full and shuts down at once: the shutdown waits for its drain and its
// Stop hook, whose message reaches the output, and nothing is lost.
func TestRemoveSlowFilterThenShutdown(t *testing.T) {
	fd := newFeeder()
	in := input("in", inCfg{Feed: fd.feed, Fed: fd.fed}, nil)
	r := start(t, newPlan(in, output("out", "TRUE", outCfg{}, nil)), nil)
	go fd.run(50)
	waitFor(t, "load", func() bool { return fd.chunks.Load() >= 1 })
	res, err := r.e.AddFilter(slowStopFilter("slow", 200*time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	if err := recv(t, "the filter added", res); err != nil {
		t.Fatal(err)
	}
	f := lastStopFilter("slow")
	waitFor(t, "a backlog at the slow filter", func() bool { return f.seen.Load() > 20 })
	res, err = r.e.RemoveFilter("slow")
	if err != nil {
		t.Fatal(err)
	}
	fd.stop()
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	select {
	case err := <-res:
		if err != nil {
			t.Errorf("remove: %v", err)
		}
	default:
		t.Errorf("Run returned before the removed filter did")
	}
	pl, n := stoppedPayload(getOutput("out"), "slow")
	if n != 1 || pl != strconv.FormatInt(f.seen.Load(), 10) {
		t.Errorf("stopped messages %d (payload %q), seen %d", n, pl, f.seen.Load())
	}
	st := r.e.Stats()
	if st.Lost != 0 || st.InFlight != 0 || st.Received != st.Delivered {
		t.Errorf("figures: %+v", st)
	}
}

// TestFiltersHostTOML adds a filter the way a plugin does, from TOML
// (pipeline.Filters), and refuses what is not one filter section of that
// name, and the removal of a configured filter.
func TestFiltersHostTOML(t *testing.T) {
	r := start(t, newPlan(input("in", inCfg{}, nil), filter("conf", "TRUE", filtCfg{}, nil), output("out", "TRUE", outCfg{}, nil)), nil)
	waitFor(t, "running", func() bool { return r.e.started.Load() })
	h := filterHost{r.e}
	ok := "[dyn]\ntype = \"TestStopFilter\"\nmessage_matcher = \"Type != 'stopped'\"\n"
	bad := map[string]string{
		"wrong name":     ok,
		"extra output":   ok + "[o]\ntype = \"TestOutput\"\nmessage_matcher = \"TRUE\"\n",
		"not a filter":   "[dyn2]\ntype = \"TestOutput\"\nmessage_matcher = \"TRUE\"\n",
		"unknown key":    "[dyn3]\ntype = \"TestStopFilter\"\nmessage_matcher = \"TRUE\"\nbogus = 1\n",
		"taken (output)": "[out]\ntype = \"TestStopFilter\"\nmessage_matcher = \"TRUE\"\n",
	}
	names := map[string]string{"wrong name": "other", "extra output": "dyn", "not a filter": "dyn2", "unknown key": "dyn3", "taken (output)": "out"}
	for what, cfg := range bad {
		if err := h.AddFilter(names[what], []byte(cfg)); err == nil {
			t.Errorf("%s: accepted", what)
		}
	}
	if err := h.AddFilter("dyn", []byte(ok)); err != nil {
		t.Fatalf("AddFilter: %v", err)
	}
	waitFor(t, "dyn in the report", func() bool {
		_, ok := r.e.Snapshot().Plugin(pipeline.ReportFilters, "dyn")
		return ok
	})
	if !h.Running("dyn") || h.Running("conf") || h.Running("other") {
		t.Errorf("Running: dyn %v, conf %v, other %v; want true, false, false", h.Running("dyn"), h.Running("conf"), h.Running("other"))
	}
	if err := h.RemoveFilter("conf"); err == nil {
		t.Errorf("a configured filter was removed through pipeline.Filters")
	}
	if err := h.RemoveFilter("dyn"); err != nil {
		t.Errorf("RemoveFilter: %v", err)
	}
	if h.Running("dyn") {
		t.Errorf("a filter being removed is Running")
	}
	waitFor(t, "dyn gone", func() bool {
		_, ok := r.e.Snapshot().Plugin(pipeline.ReportFilters, "dyn")
		return !ok
	})
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestPowerOfTen(t *testing.T) {
	for n, want := range map[int64]bool{1: true, 2: false, 10: true, 11: false, 100: true, 1000: true, 1010: false, 20: false} {
		if powerOfTen(n) != want {
			t.Errorf("powerOfTen(%d) = %v", n, !want)
		}
	}
}

// restoringFilter adds the filter its config names from its Connect, after
// a pause (a SandboxManagerFilter restoring the filters it had loaded).
type restoringFilter struct {
	add     string
	filters pipeline.Filters
}

type restoringCfg struct {
	Add     string `toml:"add"`      // the name of the TestStopFilter to add
	PauseMs int64  `toml:"pause_ms"` // Connect waits this long first
}

func init() {
	pipeline.RegisterFilter("TestRestoringFilter", func() restoringCfg { return restoringCfg{} }, func(c restoringCfg, env *pipeline.Env) (pipeline.Filter, error) {
		return &restoringPause{restoringFilter{add: c.Add, filters: env.Filters()}, time.Duration(c.PauseMs) * time.Millisecond}, nil
	})
}

type restoringPause struct {
	restoringFilter
	pause time.Duration
}

func (f *restoringPause) Connect(ctx context.Context) error {
	select {
	case <-time.After(f.pause):
	case <-ctx.Done():
		return ctx.Err()
	}
	return f.filters.AddFilter(f.add, []byte("["+f.add+"]\ntype = \"TestStopFilter\"\nmessage_matcher = \"Type != 'stopped'\"\n"))
}

func (f *restoringPause) Process(context.Context, *pipeline.Pack, pipeline.Injector) error {
	return nil
}

// TestInputsWaitForFilterConnect: the inputs start only once every
// filter's first Connect returned, and a filter added then gets the first
// batch: the filters a SandboxManagerFilter restores see every message,
// even those an input reads at once.
func TestInputsWaitForFilterConnect(t *testing.T) {
	const n = 50
	mc := pipeline.DefaultFilterCommon()
	mc.MessageMatcher = "FALSE"
	mgr := config.Filter{Common: mc,
		Section: section[restoringCfg]("mgr", "TestRestoringFilter", func(c *restoringCfg) { c.Add, c.PauseMs = "restored", 300 })}
	plan := newPlan(input("in", inCfg{Data: lines("m", n)}, nil), mgr, output("out", "TRUE", outCfg{}, nil))
	r := start(t, plan, nil)
	waitFor(t, "the messages", func() bool { return getOutput("out").count() == n })
	// (The filter's TOML is probed once before it is built: the last one
	// built runs.)
	waitFor(t, "the restored filter's messages", func() bool {
		fs := stopFiltersOf("restored")
		return len(fs) > 0 && fs[len(fs)-1].seen.Load() == n
	})
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
}
