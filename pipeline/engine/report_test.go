package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

func init() {
	pipeline.RegisterOutput("TestAbortOutput", func() struct{} { return struct{}{} }, newAbortOutput)
}

// abortOutput blocks in Write until Abort is called, and keeps its Env so
// that a test can use the Reports the engine offers plugins.
type abortOutput struct {
	env     *pipeline.Env
	once    sync.Once
	aborted chan struct{}
	aborts  atomic.Int64
	writes  atomic.Int64
}

var (
	abortMu      sync.Mutex
	abortOutputs = map[string]*abortOutput{}
)

func newAbortOutput(_ struct{}, env *pipeline.Env) (pipeline.Output, error) {
	o := &abortOutput{env: env, aborted: make(chan struct{})}
	abortMu.Lock()
	abortOutputs[env.Name()] = o
	abortMu.Unlock()
	return o, nil
}

func getAbortOutput(name string) *abortOutput {
	abortMu.Lock()
	defer abortMu.Unlock()
	return abortOutputs[name]
}

func (o *abortOutput) Write(ctx context.Context, _ pipeline.Record) error {
	o.writes.Add(1)
	select {
	case <-o.aborted:
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

func (o *abortOutput) Abort() {
	o.aborts.Add(1)
	o.once.Do(func() { close(o.aborted) })
}

var _ pipeline.Aborter = (*abortOutput)(nil)

// checkTotals checks the equation of pipeline.Totals.
func checkTotals(t *testing.T, st pipeline.Totals) {
	t.Helper()
	if sum := st.Delivered + st.Queued + st.Dropped + st.Unmatched + st.Lost + st.InFlight; sum != st.Received || st.InFlight < 0 {
		t.Errorf("totals do not add up: %+v (sum %d)", st, sum)
	}
}

// TestSnapshotFigures: the per-output figures of the snapshot (what
// became of the messages each output took, its disk queue) agree with the
// messages sent, with each other and with the totals, for a plain output,
// one that drops, a buffered output whose plugin is stuck, and a buffered
// output whose queue is full with full_action "drop".
func TestSnapshotFigures(t *testing.T) {
	const n = 100
	buffered := func(full string, maxBuffer uint64) func(*config.Output) {
		return func(o *config.Output) {
			o.Common.UseBuffering = true
			o.Common.Buffering.FullAction = full
			o.Common.Buffering.MaxBufferSize = maxBuffer
		}
	}
	tests := []struct {
		name   string
		out    config.Output
		small  bool // max_message_size 2048, so that a 2306-byte queue is full after a few records
		wait   func(r pipeline.PluginReport) bool
		expect map[string]int64
		totals func(st pipeline.Totals) bool
	}{
		{
			name:   "delivered",
			out:    output("out", "TRUE", outCfg{}, nil),
			wait:   func(r pipeline.PluginReport) bool { return r.Int("DeliveredCount") == n },
			expect: map[string]int64{"ProcessMessageCount": n, "DeliveredCount": n, "QueuedCount": 0, "DroppedCount": 0, "LostCount": 0},
			totals: func(st pipeline.Totals) bool { return st.Delivered == n },
		},
		{
			name:   "dropped by the plugin",
			out:    output("out", "TRUE", outCfg{DropOn: "m7"}, nil),
			wait:   func(r pipeline.PluginReport) bool { return r.Int("DeliveredCount") == n-1 },
			expect: map[string]int64{"ProcessMessageCount": n, "DeliveredCount": n - 1, "DroppedCount": 1, "DropMessageCount": 1, "LostCount": 0},
			totals: func(st pipeline.Totals) bool { return st.Delivered == n-1 && st.Dropped == 1 },
		},
		{
			name: "buffered, output stuck",
			out:  output("out", "TRUE", outCfg{Block: true}, buffered("shutdown", 0)),
			wait: func(r pipeline.PluginReport) bool { return r.Int("QueuedCount") == n },
			expect: map[string]int64{"QueuedCount": n, "DeliveredCount": 0, "QueueRecords": n, "QueueAppendedCount": n,
				"QueueSentCount": 0, "QueueFiles": 1, "QueueCorruptCount": 0, "QueueFullCount": 0},
			totals: func(st pipeline.Totals) bool { return st.Queued == n && st.Buffered == n },
		},
		{
			name:  "buffered, queue full, drop",
			out:   output("out", "TRUE", outCfg{Block: true}, buffered("drop", 2306)),
			small: true,
			wait: func(r pipeline.PluginReport) bool {
				return r.Int("QueuedCount")+r.Int("DroppedCount") == n
			},
			expect: map[string]int64{"QueueSentCount": 0, "QueueCorruptCount": 0, "LostCount": 0},
			totals: func(st pipeline.Totals) bool { return st.Queued+st.Dropped == n && st.Dropped > 0 },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			plan := newPlan(input("in", inCfg{Data: lines("m", n)}, nil), tc.out, func(p *config.Plan) {
				p.Globals.BaseDir = base
				if tc.small {
					p.Globals.MaxMessageSize = 2048
				}
			})
			r := start(t, plan, nil)
			var rep pipeline.PluginReport
			waitFor(t, "the output's figures", func() bool {
				rep, _ = r.e.Snapshot().Plugin(pipeline.ReportOutputs, "out")
				return tc.wait(rep)
			})
			snap := r.e.Snapshot()
			rep, _ = snap.Plugin(pipeline.ReportOutputs, "out")
			for k, v := range tc.expect {
				if got := rep.Int(k); got != v {
					t.Errorf("%s = %d, want %d", k, got, v)
				}
				if _, ok := rep.Field(k); !ok {
					t.Errorf("no field %s", k)
				}
			}
			if strings.HasPrefix(tc.name, "buffered, queue full") {
				q, d := rep.Int("QueuedCount"), rep.Int("DroppedCount")
				if d == 0 || rep.Int("QueueFullCount") != d || rep.Int("QueueAppendedCount") != q || rep.Int("QueueRecords") != q {
					t.Errorf("queue full: queued %d dropped %d, QueueFullCount %d, QueueAppendedCount %d, QueueRecords %d",
						q, d, rep.Int("QueueFullCount"), rep.Int("QueueAppendedCount"), rep.Int("QueueRecords"))
				}
				if b := rep.Int("QueueBytes"); b <= 0 || b > 2306 {
					t.Errorf("QueueBytes = %d, want 1..2306", b)
				}
			}
			checkTotals(t, snap.Totals)
			if !tc.totals(snap.Totals) {
				t.Errorf("totals %+v", snap.Totals)
			}
			router, _ := snap.Plugin(pipeline.ReportGlobals, "Router")
			msgs, _ := snap.Plugin(pipeline.ReportGlobals, "Messages")
			if router.Int("ProcessMessageCount") != n || msgs.Int("ReceivedCount") != n {
				t.Errorf("router ProcessMessageCount %d, Messages ReceivedCount %d, want %d",
					router.Int("ProcessMessageCount"), msgs.Int("ReceivedCount"), n)
			}
			if o := getOutput("out"); o != nil {
				o.release()
			}
			r.stop()
			if tc.name == "buffered, output stuck" {
				// Released: the queue was sent in full.
				rep, _ = r.e.Snapshot().Plugin(pipeline.ReportOutputs, "out")
				if rep.Int("QueueSentCount") != n || rep.Int("QueueRecords") != 0 {
					t.Errorf("after release: QueueSentCount %d QueueRecords %d", rep.Int("QueueSentCount"), rep.Int("QueueRecords"))
				}
			}
		})
	}
}

// TestReportText: the text report shows Heka's columns first and then
// hekad's own figures, the message totals among the globals.
func TestReportText(t *testing.T) {
	plan := newPlan(input("in", inCfg{Data: lines("m", 3)}, nil), output("out", "TRUE", outCfg{}, nil))
	r := start(t, plan, nil)
	waitFor(t, "messages", func() bool { return getOutput("out").count() == 3 })
	var b bytes.Buffer
	r.e.Report(&b)
	rep := b.String()
	for _, want := range []string{
		"Messages:\n    ReceivedCount: 3\n    DeliveredCount: 3\n",
		"out:\n    InChanCapacity: 10\n",
		"    ProcessMessageAvgDuration: ",
		"    ProcessMessageCount: 3\n    Memory: 42\n", "    DeliveredCount: 3\n    QueuedCount: 0\n    DroppedCount: 0\n    LostCount: 0\n",
	} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
}

// TestReportInterval: with a report interval the engine routes a
// heka.all-report and a heka.memstat message per interval; each all-report
// payload is Heka's JSON shape and its figures add up.
func TestReportInterval(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: lines("m", 5)}, nil),
		output("out", "Type != 'heka.all-report' || Type == 'heka.memstat'", outCfg{}, nil),
		output("reports", "Type == 'heka.all-report'", outCfg{}, nil),
	)
	r := start(t, plan, func(o *Options) { o.ReportInterval = 20 * time.Millisecond })
	waitFor(t, "three all-reports", func() bool { return getOutput("reports").count() >= 3 })
	r.stop()
	memstats := 0
	for _, x := range getOutput("out").records() {
		if x.typ == "heka.memstat" {
			memstats++
			if v, ok := x.fields["HeapObjects"].(int64); !ok || v <= 0 {
				t.Errorf("memstat HeapObjects = %v", x.fields["HeapObjects"])
			}
		}
	}
	reports := getOutput("reports").records()
	if memstats != len(reports) {
		t.Errorf("%d memstat messages for %d all-reports", memstats, len(reports))
	}
	for i, x := range reports {
		if x.logger != "hekad" || x.hostname != "testhost" {
			t.Errorf("report %d: logger %q hostname %q", i, x.logger, x.hostname)
		}
		var raw map[string][]map[string]json.RawMessage
		if err := json.Unmarshal([]byte(x.payload), &raw); err != nil {
			t.Fatalf("report %d: %v", i, err)
		}
		for _, cat := range pipeline.ReportCategories {
			if _, ok := raw[cat]; !ok {
				t.Errorf("report %d: no %q", i, cat)
			}
		}
		get := func(cat, name, field string) int64 {
			for _, en := range raw[cat] {
				var n string
				json.Unmarshal(en["Name"], &n)
				if n != name {
					continue
				}
				var f struct {
					Value          int64  `json:"value"`
					Representation string `json:"representation"`
				}
				if err := json.Unmarshal(en[field], &f); err != nil || f.Representation != "count" {
					t.Errorf("report %d: %s %s %s = %s", i, cat, name, field, en[field])
				}
				return f.Value
			}
			t.Errorf("report %d: no %s %s", i, cat, name)
			return 0
		}
		recv := get("globals", "Messages", "ReceivedCount")
		sum := get("globals", "Messages", "DeliveredCount") + get("globals", "Messages", "QueuedCount") +
			get("globals", "Messages", "DroppedCount") + get("globals", "Messages", "UnmatchedCount") +
			get("globals", "Messages", "LostCount") + get("globals", "Messages", "InFlightCount")
		if recv != sum {
			t.Errorf("report %d: received %d, sum %d", i, recv, sum)
		}
		if got := get("outputs", "reports", "ProcessMessageCount"); got > int64(i) {
			t.Errorf("report %d: the reports output had processed %d reports", i, got)
		}
	}
}

