package sandbox_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/sandbox"
)

// fakeFilters records what a manager adds and removes.
type fakeFilters struct {
	mu      sync.Mutex
	added   map[string]string
	removed []string
}

func (f *fakeFilters) AddFilter(name string, cfg []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.added[name] = string(cfg)
	return nil
}

func (f *fakeFilters) Running(name string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.added[name]
	return ok
}

// stop makes name stop on its own (a terminated sandbox).
func (f *fakeFilters) stop(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.added, name)
}

func (f *fakeFilters) RemoveFilter(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.added, name)
	f.removed = append(f.removed, name)
	return nil
}

type fakeInjector struct{ injected []*pipeline.Pack }

func (i *fakeInjector) NewPack(context.Context) (*pipeline.Pack, error) {
	return pipeline.NewPack(), nil
}
func (i *fakeInjector) Inject(_ context.Context, p *pipeline.Pack) error {
	i.injected = append(i.injected, p)
	return nil
}

func newTestManager(t *testing.T, base, extra string) (pipeline.Filter, *fakeFilters) {
	t.Helper()
	reg, ok := pipeline.Lookup("SandboxManagerFilter")
	if !ok {
		t.Fatal("SandboxManagerFilter is not registered")
	}
	cfg := reg.NewConfig().(*sandbox.ManagerConfig)
	cfg.MaxFilters = 2
	cfg.MemoryLimit = 1 << 20
	if extra == "max0" {
		cfg.MaxFilters = 0
	}
	g := pipeline.DefaultGlobals()
	g.BaseDir = base
	ff := &fakeFilters{added: map[string]string{}}
	env := pipeline.NewEnv("Ops Manager", "SandboxManagerFilter", &g, nil, nil, pipeline.WithFilters(ff))
	p, err := reg.Build(cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.(pipeline.Connector).Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	return p.(pipeline.Filter), ff
}

const counterConfig = `[Counter]
type = "SandboxFilter"
message_matcher = "Type == 'x'"
ticker_interval = 1
filename = "ignored.lua"
memory_limit = 99999999
[Counter.config]
k = "v"
`

func control(action string, fields map[string]string, payload string, ts time.Time) *pipeline.Pack {
	p := pipeline.NewPack()
	m := p.MutableMessage()
	m.SetType(sandbox.ControlType)
	m.SetTimestamp(ts.UnixNano())
	m.SetPayload(payload)
	f, _ := message.NewField("action", action, "")
	m.AddField(f)
	for k, v := range fields {
		f, _ := message.NewField(k, v, "")
		m.AddField(f)
	}
	return p
}

func TestManagerLoadUnloadRestore(t *testing.T) {
	base := t.TempDir()
	m, ff := newTestManager(t, base, "")
	inj := &fakeInjector{}
	now := time.Now()
	if err := m.Process(t.Context(), control("load", map[string]string{"config": counterConfig}, "-- lua", now), inj); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "sbxmgrs")
	cfg, ok := ff.added["Ops_Manager-Counter"]
	if !ok {
		t.Fatalf("not added as Ops_Manager-Counter: %v", ff.added)
	}
	for _, want := range []string{"[Ops_Manager-Counter]", `filename = "` + filepath.Join(dir, "Ops_Manager-Counter.lua") + `"`,
		"memory_limit = 1048576", "can_exit = true", `k = "v"`, "ticker_interval = 1"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("config lacks %q:\n%s", want, cfg)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "Ops_Manager-Counter.lua")); err != nil || string(b) != "-- lua" {
		t.Errorf("script file: %q, %v", b, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "Ops_Manager-Counter.toml")); err != nil || string(b) != counterConfig {
		t.Errorf("config file: %q, %v", b, err)
	}

	// Refused: a second load of the same name, a skewed message, a
	// filter that is not a SandboxFilter, one filter too many.
	m.Process(t.Context(), control("load", map[string]string{"config": counterConfig}, "", now), inj)
	m.Process(t.Context(), control("load", map[string]string{"config": strings.ReplaceAll(counterConfig, "Counter", "Late")}, "", now.Add(-10*time.Second)), inj)
	m.Process(t.Context(), control("load", map[string]string{"config": "[X]\ntype = 'CounterFilter'\n"}, "", now), inj)
	m.Process(t.Context(), control("load", map[string]string{"config": strings.ReplaceAll(counterConfig, "Counter", "Two")}, "", now), inj)
	m.Process(t.Context(), control("load", map[string]string{"config": strings.ReplaceAll(counterConfig, "Counter", "Three")}, "", now), inj)
	if len(ff.added) != 2 {
		t.Errorf("running %v, want Counter and Two", ff.added)
	}
	if len(inj.injected) != 3 {
		t.Errorf("%d heka.sandbox-terminated messages, want 3 (duplicate, wrong type, max_filters)", len(inj.injected))
	}
	for _, p := range inj.injected {
		if p.Message().GetType() != "heka.sandbox-terminated" {
			t.Errorf("injected %q", p.Message().GetType())
		}
	}

	// A new manager on the same directory restores both.
	_, ff2 := newTestManager(t, base, "")
	if len(ff2.added) != 2 || ff2.added["Ops_Manager-Two"] == "" {
		t.Errorf("restored %v", ff2.added)
	}

	m.Process(t.Context(), control("unload", map[string]string{"name": "Counter"}, "", now), inj)
	if len(ff.removed) != 1 || ff.removed[0] != "Ops_Manager-Counter" {
		t.Errorf("removed %v", ff.removed)
	}
	if _, err := os.Stat(filepath.Join(dir, "Ops_Manager-Counter.lua")); !os.IsNotExist(err) {
		t.Errorf("script file left after unload: %v", err)
	}
	_, ff3 := newTestManager(t, base, "")
	if len(ff3.added) != 1 {
		t.Errorf("restored after unload %v", ff3.added)
	}

	// Two has stopped on its own: it counts no more (a new filter loads),
	// and unloading it removes its files.
	ff.stop("Ops_Manager-Two")
	m.Process(t.Context(), control("load", map[string]string{"config": strings.ReplaceAll(counterConfig, "Counter", "Four")}, "", now), inj)
	if _, ok := ff.added["Ops_Manager-Four"]; !ok {
		t.Errorf("a filter that stopped still counts against max_filters: %v", ff.added)
	}
	m.Process(t.Context(), control("unload", map[string]string{"name": "Two"}, "", now), inj)
	if _, err := os.Stat(filepath.Join(dir, "Ops_Manager-Two.toml")); !os.IsNotExist(err) {
		t.Errorf("files of a stopped filter left after unload: %v", err)
	}
	if len(ff.removed) != 1 {
		t.Errorf("RemoveFilter called for a stopped filter: %v", ff.removed)
	}
}

func TestManagerMaxFiltersDefault(t *testing.T) {
	m, ff := newTestManager(t, t.TempDir(), "max0")
	inj := &fakeInjector{}
	m.Process(t.Context(), control("load", map[string]string{"config": counterConfig}, "", time.Now()), inj)
	if len(ff.added) != 0 || len(inj.injected) != 1 {
		t.Errorf("max_filters 0 loaded %v", ff.added)
	}
}
