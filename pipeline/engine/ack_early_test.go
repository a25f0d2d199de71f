package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/pipeline"
)

func init() {
	pipeline.RegisterOutput("TestEarlyAckOutput", func() struct{} { return struct{}{} },
		func(struct{}, *pipeline.Env) (pipeline.Output, error) { return &earlyAckOutput{}, nil })
}

// earlyAckOutput is a DelayedAcker that acknowledges each record before its
// Write returns, as FileOutput may when its background write and fsync
// finish first.
type earlyAckOutput struct{ acked func(int, error) }

func (o *earlyAckOutput) SetAcker(acked func(int, error)) { o.acked = acked }

func (o *earlyAckOutput) Write(context.Context, pipeline.Record) error {
	o.acked(1, nil)
	return nil
}

// TestAckBeforeWriteReturns: an acknowledgement that comes before the
// engine has registered its record still settles that record; it used to
// be dropped, and the record counted lost at shutdown.
func TestAckBeforeWriteReturns(t *testing.T) {
	const n = 50
	out := output("early", "TRUE", outCfg{}, nil)
	out.Section = section[struct{}]("early", "TestEarlyAckOutput", nil)
	plan := newPlan(input("in", inCfg{Data: lines("m", n)}, nil), out)
	r := start(t, plan, nil)
	waitFor(t, "every message settled", func() bool { return r.e.Stats().Delivered == n })
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := fmt.Sprintf("shutdown: %d messages received = %d delivered + 0 queued + 0 dropped (0 unmatched) + 0 lost", n, n)
	if !strings.Contains(r.logs.String(), want) {
		t.Errorf("no closing line %q:\n%s", want, r.logs.String())
	}
}

var _ pipeline.DelayedAcker = (*earlyAckOutput)(nil)