// TestAbortIfWedged: SIGUSR2's probe. A router that answers is left alone;
// one wedged behind an output that takes nothing gets the report, the
// output's Abort, and a shutdown with an error.
func TestAbortIfWedged(t *testing.T) {
	tests := []struct {
		name   string
		stuck  bool
		wedged bool
	}{
		{"router answers", false, false},
		{"router wedged", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			matcher := "FALSE"
			if tc.stuck {
				matcher = "TRUE"
			}
			plan := newPlan(
				input("in", inCfg{Data: lines("m", 200)}, nil),
				output("sink", "TRUE", outCfg{}, nil),
				config.Output{Section: section[struct{}]("stuck", "TestAbortOutput", nil),
					Common: func() pipeline.OutputCommon {
						c := pipeline.DefaultOutputCommon()
						c.MessageMatcher = matcher
						return c
					}()},
			)
			// The wedged router never answers: a short probe keeps the
			// test quick. A router that answers may still be slow to on
			// a loaded machine under -race: a long probe, which it ends
			// as soon as it answers.
			probe := 30 * time.Second
			if tc.stuck {
				probe = 200 * time.Millisecond
			}
			r := start(t, plan, func(o *Options) { o.ProbeWait = probe })
			ao := getAbortOutput("stuck")
			if tc.stuck {
				waitFor(t, "the router to block on the stuck output", func() bool { return r.e.router.blockedOn.Load() != nil })
			} else {
				waitFor(t, "every message", func() bool { return getOutput("sink").count() == 200 })
			}
			var rep bytes.Buffer
			if got := r.e.AbortIfWedged(&rep); got != tc.wedged {
				t.Fatalf("AbortIfWedged = %v, want %v", got, tc.wedged)
			}
			if !tc.wedged {
				if rep.Len() != 0 || ao.aborts.Load() != 0 || !strings.Contains(r.logs.String(), "not wedged") {
					t.Errorf("healthy router: report %q, aborts %d", rep.String(), ao.aborts.Load())
				}
				select {
				case <-r.e.Done():
					t.Fatal("the engine stopped")
				default:
				}
				if err := r.stop(); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !strings.Contains(rep.String(), "========[heka.all-report]========") {
				t.Errorf("no report written: %q", rep.String())
			}
			if ao.aborts.Load() == 0 {
				t.Error("Abort not called")
			}
			if !strings.Contains(r.logs.String(), "wedged behind output 'stuck'") {
				t.Errorf("log does not name the stuck output:\n%s", r.logs.String())
			}
			err := r.wait()
			if err == nil || !strings.Contains(err.Error(), "router wedged") {
				t.Fatalf("Run = %v, want the wedge", err)
			}
			// Abort let the output's calls return: nothing was lost.
			if st := r.e.Stats(); st.Lost != 0 || st.Delivered != 200 {
				t.Errorf("after abort: %+v", st)
			}
		})
	}
}

