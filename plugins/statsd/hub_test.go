package statsd

import (
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// TestNoAccumulator: a StatsdInput or StatFilter whose StatAccumInput does
// not run fails, naming stat_accum_name, once accumulatorWait passed.
func TestNoAccumulator(t *testing.T) {
	shared := pipeline.NewShared()
	h := acquire(shared, "acc")
	defer h.release()
	err := h.waitFlusher(t.Context(), time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), `stat_accum_name: no StatAccumInput section named "acc"`) {
		t.Errorf("StatsdInput: %v", err)
	}

	cfg := defaultFilterConfig()
	cfg.Metric = map[string]MetricConfig{"a": {Type: "Counter", Name: "a", Value: "1"}}
	p, err := newFilter(cfg, pipeline.NewEnv("f", "StatFilter", nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	f := p.(*Filter)
	defer f.Close()
	if err := f.Process(t.Context(), pipeline.NewPack(), nil); err != nil {
		t.Fatalf("first message: %v", err)
	}
	f.since = f.since.Add(-accumulatorWait - time.Second)
	err = f.Process(t.Context(), pipeline.NewPack(), nil)
	if err == nil || !strings.Contains(err.Error(), "stat_accum_name") {
		t.Errorf("StatFilter: %v", err)
	}

	// Once a StatAccumInput runs, the wait ends at once, and StatFilter
	// works.
	stopped := h.flushes()
	if err := h.waitFlusher(t.Context(), time.Hour); err != nil {
		t.Error(err)
	}
	f2 := filterOn(t, shared, "acc")
	if err := f2.Process(t.Context(), pipeline.NewPack(), nil); err != nil {
		t.Errorf("StatFilter with a StatAccumInput: %v", err)
	}

	// It stops (can_exit): the wait fails again rather than let stats
	// pile up that nobody flushes; StatFilter fails accumulatorWait after
	// the stop, not before.
	stopped()
	if err := h.waitFlusher(t.Context(), time.Millisecond); err == nil {
		t.Error("StatsdInput: waited for a StatAccumInput that stopped")
	}
	if err := f2.Process(t.Context(), pipeline.NewPack(), nil); err != nil {
		t.Errorf("StatFilter right after the stop: %v", err)
	}
	f2.since = f2.since.Add(-accumulatorWait - time.Second)
	if err := f2.Process(t.Context(), pipeline.NewPack(), nil); err != nil {
		t.Errorf("StatFilter less than accumulatorWait after the stop: %v", err)
	}
	h.downAt.Store(time.Now().Add(-accumulatorWait - time.Second).UnixNano())
	if err := f2.Process(t.Context(), pipeline.NewPack(), nil); err == nil || !strings.Contains(err.Error(), "stat_accum_name") {
		t.Errorf("StatFilter after the stop: %v", err)
	}

	// A restart ends a wait in progress.
	done := make(chan error)
	go func() { done <- h.waitFlusher(t.Context(), time.Hour) }()
	defer h.flushes()()
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// filterOn builds a StatFilter with one counter for the StatAccumInput
// acc of the engine whose Shared is shared.
func filterOn(t *testing.T, shared *pipeline.Shared, acc string) *Filter {
	t.Helper()
	cfg := defaultFilterConfig()
	cfg.StatAccumName = acc
	cfg.Metric = map[string]MetricConfig{"a": {Type: "Counter", Name: "a", Value: "1"}}
	p, err := newFilter(cfg, pipeline.NewEnv("f", "StatFilter", nil, nil, nil, pipeline.WithShared(shared)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.(*Filter).Close() })
	return p.(*Filter)
}

// TestHubEngines: plugins of two engines with the same names do not
// share an accumulator; an entry goes once no plugin holds it.
func TestHubEngines(t *testing.T) {
	e1, e2 := pipeline.NewShared(), pipeline.NewShared()
	a, b, c := acquire(e1, "x"), acquire(e2, "x"), acquire(e1, "x")
	if a.acc == b.acc || a.acc != c.acc {
		t.Error("engines share accumulators")
	}
	a.release()
	a.release() // twice is once
	if d := acquire(e1, "x"); d.acc != c.acc {
		t.Error("entry gone while held")
	} else {
		d.release()
	}
	c.release()
	b.release()
	if e1.Len() != 0 || e2.Len() != 0 {
		t.Errorf("entries left: %d, %d", e1.Len(), e2.Len())
	}
}
