package engine

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// Regression tests for the faults a review of the engine found. Each
// failed on the engine before deliveries and the two-round filter drain.
// Run them repeatedly: go test -count=20 -run 'Fault' ./pipeline/engine/

// TestFaultShutdownTrueFilterSeesEverything: a shutdown that starts while
// messages are on their way must not close a filter before the router has
// routed everything already read (the router used to remove the filters
// while batches still waited in its input channel).
func TestFaultShutdownTrueFilterSeesEverything(t *testing.T) {
	const n = 1550
	plan := newPlan(
		input("in", inCfg{Data: lines("m", n)}, nil),
		filter("f", "TRUE", filtCfg{}, nil),
	)
	r := start(t, plan, nil)
	waitFor(t, "routing started", func() bool { return r.e.router.processed.Load() > 0 })
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v\n%s", err, r.logs.String())
	}
	st := r.e.Stats()
	seen := getFilter("f").seen.Load()
	if st.Lost != 0 || st.InFlight != 0 || seen != st.Received || st.Delivered != st.Received {
		t.Errorf("filter saw %d of %d received messages; figures %+v", seen, st.Received, st)
	}
}

// TestFaultSpawnAtSmallPool: a decoder that makes two messages of every
// record, on one stream, with a pool of 20 packs, used to deadlock
// (Pack.Spawn waited for packs that only its own progress could free).
func TestFaultSpawnAtSmallPool(t *testing.T) {
	const n = 10000
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "multi:%d\n", i)
	}
	plan := newPlan(
		input("in", inCfg{Data: sb.String()}, func(c *pipeline.InputCommon) { c.Decoder = "dec" }),
		output("out", "TRUE", outCfg{}, nil),
		func(p *config.Plan) { p.Globals.PoolSize = 20 },
	)
	r := start(t, plan, nil)
	waitFor(t, "every message", func() bool { return getOutput("out").count() == 2*n })
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("borrowed %v", func() int64 { b, _ := r.e.inputPool.Borrows(); return b }())
	if st := r.e.Stats(); st.Received != 2*n || st.Delivered != 2*n {
		t.Errorf("figures %+v, want %d received and delivered", st, 2*n)
	}
}

// TestFaultTickerFollowsRestart: after an input restarts (ErrRetry), its
// ticker must tick the new instance, not the dead one.
func TestFaultTickerFollowsRestart(t *testing.T) {
	plan := newPlan(input("in", inCfg{After: "retry-first", RetryTimes: 1}, func(c *pipeline.InputCommon) {
		c.TickerInterval = 1
	}))
	var e *Engine
	r := startWith(t, plan, func(o *Options) {}, func(x *Engine) { e = x })
	waitFor(t, "the restart", func() bool { return runsOf("in").Load() == 2 })
	first := e.inputs[0].plugin().(*tickInput)
	waitFor(t, "a tick of the running instance", func() bool { return first.ticks.Load() > 0 })
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// TestFaultStreamCommits: a stream whose source wants commits gets, in
// order, the offset past every record once each is acknowledged, up to the
// end of the stream, including records no matcher took and records its
// decoder dropped.
func TestFaultStreamCommits(t *testing.T) {
	data := "a:1\nnocolon\nb:2\nc:3\n"
	var mu sync.Mutex
	var commits []int64
	src := pipeline.Source{Offset: 100, Commit: func(off int64) {
		mu.Lock()
		commits = append(commits, off)
		mu.Unlock()
	}}
	plan := newPlan(
		input("in", inCfg{Data: data, Source: src}, func(c *pipeline.InputCommon) { c.Decoder = "dec"; c.LogDecodeFailures = false }),
		output("out", "Type != 'b'", outCfg{}, nil),
	)
	r := start(t, plan, nil)
	end := int64(100 + len(data))
	waitFor(t, "the last commit", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(commits) > 0 && commits[len(commits)-1] == end
	})
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(commits); i++ {
		if commits[i] <= commits[i-1] {
			t.Errorf("commits not increasing: %v", commits)
		}
	}
}

// TestFaultAbortDuringParallelDecode: giving up on a shutdown while
// decoder_workers are decoding must not return a batch twice, and must
// count what it abandons.
func TestFaultAbortDuringParallelDecode(t *testing.T) {
	const n = 5000
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "t:%d\n", i)
	}
	plan := newPlan(
		input("in", inCfg{Data: sb.String()}, func(c *pipeline.InputCommon) { c.Decoder = "dec"; c.DecoderWorkers = 4 }),
		output("out", "TRUE", outCfg{Block: true}, nil),
	)
	r := start(t, plan, nil)
	waitFor(t, "the output blocked", func() bool { return r.e.outputs[0].queued.Load() > 0 })
	r.cancel()
	waitFor(t, "shutdown started", func() bool { return r.e.stopping.Load() })
	r.e.Abort()
	err := r.wait()
	if !errors.Is(err, ErrLost) {
		t.Fatalf("Run = %v, want ErrLost", err)
	}
	getOutput("out").release()
	st := r.e.Stats()
	if st.Lost == 0 || st.Delivered+st.Lost+st.InFlight != st.Received {
		t.Errorf("figures do not add up: %+v", st)
	}
	if !strings.Contains(r.logs.String(), "abandoning") {
		t.Errorf("the abort does not say what it abandons:\n%s", r.logs.String())
	}
}
