package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

func countOutputSection(name, matcher string) config.Output {
	c := pipeline.DefaultOutputCommon()
	c.MessageMatcher = matcher
	return config.Output{Section: section[struct{}](name, "TestCountOutput", nil), Common: c}
}

func benchPlan(plugins ...any) *config.Plan {
	plan := newPlan(plugins...)
	plan.Globals.PoolSize = 100
	plan.Globals.PluginChanSize = 30
	plan.Globals.SampleDenominator = 1000
	return plan
}

func benchEngine(b *testing.B, plan *config.Plan) (*Engine, func()) {
	b.Helper()
	e, err := New(plan, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	return e, func() {
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEngineOverhead measures the engine's own cost per message: a
// pack from the input pool, handed in batches to the router, matched, and
// written by outputs that only count. Packs carry trusted message bytes
// (as after ProtobufDecoder), so no encoding is measured.
func BenchmarkEngineOverhead(b *testing.B) {
	tests := []struct {
		name     string
		outputs  int
		matcher  string
		delivers int // outputs that get each message
	}{
		{"1output", 1, "TRUE", 1},
		{"4outputs-all-match", 4, "TRUE", 4},
		{"4outputs-none-match", 4, "FALSE", 0},
		{"8outputs-1-match", 8, "", 1},
	}
	for _, tc := range tests {
		b.Run(tc.name, func(b *testing.B) {
			var plugins []any
			for i := range tc.outputs {
				m := tc.matcher
				if m == "" {
					m = "Type == 'nope'"
					if i == tc.outputs-1 {
						m = "TRUE"
					}
				}
				plugins = append(plugins, countOutputSection(fmt.Sprintf("out%d", i), m))
			}
			e, stop := benchEngine(b, benchPlan(plugins...))
			defer stop()
			name := "bench"
			var pm message.Message
			pm.SetNewUUID()
			pm.SetTimestamp(1)
			pm.SetType("bench")
			pm.SetPayload("some message bytes")
			payload := pm.Marshal()
			ctx := context.Background()
			bt := e.batches.get()
			sent := int64(0)
			b.ReportAllocs()
			for b.Loop() {
				p, ok := e.inputPool.TryGet()
				if !ok {
					if len(bt.packs) > 0 {
						e.router.send(bt)
						bt = e.batches.get()
					}
					p, _ = e.inputPool.Get(ctx)
				}
				p.Stamp(&name, 1)
				p.MsgBytes = append(p.MsgBytes[:0], payload...)
				p.TrustBytes()
				bt.addIn(p, nil)
				if len(bt.packs) >= e.batchSize {
					e.router.send(bt)
					bt = e.batches.get()
				}
				sent++
			}
			e.router.send(bt)
			want := sent * int64(tc.delivers)
			for {
				var got int64
				for _, s := range e.outputs {
					got += s.output.(*countOutput).n.Load()
				}
				if got >= want && e.router.processed.Load() >= sent {
					break
				}
				runtime.Gosched()
			}
		})
	}
}

// BenchmarkMatcherFanout measures the router's per-message cost of
// evaluating N matchers that all reject (no hand-off).
func BenchmarkMatcherFanout(b *testing.B) {
	for _, n := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("%dmatchers", n), func(b *testing.B) {
			var plugins []any
			for i := range n {
				plugins = append(plugins, countOutputSection(fmt.Sprintf("out%d", i), "Type == 'nope'"))
			}
			e, err := New(benchPlan(plugins...), Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				p, _ := e.inputPool.TryGet()
				p.MutableMessage().SetType("x")
				e.router.route(p, nil)
			}
		})
	}
}

// BenchmarkPipelineText runs the whole input path: a reader of text lines
// streamed through an input's splitter, stamped in text mode, routed to
// an output whose matcher rejects everything. One op is one chunk of
// lines; ns/line and lines/s are reported.
func BenchmarkPipelineText(b *testing.B) {
	const linesPerChunk = 20000
	var sb strings.Builder
	for i := range linesPerChunk {
		fmt.Fprintf(&sb, "2026-11-25T08:00:00Z host app[%d]: a typical log line of some length %d\n", i%1000, i)
	}
	chunk := sb.String()
	feed := make(chan io.Reader)
	fed := make(chan struct{})
	plan := benchPlan(
		input("in", inCfg{Feed: feed, Fed: fed}, nil),
		countOutputSection("out", "Type == 'nope'"),
	)
	e, stop := benchEngine(b, plan)
	defer stop()
	r := strings.NewReader(chunk)
	n := int64(0)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(chunk)
		feed <- r
		<-fed
		n += linesPerChunk
	}
	for e.router.processed.Load() < n {
		runtime.Gosched()
	}
	lines := float64(b.N) * linesPerChunk
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/lines, "ns/line")
	b.ReportMetric(lines/b.Elapsed().Seconds(), "lines/s")
}
