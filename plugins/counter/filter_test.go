package counter

import (
	_ "embed"
	"fmt"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "CounterFilter")
}

func TestCommonDefaults(t *testing.T) {
	reg, ok := pipeline.Lookup("CounterFilter")
	if !ok {
		t.Fatal("CounterFilter not registered")
	}
	c := pipeline.DefaultFilterCommon()
	reg.NewConfig().(pipeline.FilterCommonDefaulter).DefaultFilterCommon(&c)
	if c.MessageMatcher != "Type != 'heka.counter-output'" || c.TickerInterval != 5 {
		t.Errorf("matcher %q, ticker_interval %d", c.MessageMatcher, c.TickerInterval)
	}
	// A section needs nothing but its type.
	if err := plugintest.DecodeSection("[CounterFilter]\n", "CounterFilter"); err != nil {
		t.Error(err)
	}
	plugintest.CheckInvalid(t, "CounterFilter", map[string]string{
		"[CounterFilter]\nmessage_matcher = \"Type ==\"\n": "message_matcher",
		"[CounterFilter]\ncount = 1\n":                     "count",
	})
}

// newTestFilter builds a CounterFilter named "counter" with a clock the
// test moves.
func newTestFilter(t *testing.T) (*Filter, *time.Time) {
	t.Helper()
	reg, _ := pipeline.Lookup("CounterFilter")
	p, err := reg.Build(reg.NewConfig(), pipeline.NewEnv("counter", "CounterFilter", nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	f := p.(*Filter)
	now := time.Date(2016, 5, 3, 12, 0, 0, 0, time.UTC)
	f.lastTime = now
	f.now = func() time.Time { return now }
	return f, &now
}

func process(t *testing.T, f *Filter, inj pipeline.Injector, n int) {
	t.Helper()
	for range n {
		p := pipeline.NewPack()
		p.MutableMessage().SetType("test")
		if err := f.Process(t.Context(), p, inj); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTickReports(t *testing.T) {
	f, now := newTestFilter(t)
	inj := plugintest.NewInjector("Type != 'heka.counter-output'")

	process(t, f, inj, 10)
	*now = now.Add(5 * time.Second)
	if err := f.Tick(t.Context(), inj); err != nil {
		t.Fatal(err)
	}
	got := inj.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages injected, want 1", len(got))
	}
	m := got[0]
	if m.GetPayload() != "Got 10 messages. 2.00 msg/sec" {
		t.Errorf("payload %q", m.GetPayload())
	}
	if m.GetType() != "heka.counter-output" || m.GetLogger() != "counter" {
		t.Errorf("Type %q Logger %q", m.GetType(), m.GetLogger())
	}

	// Nothing new: no report, and the next rate counts from the last one.
	*now = now.Add(5 * time.Second)
	if err := f.Tick(t.Context(), inj); err != nil {
		t.Fatal(err)
	}
	if n := len(inj.Messages()); n != 1 {
		t.Fatalf("idle tick injected %d messages", n-1)
	}
	process(t, f, inj, 3)
	*now = now.Add(5 * time.Second)
	if err := f.Tick(t.Context(), inj); err != nil {
		t.Fatal(err)
	}
	if got := inj.Messages()[1].GetPayload(); got != "Got 13 messages. 0.30 msg/sec" {
		t.Errorf("payload %q", got)
	}
}

func TestAggregateEveryTenReports(t *testing.T) {
	f, now := newTestFilter(t)
	inj := plugintest.NewInjector("Type != 'heka.counter-output'")
	total := 0
	for i := 1; i <= 20; i++ {
		process(t, f, inj, i)
		total += i
		*now = now.Add(time.Second)
		if err := f.Tick(t.Context(), inj); err != nil {
			t.Fatal(err)
		}
		msgs := inj.Messages()
		want := fmt.Sprintf("Got %d messages. %d.00 msg/sec", total, i)
		if p := msgs[len(msgs)-1].GetPayload(); i%10 != 0 && p != want {
			t.Errorf("tick %d: payload %q, want %q", i, p, want)
		}
	}
	msgs := inj.Messages()
	if len(msgs) != 22 {
		t.Fatalf("%d messages, want 20 reports and 2 aggregates", len(msgs))
	}
	for i, want := range map[int]string{
		10: "AGG Sum. Min: 1.00    Max: 10.00    Mean: 5.50",
		21: "AGG Sum. Min: 11.00    Max: 20.00    Mean: 15.50",
	} {
		if got := msgs[i].GetPayload(); got != want {
			t.Errorf("message %d: %q, want %q", i, got, want)
		}
		if msgs[i].GetType() != MessageType {
			t.Errorf("aggregate Type %q", msgs[i].GetType())
		}
	}
}

func TestInjectFailureIsNotFatal(t *testing.T) {
	f, now := newTestFilter(t)
	inj := plugintest.NewInjector("TRUE") // refuses everything: self-injection
	process(t, f, inj, 1)
	*now = now.Add(time.Second)
	err := f.Tick(t.Context(), inj)
	if err == nil || !pipeline.IsDrop(err) {
		t.Errorf("Tick = %v, want a Drop error", err)
	}
}
