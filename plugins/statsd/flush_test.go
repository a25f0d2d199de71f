package statsd

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// flushTime is the flush time of the tests: 1764892800 = 2025-12-05.
var flushTime = time.Unix(1764892800, 0)

// flushOnce adds the statsd lines (several flushes separated by "--") to
// an accumulator and returns the message of each flush.
func flushAll(t testing.TB, mod func(*AccumConfig), input string) []*message.Message {
	t.Helper()
	cfg := defaultAccumConfig()
	if mod != nil {
		mod(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	p, err := newAccumInput(cfg, pipeline.NewEnv("acc", "StatAccumInput", nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	in := p.(*AccumInput)
	acc := NewAccumulator()
	var msgs []*message.Message
	for _, part := range strings.Split(input, "--") {
		stats, bad := ParseDatagram([]byte(part), nil, nil)
		if len(bad) > 0 {
			t.Fatalf("bad test input: %q", bad)
		}
		acc.Add(stats...)
		in.snap = acc.take(cfg.DeleteIdleStats, in.snap)
		m := new(message.Message)
		in.fill(m, in.snap, flushTime)
		msgs = append(msgs, m)
	}
	return msgs
}

// lines writes "name value" lines, adding the flush time to each.
func lines(ls ...string) string {
	var b strings.Builder
	for _, l := range ls {
		fmt.Fprintf(&b, "%s %d\n", l, flushTime.Unix())
	}
	return b.String()
}

// TestFlushPayload: the Graphite lines of a flush, each value worked out
// by hand from statsd's and Heka's definitions (ticker_interval 10 unless
// said otherwise).
func TestFlushPayload(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*AccumConfig)
		input string // flushes separated by "--"
		want  []string
	}{{
		name:  "nothing",
		input: "",
		want:  []string{lines("stats.statsd.numStats 0")},
	}, {
		// a: 1+2 = 3 in 10 s; b: one sample at 1/10 counts 10.
		name:  "counters",
		input: "a:1|c\na:2|c\nb:1|c|@0.1",
		want: []string{lines(
			"stats.counters.a.rate 0.300000", "stats.counters.a.count 3",
			"stats.counters.b.rate 1.000000", "stats.counters.b.count 10",
			"stats.statsd.numStats 2")},
	}, {
		// 1..10: sum 55, mean 5.5; 90%: round(10*0.1) = 1 left out, so
		// the lowest 9: mean 45/9 = 5, upper 9.
		name:  "timer",
		input: "t:3|ms\nt:1|ms\nt:2|ms\nt:4|ms\nt:5|ms\nt:6|ms\nt:7|ms\nt:8|ms\nt:10|ms\nt:9|ms",
		want: []string{lines(
			"stats.timers.t.count 10", "stats.timers.t.count_ps 1.000000",
			"stats.timers.t.lower 1.000000", "stats.timers.t.upper 10.000000",
			"stats.timers.t.sum 55.000000", "stats.timers.t.mean 5.500000",
			"stats.timers.t.mean_90 5.000000", "stats.timers.t.upper_90 9.000000",
			"stats.statsd.numStats 1")},
	}, {
		// 10 20 30: 90%: round(0.3) = 0 left out (all three); 50%:
		// round(1.5) = 2 left out (JavaScript rounds halves up), so 10;
		// 0%: all left out: the lowest and the highest.
		name:  "percentiles",
		mod:   func(c *AccumConfig) { c.PercentThreshold = []int{90, 50, 0} },
		input: "t:30|ms\nt:10|ms\nt:20|ms",
		want: []string{lines(
			"stats.timers.t.count 3", "stats.timers.t.count_ps 0.300000",
			"stats.timers.t.lower 10.000000", "stats.timers.t.upper 30.000000",
			"stats.timers.t.sum 60.000000", "stats.timers.t.mean 20.000000",
			"stats.timers.t.mean_90 20.000000", "stats.timers.t.upper_90 30.000000",
			"stats.timers.t.mean_50 10.000000", "stats.timers.t.upper_50 10.000000",
			"stats.timers.t.mean_0 10.000000", "stats.timers.t.upper_0 30.000000",
			"stats.statsd.numStats 1")},
	}, {
		// g: set 5, +3, -1 = 7; h: -4 from nothing; k: set -2 after 9
		// needs a 0 first, as in statsd.
		name:  "gauges",
		input: "g:5|g\ng:+3|g\ng:-1|g\nh:-4|g\nk:9|g\nk:0|g\nk:-2|g",
		want: []string{lines(
			"stats.gauges.g 7.000000", "stats.gauges.h -4.000000", "stats.gauges.k -2.000000",
			"stats.statsd.numStats 3")},
	}, {
		// Counters, then gauges, then timers, each sorted.
		name:  "order",
		mod:   func(c *AccumConfig) { c.PercentThreshold = nil },
		input: "z:1|ms\ny:2|g\nx:3|c\nb:4|c\na:5|g",
		want: []string{lines(
			"stats.counters.b.rate 0.400000", "stats.counters.b.count 4",
			"stats.counters.x.rate 0.300000", "stats.counters.x.count 3",
			"stats.gauges.a 5.000000", "stats.gauges.y 2.000000",
			"stats.timers.z.count 1", "stats.timers.z.count_ps 0.100000",
			"stats.timers.z.lower 1.000000", "stats.timers.z.upper 1.000000",
			"stats.timers.z.sum 1.000000", "stats.timers.z.mean 1.000000",
			"stats.statsd.numStats 5")},
	}, {
		// The example of docs/metrics.md.
		name:  "docs example",
		input: "shop.orders:1|c\nshop.orders:2|c|@0.5\nshop.checkout:100|ms\nshop.checkout:300|ms\nqueue.depth:42|g\nqueue.depth:-2|g",
		want: []string{lines(
			"stats.counters.shop.orders.rate 0.500000", "stats.counters.shop.orders.count 5",
			"stats.gauges.queue.depth 40.000000",
			"stats.timers.shop.checkout.count 2", "stats.timers.shop.checkout.count_ps 0.200000",
			"stats.timers.shop.checkout.lower 100.000000", "stats.timers.shop.checkout.upper 300.000000",
			"stats.timers.shop.checkout.sum 400.000000", "stats.timers.shop.checkout.mean 200.000000",
			"stats.timers.shop.checkout.mean_90 200.000000", "stats.timers.shop.checkout.upper_90 300.000000",
			"stats.statsd.numStats 3")},
	}, {
		name:  "legacy namespaces",
		mod:   func(c *AccumConfig) { c.LegacyNamespaces = true; c.PercentThreshold = nil },
		input: "a:5|c\ng:1|g\nt:2|ms",
		want: []string{lines(
			"stats.a 0.500000", "stats_counts.a 5",
			"stats.gauges.g 1.000000",
			"stats.timers.t.count 1", "stats.timers.t.count_ps 0.100000",
			"stats.timers.t.lower 2.000000", "stats.timers.t.upper 2.000000",
			"stats.timers.t.sum 2.000000", "stats.timers.t.mean 2.000000",
			"statsd.numStats 3")},
	}, {
		name: "prefixes",
		mod: func(c *AccumConfig) {
			c.GlobalPrefix, c.CounterPrefix, c.GaugePrefix, c.TimerPrefix, c.StatsdPrefix = "app", "c", "g.", "", "s"
			c.PercentThreshold = nil
			c.TickerInterval = 1
		},
		input: "a:5|c\nb:1|g\nt:2|ms",
		want: []string{lines(
			"app.c.a.rate 5.000000", "app.c.a.count 5",
			"app.g.b 1.000000",
			"app.t.count 1", "app.t.count_ps 1.000000",
			"app.t.lower 2.000000", "app.t.upper 2.000000",
			"app.t.sum 2.000000", "app.t.mean 2.000000",
			"app.s.numStats 3")},
	}, {
		name:  "empty global prefix",
		mod:   func(c *AccumConfig) { c.GlobalPrefix = "" },
		input: "a:1|c",
		want:  []string{lines("counters.a.rate 0.100000", "counters.a.count 1", "statsd.numStats 1")},
	}, {
		// Without delete_idle_stats the buckets stay: counters at 0,
		// timers with zeros, gauges at their last value.
		name:  "idle kept",
		input: "a:1|c\ng:2|g\nt:3|ms--",
		want: []string{lines(
			"stats.counters.a.rate 0.100000", "stats.counters.a.count 1",
			"stats.gauges.g 2.000000",
			"stats.timers.t.count 1", "stats.timers.t.count_ps 0.100000",
			"stats.timers.t.lower 3.000000", "stats.timers.t.upper 3.000000",
			"stats.timers.t.sum 3.000000", "stats.timers.t.mean 3.000000",
			"stats.timers.t.mean_90 3.000000", "stats.timers.t.upper_90 3.000000",
			"stats.statsd.numStats 3"), lines(
			"stats.counters.a.rate 0.000000", "stats.counters.a.count 0",
			"stats.gauges.g 2.000000",
			"stats.timers.t.count 0", "stats.timers.t.count_ps 0.000000",
			"stats.timers.t.lower 0.000000", "stats.timers.t.upper 0.000000",
			"stats.timers.t.sum 0.000000", "stats.timers.t.mean 0.000000",
			"stats.timers.t.mean_90 0.000000", "stats.timers.t.upper_90 0.000000",
			"stats.statsd.numStats 3")},
	}, {
		name:  "idle deleted",
		mod:   func(c *AccumConfig) { c.DeleteIdleStats = true; c.PercentThreshold = nil },
		input: "a:1|c\ng:2|g--g:+1|g",
		want: []string{lines(
			"stats.counters.a.rate 0.100000", "stats.counters.a.count 1",
			"stats.gauges.g 2.000000", "stats.statsd.numStats 2"),
			// a deleted gauge starts again from 0
			lines("stats.gauges.g 1.000000", "stats.statsd.numStats 1")},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msgs := flushAll(t, tc.mod, tc.input)
			for i, m := range msgs {
				if got := m.GetPayload(); got != tc.want[i] {
					t.Errorf("flush %d payload:\n%s\nwant:\n%s", i, got, tc.want[i])
				}
			}
		})
	}
}

// TestFlushMessage: the headers and the fields of emit_in_fields.
func TestFlushMessage(t *testing.T) {
	m := flushAll(t, func(c *AccumConfig) {
		c.EmitInFields, c.EmitInPayload, c.LegacyNamespaces, c.MessageType = true, false, true, "my.stats"
	}, "a:15|c\ng:2.5|g")[0]
	if m.GetType() != "my.stats" || m.GetLogger() != "acc" || m.GetPayload() != "" || m.GetTimestamp() != flushTime.UnixNano() || len(m.GetUuid()) != 16 {
		t.Errorf("headers: type %q logger %q payload %q ts %d uuid %x", m.GetType(), m.GetLogger(), m.GetPayload(), m.GetTimestamp(), m.GetUuid())
	}
	want := []string{
		"timestamp INTEGER 1764892800",
		"stats.a INTEGER 1", // Heka: the legacy rate (1.5) truncated in fields
		"stats_counts.a INTEGER 15",
		"stats.gauges.g DOUBLE 2.5",
		"statsd.numStats INTEGER 2",
	}
	var got []string
	for _, f := range m.GetFields() {
		got = append(got, fmt.Sprintf("%s %s %v", f.GetName(), f.GetValueType(), f.GetValue()))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("fields:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func BenchmarkFlush(b *testing.B) {
	for _, buckets := range []int{100, 1000} {
		b.Run(fmt.Sprintf("%dbuckets", buckets), func(b *testing.B) {
			cfg := defaultAccumConfig()
			cfg.EmitInFields = true
			p, _ := newAccumInput(cfg, pipeline.NewEnv("acc", "StatAccumInput", nil, nil, nil))
			in := p.(*AccumInput)
			acc := NewAccumulator()
			var data []byte
			for i := range buckets {
				data = fmt.Appendf(data, "c%d:1|c\nt%d:%d|ms\nt%d:2|ms\ng%d:3|g\n", i, i, i, i, i)
			}
			stats, _ := ParseDatagram(data, nil, nil)
			m := new(message.Message)
			b.ReportAllocs()
			for b.Loop() {
				acc.Add(stats...)
				in.snap = acc.take(false, in.snap)
				m.Reset()
				in.fill(m, in.snap, flushTime)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*buckets*3), "ns/bucket")
		})
	}
}