// TestEnvReports: a plugin reaches the engine's figures through its Env;
// without an engine the Env's reports are empty and injection fails.
func TestEnvReports(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: lines("m", 4)}, nil),
		output("sink", "Type != 'heka.all-report'", outCfg{}, nil),
		output("reports", "Type == 'heka.all-report'", outCfg{}, nil),
		config.Output{Section: section[struct{}]("probe", "TestAbortOutput", nil), Common: func() pipeline.OutputCommon {
			c := pipeline.DefaultOutputCommon()
			c.MessageMatcher = "FALSE"
			return c
		}()},
	)
	r := start(t, plan, nil)
	waitFor(t, "messages", func() bool { return getOutput("sink").count() == 4 })
	reps := getAbortOutput("probe").env.Reports()
	snap := reps.Snapshot()
	if snap.Totals.Received != 4 || snap.Totals.Delivered != 4 {
		t.Errorf("plugin's snapshot totals %+v", snap.Totals)
	}
	if _, ok := snap.Plugin(pipeline.ReportOutputs, "probe"); !ok {
		t.Error("plugin's snapshot lacks the plugin itself")
	}
	if err := reps.InjectReports(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the injected report", func() bool { return getOutput("reports").count() == 1 })
	r.stop()
	if err := reps.InjectReports(t.Context()); !errors.Is(err, errStopped) {
		t.Errorf("InjectReports after shutdown = %v", err)
	}

	env := pipeline.NewEnv("x", "X", nil, nil, nil)
	if err := env.Reports().InjectReports(t.Context()); !errors.Is(err, pipeline.ErrNoReports) {
		t.Errorf("InjectReports without an engine = %v", err)
	}
	if s := env.Reports().Snapshot(); len(s.Plugins) != 0 {
		t.Errorf("Snapshot without an engine = %+v", s)
	}
}
