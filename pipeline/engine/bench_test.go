package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
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
// (as after ProtobufDecoder), so no encoding is measured. The -ack cases
// give every pack an origin whose Ack counts, as InputHost.Deliver does
// for an input that passes an Ack: the difference to the same case
// without is the cost of the acknowledgement bookkeeping.
func BenchmarkEngineOverhead(b *testing.B) {
	tests := []struct {
		name     string
		outputs  int
		matcher  string
		delivers int // outputs that get each message
		ack      bool
	}{
		{"1output", 1, "TRUE", 1, false},
		{"1output-ack", 1, "TRUE", 1, true},
		{"4outputs-all-match", 4, "TRUE", 4, false},
		{"4outputs-all-match-ack", 4, "TRUE", 4, true},
		{"4outputs-none-match", 4, "FALSE", 0, false},
		{"8outputs-1-match", 8, "", 1, false},
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
			var acked atomic.Int64
			var orgs originSlab
			ack := pipeline.Ack(func(err error) {
				if err != nil {
					b.Error(err)
				}
				acked.Add(1)
			})
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
				var o *origin
				if tc.ack {
					o = orgs.get(ack, nil, 0) // as InputHost.Deliver does
				}
				bt.addIn(p, o)
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
				if got >= want && e.router.processed.Load() >= sent && (!tc.ack || acked.Load() >= sent) {
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
	benchPipelineText(b, pipeline.Source{}, func(int) bool { return true })
}

// benchPipelineText is BenchmarkPipelineText with src as every chunk's
// Source; settled reports, given the chunk's length, whether what the
// source waits for (its commits) came once every line is routed.
func benchPipelineText(b *testing.B, src pipeline.Source, settled func(chunkLen int) bool) {
	const linesPerChunk = 20000
	var sb strings.Builder
	for i := range linesPerChunk {
		fmt.Fprintf(&sb, "2026-11-25T08:00:00Z host app[%d]: a typical log line of some length %d\n", i%1000, i)
	}
	chunk := sb.String()
	feed := make(chan io.Reader)
	fed := make(chan struct{})
	plan := benchPlan(
		input("in", inCfg{Feed: feed, Fed: fed, Source: src}, nil),
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
	for e.router.processed.Load() < n || !settled(len(chunk)) {
		runtime.Gosched()
	}
	lines := float64(b.N) * linesPerChunk
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/lines, "ns/line")
	b.ReportMetric(lines/b.Elapsed().Seconds(), "lines/s")
}

// deliverCfg configures a TestDeliverInput: for every n received from
// Feed it delivers n packs of trusted message bytes through
// InputHost.NewPack and Deliver, with Ack when it is not nil, and then
// signals Fed.
type deliverCfg struct {
	Feed    chan int
	Fed     chan struct{}
	Ack     pipeline.Ack
	Payload []byte
}

type deliverInput struct{ cfg deliverCfg }

func init() {
	pipeline.RegisterInput("TestDeliverInput", func() deliverCfg { return deliverCfg{} }, func(c deliverCfg, _ *pipeline.Env) (pipeline.Input, error) {
		return &deliverInput{cfg: c}, nil
	})
}

func (in *deliverInput) Run(ctx context.Context, host pipeline.InputHost) error {
	for {
		select {
		case n := <-in.cfg.Feed:
			for range n {
				p, err := host.NewPack(ctx)
				if err != nil {
					return err
				}
				p.MsgBytes = append(p.MsgBytes[:0], in.cfg.Payload...)
				p.TrustBytes()
				if err := host.Deliver(ctx, p, in.cfg.Ack); err != nil {
					return err
				}
			}
			in.cfg.Fed <- struct{}{}
		case <-ctx.Done():
			return nil
		}
	}
}

// BenchmarkDeliver measures an input that delivers one pack at a time
// through InputHost.Deliver (no decoder) to one counting output, without
// and with an Ack; each Deliver hands its pack to the router on its own.
// One op is one message.
func BenchmarkDeliver(b *testing.B) {
	var pm message.Message
	pm.SetNewUUID()
	pm.SetTimestamp(1)
	pm.SetType("bench")
	pm.SetPayload("some message bytes")
	payload := pm.Marshal()
	for _, withAck := range []bool{false, true} {
		name := "noack"
		if withAck {
			name = "ack"
		}
		b.Run(name, func(b *testing.B) {
			var acked atomic.Int64
			cfg := deliverCfg{Feed: make(chan int), Fed: make(chan struct{}), Payload: payload}
			if withAck {
				cfg.Ack = func(err error) {
					if err != nil {
						b.Error(err)
					}
					acked.Add(1)
				}
			}
			c := pipeline.DefaultInputCommon()
			c.Splitter = "line"
			in := config.Input{Section: section[deliverCfg]("in", "TestDeliverInput", func(x *deliverCfg) { *x = cfg }), Common: c}
			e, stop := benchEngine(b, benchPlan(in, countOutputSection("out", "TRUE")))
			defer stop()
			out := e.outputs[0].output.(*countOutput)
			const chunk = 1000
			sent := int64(0)
			b.ReportAllocs()
			for b.Loop() {
				// One op per message, fed in chunks so that the
				// hand-shake with the input is not measured.
				if sent%chunk == 0 {
					cfg.Feed <- chunk
					<-cfg.Fed
				}
				sent++
			}
			total := (sent + chunk - 1) / chunk * chunk
			for out.n.Load() < total || (withAck && acked.Load() < total) {
				runtime.Gosched()
			}
		})
	}
}

// BenchmarkPipelineTextCommit is BenchmarkPipelineText with a Source that
// wants in-order commits (Offset and Commit, as a log tail keeping a seek
// journal): every line gets an origin tracked for the stream's commits.
func BenchmarkPipelineTextCommit(b *testing.B) {
	var committed atomic.Int64
	src := pipeline.Source{Name: "bench", Offset: 0, Commit: func(off int64) { committed.Store(off) }}
	// Each Stream call starts again at Offset 0: the last chunk's end is
	// the commit that says every line was settled.
	benchPipelineText(b, src, func(chunkLen int) bool { return committed.Load() >= int64(chunkLen) })
}
