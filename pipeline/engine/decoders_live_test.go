package engine

import (
	"context"
	"io"
	"sync/atomic"
	"testing"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// reportingDecoder passes records through, reports how many it decoded
// and counts, in the shared liveCounts, how many instances were built and
// closed.
type reportingDecoder struct {
	calls  atomic.Int64
	counts *liveCounts
}

type liveCounts struct{ built, closed atomic.Int64 }

func (d *reportingDecoder) Decode(_ context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	d.calls.Add(1)
	return append(out, p), nil
}

func (d *reportingDecoder) Report() []pipeline.ReportField {
	return []pipeline.ReportField{
		{Name: "DecodeCalls", Value: d.calls.Load(), Representation: "count"},
		{Name: "Kind", Value: "test"},
	}
}

func (d *reportingDecoder) Close() error {
	d.counts.closed.Add(1)
	return nil
}

var decoderCounts = map[string]*liveCounts{} // by test name; written before each test's engine starts

func init() {
	pipeline.RegisterDecoder("TestReportingDecoder", func() struct{ Test string } { return struct{ Test string }{} },
		func(c struct{ Test string }, _ *pipeline.Env) (pipeline.Decoder, error) {
			instMu.Lock()
			counts := decoderCounts[c.Test]
			instMu.Unlock()
			counts.built.Add(1)
			return &reportingDecoder{counts: counts}, nil
		})
}

// TestDecoderInstancesReportAndClose: the figures of a decoder's running
// instances (one per stream) appear, summed, on the decoder's line of the
// report, and each instance is closed (io.Closer) when its stream ends,
// the one built to check the config included.
func TestDecoderInstancesReportAndClose(t *testing.T) {
	counts := &liveCounts{}
	instMu.Lock()
	decoderCounts[t.Name()] = counts
	instMu.Unlock()
	feed, fed := make(chan io.Reader), make(chan struct{})
	plan := newPlan(
		input("in", inCfg{Feed: feed, Fed: fed}, func(c *pipeline.InputCommon) { c.Decoder = "rdec" }),
		output("out", "TRUE", outCfg{}, nil),
		func(p *config.Plan) {
			p.Decoders = append(p.Decoders, section[struct{ Test string }]("rdec", "TestReportingDecoder", func(c *struct{ Test string }) { c.Test = t.Name() }))
		},
	)
	r := start(t, plan, nil)
	out := getOutput("out")
	pr, pw := io.Pipe()
	feed <- pr
	pw.Write([]byte("a\nb\nc\n"))
	waitFor(t, "3 messages", func() bool { return out.count() == 3 })
	rep, ok := r.e.Snapshot().Plugin(pipeline.ReportDecoders, "in-rdec")
	if !ok {
		t.Fatal("no report line for decoder in-rdec")
	}
	if got := rep.Int("DecodeCalls"); got != 3 {
		t.Errorf("DecodeCalls %d, want 3 (the stream's instance): %+v", got, rep)
	}
	pw.Close()
	<-fed
	waitFor(t, "every instance closed", func() bool { return counts.closed.Load() == counts.built.Load() })
	if b := counts.built.Load(); b != 2 {
		t.Errorf("%d decoder instances built, want 2 (the config check and the stream)", b)
	}
	rep, _ = r.e.Snapshot().Plugin(pipeline.ReportDecoders, "in-rdec")
	if got := rep.Int("DecodeCalls"); got != -1 && got != 0 {
		t.Errorf("DecodeCalls %d after the stream ended, want none (no live instance)", got)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
}
