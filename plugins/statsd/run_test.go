package statsd_test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
	"github.com/hekad-go/hekad/plugins/statsd"
	_ "github.com/hekad-go/hekad/plugins/udp" // an input of another type
)

// engine stands for one engine: the plugins of a test meet through its
// pipeline.Shared, as those of one hekad do.
type engine struct{ shared *pipeline.Shared }

func newEngine() *engine { return &engine{shared: pipeline.NewShared()} }

// build builds the plugin typ named name with mod applied to its default
// config, in engine e.
func build[C any](t testing.TB, e *engine, typ, name string, mod func(*C)) any {
	t.Helper()
	reg, ok := pipeline.Lookup(typ)
	if !ok {
		t.Fatalf("%s not registered", typ)
	}
	cfg := reg.NewConfig()
	if mod != nil {
		mod(cfg.(*C))
	}
	if v, ok := cfg.(pipeline.Validator); ok {
		if err := v.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	p, err := reg.Build(cfg, pipeline.NewEnv(name, typ, nil, nil, nil, pipeline.WithShared(e.shared)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runInput runs in until the test ends.
func runInput(t testing.TB, in pipeline.Input, host pipeline.InputHost) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, host) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(plugintest.Deadline)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func reportValue(r pipeline.Reporter, name string) int64 {
	for _, f := range r.Report() {
		if f.Name == name {
			return f.Value.(int64)
		}
	}
	return -1
}

// withoutTimestamps drops the timestamp of each Graphite line.
func withoutTimestamps(payload string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(payload, "\n"), "\n") {
		if i := strings.LastIndexByte(l, ' '); i > 0 {
			l = l[:i]
		}
		out = append(out, l)
	}
	return out
}

// runAccumulator runs a StatAccumInput "acc" (ticker_interval 1, no
// percent_threshold) in e, delivering to the host it returns.
func runAccumulator(t testing.TB, e *engine) (*statsd.AccumInput, *plugintest.Host) {
	acc := build(t, e, "StatAccumInput", "acc", func(c *statsd.AccumConfig) {
		c.TickerInterval = 1
		c.PercentThreshold = nil
	}).(*statsd.AccumInput)
	host := plugintest.NewHost("acc", plugintest.LineSplitter, false)
	runInput(t, acc, host)
	return acc, host
}

// runStatsd runs a StatsdInput on a free port and the StatAccumInput it
// feeds (runAccumulator), and returns once the input listens.
func runStatsd(t testing.TB) (*statsd.AccumInput, *plugintest.Host, *statsd.Input) {
	e := newEngine()
	acc, host := runAccumulator(t, e)
	in := build(t, e, "StatsdInput", "statsd", func(c *statsd.InputConfig) {
		c.Address = "127.0.0.1:0"
		c.StatAccumName = "acc"
	}).(*statsd.Input)
	runInput(t, in, plugintest.NewHost("statsd", plugintest.LineSplitter, false))
	<-in.Ready()
	return acc, host, in
}

// TestStatsdToAccumulator: datagrams of batched lines over a real UDP
// socket, a malformed line among them, reach the StatAccumInput, which
// flushes them at its tick.
func TestStatsdToAccumulator(t *testing.T) {
	acc, host, in := runStatsd(t)
	c, err := net.Dial("udp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, d := range []string{
		"hits:1|c\nhits:2|c|@0.5\nnot a stat\nrt:20|ms",
		"rt:10|ms\nmem:100|g\nmem:-30|g\n",
	} {
		if _, err := c.Write([]byte(d)); err != nil {
			t.Fatal(err)
		}
	}
	wait(t, "7 lines", func() bool { return reportValue(in, "StatCount") == 6 && reportValue(in, "MalformedCount") == 1 })
	acc.Tick(t.Context(), nil)
	ds := host.WaitDeliveries(t, 1, plugintest.Deadline)
	m := ds[0].Message
	want := []string{
		"stats.counters.hits.rate 5.000000", "stats.counters.hits.count 5",
		"stats.gauges.mem 70.000000",
		"stats.timers.rt.count 2", "stats.timers.rt.count_ps 2.000000",
		"stats.timers.rt.lower 10.000000", "stats.timers.rt.upper 20.000000",
		"stats.timers.rt.sum 30.000000", "stats.timers.rt.mean 15.000000",
		"stats.statsd.numStats 3",
	}
	if got := withoutTimestamps(m.GetPayload()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("payload:\n%s\nwant (with timestamps):\n%s", m.GetPayload(), strings.Join(want, "\n"))
	}
	if m.GetType() != "heka.statmetric" || m.GetLogger() != "acc" {
		t.Errorf("type %q logger %q", m.GetType(), m.GetLogger())
	}
}

// TestStatFilter: metrics made from header and field values, with
// replace_dot, reach the accumulator; a value that is no number is
// counted and the other metrics of the message still count.
func TestStatFilter(t *testing.T) {
	e := newEngine()
	acc, host := runAccumulator(t, e)
	f := build(t, e, "StatFilter", "f", func(c *statsd.FilterConfig) {
		c.StatAccumName = "acc"
		c.Metric = map[string]statsd.MetricConfig{
			"hits":  {Type: "Counter", Name: "hits.%Method%.%Hostname%", Value: "1", ReplaceDot: true},
			"bytes": {Type: "Counter", Name: "bytes.%Hostname%", Value: "%Bytes%"},
			"rt":    {Type: "Timer", Name: "rt.%Missing%", Value: "%Time%"},
			"load":  {Type: "Gauge", Name: "load", Value: "%Load%"},
		}
	}).(*statsd.Filter)
	<-acc.Ready()
	msg := func(method string, bytes int64, tm float64, load string) *pipeline.Pack {
		p := pipeline.NewPack()
		m := p.MutableMessage()
		m.SetHostname("web.example.com")
		m.AppendField("Method", message.ValueString, "").AddString(method)
		m.AppendField("Bytes", message.ValueInteger, "").AddInteger(bytes)
		m.AppendField("Time", message.ValueDouble, "").AddDouble(tm)
		m.AppendField("Load", message.ValueString, "").AddString(load)
		return p
	}
	for _, p := range []*pipeline.Pack{msg("GET", 100, 0.5, "-1.5"), msg("GET", 50, 1.5, "x"), msg("POST", 7, 1, "2")} {
		if err := f.Process(t.Context(), p, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := reportValue(f, "InvalidValueCount"); got != 1 {
		t.Errorf("InvalidValueCount = %d, want 1", got)
	}
	acc.Tick(t.Context(), nil)
	m := host.WaitDeliveries(t, 1, plugintest.Deadline)[0].Message
	want := []string{
		"stats.counters.bytes.web.example.com.rate 157.000000", "stats.counters.bytes.web.example.com.count 157",
		"stats.counters.hits.GET.web_example_com.rate 2.000000", "stats.counters.hits.GET.web_example_com.count 2",
		"stats.counters.hits.POST.web_example_com.rate 1.000000", "stats.counters.hits.POST.web_example_com.count 1",
		"stats.gauges.load 2.000000",
		"stats.timers.rt.<Missing>.count 3", "stats.timers.rt.<Missing>.count_ps 3.000000",
		"stats.timers.rt.<Missing>.lower 0.500000", "stats.timers.rt.<Missing>.upper 1.500000",
		"stats.timers.rt.<Missing>.sum 3.000000", "stats.timers.rt.<Missing>.mean 1.000000",
		"stats.statsd.numStats 5",
	}
	if got := withoutTimestamps(m.GetPayload()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("payload:\n%s\nwant (with timestamps):\n%s", m.GetPayload(), strings.Join(want, "\n"))
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestStatsToFieldsDecoder: the lines of the first timestamp become
// fields of the message, those of each other timestamp a new message.
func TestStatsToFieldsDecoder(t *testing.T) {
	d := build(t, newEngine(), "StatsToFieldsDecoder", "d", func(*statsd.DecoderConfig) {}).(pipeline.Decoder)
	tests := []struct {
		name    string
		payload string
		want    []string // per message: its fields
		err     string
	}{{
		name:    "one timestamp",
		payload: "stats.counters.a.count 3 100\nstats.gauges.g 2.500000 100\n",
		want:    []string{"stats.counters.a.count DOUBLE 3; stats.gauges.g DOUBLE 2.5; timestamp INTEGER 100"},
	}, {
		name:    "two timestamps",
		payload: "a 1 100\nb 2 200\nc 3 100\nd 4 200\ne 5 300",
		want: []string{
			"a DOUBLE 1; c DOUBLE 3; timestamp INTEGER 100",
			"timestamp INTEGER 200; b DOUBLE 2; d DOUBLE 4",
			"timestamp INTEGER 300; e DOUBLE 5",
		},
	}, {
		name:    "malformed",
		payload: "a 1 100\nb 2\n",
		err:     `"b 2"`,
	}, {
		name:    "bad value",
		payload: "a x 100\n",
		err:     "invalid value",
	}, {
		name:    "empty",
		payload: "\n",
		err:     "no statmetric line",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pipeline.NewPack()
			p.MutableMessage().SetType("heka.statmetric")
			p.MutableMessage().SetPayload(tc.payload)
			out, err := d.Decode(t.Context(), p, nil)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if len(p.Message().GetFields()) != 0 {
					t.Error("failed message was changed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != len(tc.want) {
				t.Fatalf("%d messages, want %d", len(out), len(tc.want))
			}
			for i, q := range out {
				var fs []string
				for _, f := range q.Message().GetFields() {
					fs = append(fs, f.GetName()+" "+f.GetValueType().String()+" "+strings.TrimSpace(strings.Trim(fmtValue(f.GetValue()), "[]")))
				}
				if got := strings.Join(fs, "; "); got != tc.want[i] {
					t.Errorf("message %d fields: %s, want %s", i, got, tc.want[i])
				}
				if q.Message().GetType() != "heka.statmetric" {
					t.Errorf("message %d type %q", i, q.Message().GetType())
				}
			}
			if out[0].Message().GetPayload() != tc.payload {
				t.Error("payload not kept")
			}
		})
	}
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strings.TrimSuffix(strings.TrimRight(strings.TrimRight(formatFloat(x), "0"), "."), ".")
	case int64:
		return formatInt(x)
	}
	return ""
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
func formatInt(i int64) string     { return strconv.FormatInt(i, 10) }
