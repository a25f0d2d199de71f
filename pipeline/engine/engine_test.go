package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

func TestRoutingByMatcher(t *testing.T) {
	tests := []struct {
		name string
		sync bool
	}{
		{"async decode", false},
		{"synchronous decode", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := "a:1\nb:2\na:3\nmulti:4\nb:5\n"
			plan := newPlan(
				input("in", inCfg{Data: data}, func(c *pipeline.InputCommon) { c.Decoder = "dec"; c.SynchronousDecode = tc.sync }),
				output("out_a", "Type == 'a'", outCfg{}, nil),
				output("out_b", "Type == 'b' || Type == 'multi'", outCfg{}, nil),
				output("out_all", "TRUE", outCfg{}, nil),
				output("out_none", "FALSE", outCfg{}, nil),
			)
			r := start(t, plan, nil)
			waitFor(t, "all messages", func() bool { return getOutput("out_all").count() == 6 })
			if err := r.stop(); err != nil {
				t.Fatalf("Run: %v", err)
			}
			want := map[string][]string{
				"out_a":    {"1", "3"},
				"out_b":    {"2", "4", "4-2", "5"},
				"out_all":  {"1", "2", "3", "4", "4-2", "5"},
				"out_none": nil,
			}
			for name, w := range want {
				if got := getOutput(name).payloads(); !slices.Equal(got, w) {
					t.Errorf("%s got %q, want %q", name, got, w)
				}
			}
			rep := new(bytes.Buffer)
			r.e.Report(rep)
			if got := strings.Contains(rep.String(), "SynchronousDecode: true"); got != tc.sync {
				t.Errorf("report SynchronousDecode shown = %v, want %v", got, tc.sync)
			}
		})
	}
}

func TestTextModeStamping(t *testing.T) {
	tests := []struct {
		name       string
		src        pipeline.Source
		wantLogger string
	}{
		{"defaults", pipeline.Source{}, "in"},
		{"source fields", pipeline.Source{Name: "s1", Type: "mytype", Logger: "mylogger", Hostname: "h1"}, "mylogger"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := newPlan(
				input("in", inCfg{Data: "hello\nworld\n", Source: tc.src}, nil),
				output("out", "TRUE", outCfg{}, nil),
			)
			before := time.Now().UnixNano()
			r := start(t, plan, nil)
			waitFor(t, "2 messages", func() bool { return getOutput("out").count() == 2 })
			after := time.Now().UnixNano()
			r.stop()
			got := getOutput("out").records()
			for i, want := range []string{"hello", "world"} {
				m := got[i]
				if m.payload != want || m.logger != tc.wantLogger || m.typ != tc.src.Type || m.hostname != tc.src.Hostname {
					t.Errorf("record %d = %+v", i, m)
				}
				if len(m.uuid) != 16 || m.uuid[6]>>4 != 4 {
					t.Errorf("record %d uuid %x is not a v4 uuid", i, m.uuid)
				}
				if m.ts < before || m.ts > after {
					t.Errorf("record %d timestamp %d not in [%d, %d]", i, m.ts, before, after)
				}
				var dec message.Message
				if err := dec.Unmarshal(m.msgBytes); err != nil || dec.GetPayload() != want || !bytes.Equal(dec.GetUuid(), m.uuid) {
					t.Errorf("record %d: MsgBytes not the encoding of the message (err %v)", i, err)
				}
			}
			if bytes.Equal(got[0].uuid, got[1].uuid) {
				t.Error("two records share a uuid")
			}
		})
	}
}

func TestMessageBytesModeAndSigner(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: "alice|a:1\nbob|a:2\na:3\nalice|b:4\n"}, func(c *pipeline.InputCommon) {
			c.Splitter = "signed"
			c.Decoder = "dec"
		}),
		input("raw", inCfg{Data: "r:raw1\n"}, func(c *pipeline.InputCommon) {
			c.Splitter = "linebytes"
			c.Decoder = "dec"
		}),
		output("alice", "TRUE", outCfg{}, func(o *config.Output) { o.Common.MessageSigner = "alice" }),
		output("alice_a", "Type == 'a'", outCfg{}, func(o *config.Output) { o.Common.MessageSigner = "alice" }),
		output("raw_out", "Type == 'r'", outCfg{}, nil),
		output("all", "TRUE", outCfg{}, nil),
	)
	r := start(t, plan, nil)
	waitFor(t, "5 messages", func() bool { return getOutput("all").count() == 5 })
	r.stop()
	if got, want := getOutput("alice").payloads(), []string{"1", "4"}; !slices.Equal(got, want) {
		t.Errorf("alice got %q, want %q", got, want)
	}
	if got, want := getOutput("alice_a").payloads(), []string{"1"}; !slices.Equal(got, want) {
		t.Errorf("alice_a got %q, want %q", got, want)
	}
	for _, m := range getOutput("alice").records() {
		if m.signer != "alice" {
			t.Errorf("signer %q", m.signer)
		}
	}
	if got := getOutput("raw_out").payloads(); !slices.Equal(got, []string{"raw1"}) {
		t.Errorf("message-bytes mode: got %q", got)
	}
}

func TestDecodeFailures(t *testing.T) {
	tests := []struct {
		name      string
		log, send bool
	}{
		{"log only (default)", true, false},
		{"send only", false, true},
		{"log and send", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := newPlan(
				input("in", inCfg{Data: "a:1\nbroken\npanic\na:2\n"}, func(c *pipeline.InputCommon) {
					c.Decoder = "dec"
					c.LogDecodeFailures = tc.log
					c.SendDecodeFailures = tc.send
				}),
				output("out", "TRUE", outCfg{}, nil),
			)
			r := start(t, plan, nil)
			want := 2
			if tc.send {
				want = 4
			}
			waitFor(t, "messages", func() bool { return getOutput("out").count() == want })
			waitFor(t, "2 failures counted", func() bool { return r.e.inputs[0].decodeFailures.Load() == 2 })
			r.stop()
			// Not routed, the two failed records became no message.
			st, undecoded := r.e.Stats(), int64(2)
			if tc.send {
				undecoded = 0
			}
			if st.Undecoded != undecoded || st.Received != int64(want) {
				t.Errorf("received %d, undecoded %d; want %d and %d", st.Received, st.Undecoded, want, undecoded)
			}
			logs := r.logs.String()
			if got := strings.Contains(logs, `no colon in \"broken\"`); got != tc.log {
				t.Errorf("decode failure logged = %v, want %v\n%s", got, tc.log, logs)
			}
			if !strings.Contains(logs, "decoder panicked") || !strings.Contains(logs, "in-dec") {
				t.Errorf("decoder panic not logged with its name:\n%s", logs)
			}
			if !tc.send {
				return
			}
			got := getOutput("out").records()
			if got[1].payload != "broken" || got[1].fields["decode_failure"] != true ||
				!strings.Contains(got[1].fields["decode_error"].(string), "no colon") {
				t.Errorf("failed record = %+v", got[1])
			}
			if got[2].fields["decode_failure"] != true || !strings.Contains(got[2].fields["decode_error"].(string), "decoder exploded") {
				t.Errorf("panicking record = %+v", got[2])
			}
		})
	}
}

func TestDecodeErrorTruncated(t *testing.T) {
	m := new(message.Message)
	addDecodeFailureFields(m, strings.Repeat("é", 400))
	v, _ := m.GetFieldValue("decode_error")
	s := v.(string)
	if len(s) > maxDecodeError || len(s) < maxDecodeError-1 || !strings.HasPrefix(s, "é") {
		t.Errorf("decode_error has %d bytes", len(s))
	}
}

func TestLoopLimit(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: "a:x\n"}, func(c *pipeline.InputCommon) { c.Decoder = "dec" }),
		filter("fa", "Type == 'a'", filtCfg{InjectType: "b"}, nil),
		filter("fb", "Type == 'b'", filtCfg{InjectType: "a"}, nil),
		output("out", "TRUE", outCfg{}, nil),
	)
	r := start(t, plan, nil)
	// a(0) -> b(1) -> a(2) -> b(3) -> a(4) -> refused (5 > 4)
	waitFor(t, "5 messages", func() bool { return getOutput("out").count() == 5 })
	waitFor(t, "refusal", func() bool { return len(getFilter("fa").errors()) == 1 })
	r.stop()
	var loops []int
	for _, m := range getOutput("out").records() {
		loops = append(loops, m.loop)
	}
	if !slices.Equal(loops, []int{0, 1, 2, 3, 4}) {
		t.Errorf("loop counts %v", loops)
	}
	if err := getFilter("fa").errors()[0]; err.Error() != "exceeded MaxMsgLoops = 4" {
		t.Errorf("error %q", err)
	}
}

func TestSelfInjectRefused(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: "x:1\n"}, func(c *pipeline.InputCommon) { c.Decoder = "dec" }),
		filter("f", "Type == 'x'", filtCfg{InjectType: "x"}, nil),
		output("out", "TRUE", outCfg{}, nil),
	)
	r := start(t, plan, nil)
	waitFor(t, "refusal", func() bool { return len(getFilter("f").errors()) == 1 })
	r.stop()
	if err := getFilter("f").errors()[0]; !errors.Is(err, errSelfInject) || err.Error() != "attempted to Inject a message to itself" {
		t.Errorf("error %v", err)
	}
	if n := getOutput("out").count(); n != 1 {
		t.Errorf("output got %d messages, want 1", n)
	}
}

func TestSlowOutputBackpressure(t *testing.T) {
	const n = 1000
	plan := newPlan(
		input("in", inCfg{Data: lines("m", n)}, nil),
		output("slow", "TRUE", outCfg{Delay: 20 * time.Microsecond}, nil),
		output("fast", "TRUE", outCfg{}, nil),
		func(p *config.Plan) { p.Globals.PoolSize = 4; p.Globals.PluginChanSize = 1 },
	)
	r := start(t, plan, nil)
	waitFor(t, "all messages at the slow output", func() bool { return getOutput("slow").count() == n })
	r.stop()
	for _, name := range []string{"slow", "fast"} {
		if got := getOutput(name).payloads(); !slices.Equal(got, seq("m", n)) {
			t.Errorf("%s: got %d messages (in order: %v)", name, len(got), slices.Equal(got, seq("m", len(got))))
		}
	}
}

func TestBlockedOutputResumes(t *testing.T) {
	const n = 500
	plan := newPlan(
		input("in", inCfg{Data: lines("m", n)}, func(c *pipeline.InputCommon) { c.Decoder = "" }),
		output("blocked", "TRUE", outCfg{Block: true}, nil),
		func(p *config.Plan) { p.Globals.PoolSize = 8 },
	)
	r := start(t, plan, nil)
	// The pool runs dry: the input waits, nothing is dropped.
	waitFor(t, "input pool exhausted", func() bool { return r.e.inputPool.Len() == 0 })
	getOutput("blocked").release()
	waitFor(t, "all messages", func() bool { return getOutput("blocked").count() == n })
	r.stop()
	if got := getOutput("blocked").payloads(); !slices.Equal(got, seq("m", n)) {
		t.Errorf("got %d messages", len(got))
	}
}

func TestShutdownDrains(t *testing.T) {
	const n = 150
	plan := newPlan(
		input("in", inCfg{Data: lines("m", n)}, nil),
		filter("f", "Type != 'copy'", filtCfg{InjectType: "copy"}, nil),
		output("out", "Type == 'copy'", outCfg{Block: true}, nil),
		func(p *config.Plan) { p.Globals.PoolSize = 400; p.Globals.PluginChanSize = 400 },
	)
	r := start(t, plan, nil)
	waitFor(t, "every message injected and queued", func() bool {
		return getFilter("f").seen.Load() == n
	})
	r.cancel()
	waitFor(t, "shutdown started", func() bool { return r.e.stopping.Load() })
	getOutput("out").release()
	if err := r.wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := getOutput("out").payloads(); !slices.Equal(got, seq("m", n)) {
		t.Errorf("output got %d of %d messages\n%s", len(got), n, r.logs.String())
	}
	st := r.e.Stats()
	if want := fmt.Sprintf("shutdown: %d messages received = %d delivered + 0 queued + 0 dropped (0 unmatched) + 0 lost", st.Received, st.Received); st.Received < int64(n) || !strings.Contains(r.logs.String(), want) {
		t.Errorf("no closing line %q:\n%s", want, r.logs.String())
	}
}

func TestShutdownTimeoutCountsLoss(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: lines("m", 10)}, nil),
		output("out", "TRUE", outCfg{Block: true}, nil),
	)
	r := start(t, plan, func(o *Options) { o.DrainTimeout = 100 * time.Millisecond })
	waitFor(t, "output blocked with messages queued", func() bool { return r.e.outputs[0].queued.Load() > 0 })
	if err := r.stop(); !errors.Is(err, ErrLost) {
		t.Fatalf("Run = %v, want ErrLost", err)
	}
	st := r.e.Stats()
	if st.Received != 10 || st.Lost+st.Delivered != 10 || st.Lost == 0 {
		t.Errorf("figures do not add up to the 10 messages read: %+v", st)
	}
	if !strings.Contains(r.logs.String(), fmt.Sprintf("+ %d lost", st.Lost)) {
		t.Errorf("loss not in the closing line:\n%s", r.logs.String())
	}
}

func TestCanExitFalseStopsHekad(t *testing.T) {
	tests := []struct {
		name    string
		plugins []any
		want    string
	}{
		{"output error", []any{
			input("in", inCfg{Data: "ok\nfatal\n"}, nil),
			output("out", "TRUE", outCfg{FailOn: "fatal"}, nil),
		}, "output 'out' stopped: output gave up"},
		{"output panic", []any{
			input("in", inCfg{Data: "boom\n"}, nil),
			output("out", "TRUE", outCfg{PanicOn: "boom"}, nil),
		}, "output 'out' stopped: panic: output exploded"},
		{"filter error", []any{
			input("in", inCfg{Data: "fatal\n"}, nil),
			filter("f", "TRUE", filtCfg{FailOn: "fatal"}, nil),
		}, "filter 'f' stopped: filter gave up"},
		{"input error", []any{
			input("in", inCfg{After: "error"}, nil),
		}, "input 'in' stopped: input broke"},
		{"input returns", []any{
			input("in", inCfg{After: "return"}, nil),
		}, "input 'in' stopped: Run exited"},
		{"input panic", []any{
			input("in", inCfg{Panic: true}, nil),
		}, "input 'in' stopped: panic: input exploded"},
		{"input out of retries", []any{
			input("in", inCfg{After: "retry"}, func(c *pipeline.InputCommon) { c.Retries = fastRetries(2) }),
		}, "input 'in' stopped: max retries exceeded"},
		{"connect out of retries", []any{
			output("out", "TRUE", outCfg{RetryConnects: 100}, func(o *config.Output) { o.Common.Retries = fastRetries(1) }),
		}, "output 'out' stopped: connect: max retries exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := start(t, newPlan(tc.plugins...), nil)
			err := r.wait()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	t.Run("retries counted", func(t *testing.T) {
		r := start(t, newPlan(input("in", inCfg{After: "retry"}, func(c *pipeline.InputCommon) { c.Retries = fastRetries(2) })), nil)
		r.wait()
		if n := runsOf("in").Load(); n != 3 {
			t.Errorf("input ran %d times, want 3 (1 + max_retries 2)", n)
		}
		if !strings.Contains(r.logs.String(), "Restarting (attempt 2/2)") {
			t.Errorf("restart not logged:\n%s", r.logs.String())
		}
	})
}

func TestCanExitTrueInjectsTerminated(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: "one\nboom\ntwo\n"}, nil),
		filter("f", "Payload != 'x'", filtCfg{PanicOn: "boom"}, func(c *pipeline.FilterCommon) { c.CanExit = true }),
		output("out", "TRUE", outCfg{}, nil),
		input("quiet", inCfg{After: "return"}, func(c *pipeline.InputCommon) { c.CanExit = true }),
	)
	r := start(t, plan, nil)
	waitFor(t, "4 messages", func() bool { return getOutput("out").count() == 4 })
	// The filter lost the message it panicked on and those queued behind
	// it: Run says so.
	if err := r.stop(); !errors.Is(err, ErrLost) {
		t.Fatalf("Run = %v, want ErrLost", err)
	}
	var term *rec
	var payloads []string
	for _, m := range getOutput("out").records() {
		if m.typ == "heka.terminated" {
			term = &m
			continue
		}
		payloads = append(payloads, m.payload)
	}
	if !slices.Equal(payloads, []string{"one", "boom", "two"}) {
		t.Errorf("pipeline did not go on: %q", payloads)
	}
	if term == nil {
		t.Fatal("no heka.terminated message")
	}
	if term.logger != "hekad" || term.fields["plugin"] != "f" || term.hostname != "testhost" ||
		term.payload != "f (type TestFilter) terminated. Error: panic: filter exploded" {
		t.Errorf("termination message %+v", *term)
	}
	logs := r.logs.String()
	if !strings.Contains(logs, "plugin panicked") || !strings.Contains(logs, "plugin=f") || !strings.Contains(logs, "filter exploded") {
		t.Errorf("panic not logged with the plugin name:\n%s", logs)
	}
}

func TestRetries(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: "m0\nm1\n", After: "retry-first", RetryTimes: 2}, nil),
		output("out", "TRUE", outCfg{RetryWrites: 3, RetryConnects: 2}, nil),
		output("dropper", "TRUE", outCfg{DropOn: "m0"}, nil),
	)
	r := start(t, plan, nil)
	waitFor(t, "2 messages", func() bool { return getOutput("out").count() == 2 })
	waitFor(t, "1 message at dropper", func() bool { return getOutput("dropper").count() == 1 })
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := runsOf("in").Load(); n != 3 {
		t.Errorf("input ran %d times, want 3", n)
	}
	o := getOutput("out")
	if got := o.payloads(); !slices.Equal(got, []string{"m0", "m1"}) {
		t.Errorf("got %q", got)
	}
	// 2 failed connects + 1; each failed write reconnects: 3 more.
	if w, c := o.writes.Load(), o.connects.Load(); w != 5 || c != 6 {
		t.Errorf("writes %d, connects %d; want 5 and 6", w, c)
	}
	if n := r.e.outputs[1].dropped.Load(); n != 1 {
		t.Errorf("dropper dropped %d, want 1", n)
	}
}

func TestRetrierBackoff(t *testing.T) {
	o := pipeline.RetryOptions{Delay: pipeline.Duration(time.Millisecond), MaxDelay: pipeline.Duration(3 * time.Millisecond), MaxRetries: 3}
	rt := newRetrier(o)
	var delays []time.Duration
	for range 3 {
		delays = append(delays, rt.cur)
		if err := rt.wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if want := []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond}; !slices.Equal(delays, want) {
		t.Errorf("delays %v, want %v", delays, want)
	}
	if err := rt.wait(t.Context()); !errors.Is(err, errMaxRetries) {
		t.Errorf("4th wait: %v", err)
	}
	rt.reset()
	if rt.cur != time.Millisecond || rt.attempts() != 0 {
		t.Errorf("reset: cur %v attempts %d", rt.cur, rt.attempts())
	}
}

func TestReport(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: "a:1\n"}, func(c *pipeline.InputCommon) { c.Decoder = "dec" }),
		filter("f", "Type == 'a'", filtCfg{}, nil),
		output("out", "TRUE", outCfg{}, func(o *config.Output) { o.Common.Encoder = "enc" }),
		output("reports", "Type == 'heka.all-report' || Type == 'heka.memstat'", outCfg{}, nil),
	)
	r := start(t, plan, nil)
	waitFor(t, "message", func() bool { return getOutput("out").count() == 1 })
	var b bytes.Buffer
	r.e.Report(&b)
	rep := b.String()
	for _, want := range []string{
		"========[heka.all-report]========\n", "====Globals====", "inputRecycleChan:", "injectRecycleChan:", "Router:",
		"====Inputs====\nin:", "====Splitters====\nin-line:", "====Decoders====\nin-dec:",
		"====Filters====\nf:", "====Outputs====\nout:", "reports:", "====Encoders====\nout-enc:",
		"    InChanCapacity: 10", "    ProcessMessageCount: 1", "    Memory: 42", "\n========\n",
	} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
	if err := r.e.InjectReports(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "report messages", func() bool { return getOutput("reports").count() == 2 })
	r.stop()
	got := getOutput("reports").records()
	if got[0].typ != "heka.all-report" || got[0].logger != "hekad" || got[1].typ != "heka.memstat" {
		t.Fatalf("got %+v", got)
	}
	var data map[string][]map[string]any
	if err := json.Unmarshal([]byte(got[0].payload), &data); err != nil {
		t.Fatalf("all-report payload: %v", err)
	}
	if len(data["outputs"]) != 2 || data["outputs"][0]["Name"] != "out" || data["globals"][2]["Name"] != "Router" {
		t.Errorf("all-report payload %s", got[0].payload)
	}
	if pm, ok := data["filters"][0]["ProcessMessageCount"].(map[string]any); !ok || pm["value"] != 1.0 || pm["representation"] != "count" {
		t.Errorf("filter ProcessMessageCount = %v", data["filters"][0]["ProcessMessageCount"])
	}
	if v, ok := got[1].fields["HeapAlloc"].(int64); !ok || v <= 0 {
		t.Errorf("memstat HeapAlloc = %v", got[1].fields["HeapAlloc"])
	}
}

func TestIdlePackDiagnostics(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: lines("m", 5)}, nil),
		output("stuck", "TRUE", outCfg{Block: true}, nil),
		func(p *config.Plan) { p.Globals.MaxPackIdle = 0 },
	)
	r := start(t, plan, func(o *Options) { o.DiagInterval = 5 * time.Millisecond })
	waitFor(t, "diagnostics naming the plugin", func() bool {
		l := r.logs.String()
		return strings.Contains(l, "packs have been idle more than 0 seconds.") &&
			strings.Contains(l, "(input) Plugin names and quantities found on idle packs:") &&
			strings.Contains(l, `"Diagnostics: \tstuck: 5"`)
	})
	waitFor(t, "LeakCount", func() bool { return r.e.outputs[0].leaks.Load() == 5 })
	getOutput("stuck").release()
	r.stop()
}

func TestWatchdogNamesStuckPlugin(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: lines("m", 20)}, nil),
		output("stuck", "TRUE", outCfg{Block: true}, nil),
	)
	r := start(t, plan, func(o *Options) { o.StuckAfter = 20 * time.Millisecond })
	waitFor(t, "watchdog warning", func() bool {
		return strings.Contains(r.logs.String(), "output 'stuck' has been stuck in Write for")
	})
	getOutput("stuck").release()
	waitFor(t, "all messages", func() bool { return getOutput("stuck").count() == 20 })
	waitFor(t, "recovery noted", func() bool { return strings.Contains(r.logs.String(), "output 'stuck' is moving again") })
	r.stop()
}

func TestInjectingFiltersDoNotDeadlock(t *testing.T) {
	// g turns each input message into an "x"; f turns each "x" into a "y".
	// With tiny pools every inject pack ends up queued in front of f while
	// f waits for one: Heka's deadlock. The engine lends f an extra pack.
	const n = 40
	plan := newPlan(
		input("in", inCfg{Data: lines("m", n)}, nil),
		filter("g", "Type == ''", filtCfg{InjectType: "x"}, nil),
		filter("f", "Type == 'x'", filtCfg{InjectType: "y"}, nil),
		output("out", "Type == 'y'", outCfg{}, nil),
		func(p *config.Plan) { p.Globals.PoolSize = 2; p.Globals.PluginChanSize = 1 },
	)
	r := start(t, plan, func(o *Options) { o.InjectWait = 5 * time.Millisecond; o.BatchSize = 1 })
	waitFor(t, "all y messages", func() bool { return getOutput("out").count() == n })
	r.stop()
	if errs := getFilter("f").errors(); len(errs) > 0 {
		t.Errorf("f errors: %v", errs)
	}
}

func TestOversizeRecords(t *testing.T) {
	long, huge := strings.Repeat("x", 5000), strings.Repeat("y", 300<<10)
	tests := []struct {
		name      string
		keep      bool
		final     bool
		data      string
		wantSizes []int
		wantLog   string
	}{
		{"dropped", false, false, "a\n" + long + "\nb\n", []int{1, 1}, "record of 5000 bytes exceeded MAX_RECORD_SIZE 2306 and was dropped"},
		{"truncated", true, false, "a\n" + long + "\nb\n", []int{1, 3 + 255 + 2048, 1}, "record of at least 5000 bytes exceeded MAX_RECORD_SIZE 2306 and was truncated"},
		// Longer than the largest read buffer: dropped while it is read,
		// and logged with its size once its end is found.
		{"dropped while read", false, false, "a\n" + huge + "\nb\n", []int{1, 1}, "record of 307201 bytes exceeded MAX_RECORD_SIZE 2306 and was dropped"},
		{"cut by the end of the stream", false, false, "a\n" + huge, []int{1}, "record of at least 307200 bytes, cut by the end of the stream, exceeded MAX_RECORD_SIZE 2306 and was dropped"},
		{"incomplete final dropped", false, false, "a\nb", []int{1}, ""},
		{"incomplete final delivered", false, true, "a\nb", []int{1, 1}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := pipeline.DefaultSplitterCommon()
			sc.MinBufferSize = 100
			sc.KeepTruncated = tc.keep
			sc.DeliverIncompleteFinal = tc.final
			plan := newPlan(
				config.Splitter{Section: section[struct{}]("small", "TestLineSplitter", nil), Common: sc},
				input("in", inCfg{Data: tc.data, After: "return"}, func(c *pipeline.InputCommon) { c.Splitter = "small"; c.CanExit = true }),
				output("out", "TRUE", outCfg{}, nil),
				func(p *config.Plan) { p.Globals.MaxMessageSize = 2048 },
			)
			r := start(t, plan, nil)
			waitFor(t, "messages", func() bool { return getOutput("out").count() == len(tc.wantSizes) })
			if tc.wantLog != "" {
				// The record's size is known only once the stream has
				// read to its end: stopping earlier would end the stream
				// by cancellation instead.
				waitFor(t, "the oversize record logged", func() bool { return strings.Contains(r.logs.String(), tc.wantLog) })
			}
			r.stop()
			var sizes []int
			for _, p := range getOutput("out").payloads() {
				sizes = append(sizes, len(p))
			}
			if !slices.Equal(sizes, tc.wantSizes) {
				t.Errorf("sizes %v, want %v", sizes, tc.wantSizes)
			}
			if tc.wantLog != "" && !strings.Contains(r.logs.String(), tc.wantLog) {
				t.Errorf("log lacks %q:\n%s", tc.wantLog, r.logs.String())
			}
		})
	}
}

func TestOutputEncodingAndFraming(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{Data: "hello\nunencodable\n"}, nil),
		output("plain", "TRUE", outCfg{}, func(o *config.Output) { o.Common.Encoder = "enc" }),
		output("framed", "TRUE", outCfg{}, func(o *config.Output) { o.Common.Encoder = "enc"; o.UseFraming = true }),
		output("noenc", "TRUE", outCfg{}, nil),
	)
	r := start(t, plan, nil)
	waitFor(t, "messages", func() bool {
		return getOutput("noenc").count() == 2 && getOutput("plain").count() == 1 && getOutput("framed").count() == 1
	})
	r.stop()
	if d := getOutput("plain").records()[0].data; string(d) != "hello" {
		t.Errorf("plain data %q", d)
	}
	want, _ := message.AppendFrame(nil, []byte("hello"), nil, 0)
	if d := getOutput("framed").records()[0].data; !bytes.Equal(d, want) {
		t.Errorf("framed data %q, want %q", d, want)
	}
	if d := getOutput("noenc").records()[0].data; d != nil {
		t.Errorf("no encoder: data %q", d)
	}
	if !strings.Contains(r.logs.String(), "cannot encode that") {
		t.Errorf("encode failure not logged")
	}
}

func TestDeliverPath(t *testing.T) {
	tests := []struct {
		name string
		sync bool
	}{{"async", false}, {"sync", true}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := newPlan(
				input("in", inCfg{Deliver: 30}, nil),
				output("out", "TRUE", outCfg{}, nil),
			)
			r := start(t, plan, nil)
			waitFor(t, "messages", func() bool { return getOutput("out").count() == 30 })
			r.stop()
			if got := getOutput("out").payloads(); !slices.Equal(got, seq("d", 30)) {
				t.Errorf("got %q", got)
			}
		})
	}
}

func TestReopenAndTicks(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{}, func(c *pipeline.InputCommon) { c.TickerInterval = 1 }),
		output("ticker", "Type == 'nothing'", outCfg{}, func(o *config.Output) { o.Common.TickerInterval = 1 }),
		output("out", "Type == 'tick'", outCfg{}, nil),
	)
	r := startWith(t, plan, nil, func(e *Engine) {
		e.inputs[0].tick = time.Millisecond
		e.outputs[0].tick = time.Millisecond
	})
	r.e.Reopen()
	waitFor(t, "reopen", func() bool { return getOutput("out").reopens.Load() == 1 })
	waitFor(t, "injected ticks", func() bool { return getOutput("out").count() >= 3 })
	waitFor(t, "input ticks", func() bool { return r.e.inputs[0].plugin().(*tickInput).ticks.Load() >= 3 })
	r.stop()
	for _, m := range getOutput("out").records() {
		if m.payload != "ticker" || m.loop != 1 || m.hostname != "testhost" || len(m.uuid) != 16 {
			t.Fatalf("tick message %+v", m)
		}
	}
	if n := getOutput("ticker").reopens.Load(); n != 1 {
		t.Errorf("second output reopened %d times, want 1", n)
	}
}

func TestBuildErrors(t *testing.T) {
	plan := newPlan(
		input("in", inCfg{}, func(c *pipeline.InputCommon) { c.Splitter = "nosuch"; c.Decoder = "nodec" }),
		config.Input{Section: section[inCfg]("plain", "TestNoTickInput", nil), Common: func() pipeline.InputCommon {
			c := pipeline.DefaultInputCommon()
			c.Splitter = "line"
			c.TickerInterval = 5
			return c
		}()},
		filter("f", "", filtCfg{}, nil),
		filter("f2", "TRUE", filtCfg{}, func(c *pipeline.FilterCommon) { c.TickerInterval = 1 }),
		output("o", "bogus matcher", outCfg{}, func(o *config.Output) { o.Common.Encoder = "noenc" }),
		output("o", "TRUE", outCfg{}, nil),
	)
	_, err := New(plan, Options{CompileMatcher: testMatcher})
	if err == nil {
		t.Fatal("New succeeded")
	}
	for _, want := range []string{
		`[in] (TestReaderInput): splitter "nosuch": no such splitter section`,
		`decoder "nodec": no such decoder section`,
		`[plain] (TestNoTickInput): 'plain' can't support a ticker_interval setting`,
		`[f] (TestFilter): 'f' missing message matcher`,
		`[f2] (TestFilter): 'f2' can't support a ticker_interval setting`,
		`can't create message matcher for 'o': bad term "bogus matcher"`,
		`encoder "noenc": no such encoder section`,
		`[o] (TestOutput): duplicate plugin name`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestRealMatcherAndPassthrough(t *testing.T) {
	var raws [][]byte
	for i, typ := range []string{"pb", "other", "pb"} {
		m := new(message.Message)
		m.SetNewUUID()
		m.SetTimestamp(int64(1000 + i))
		m.SetType(typ)
		m.SetSeverity(3)
		m.SetPayload(fmt.Sprintf("p%d", i))
		f, _ := message.NewField("n", int64(i), "count")
		m.AddField(f)
		raws = append(raws, m.Marshal())
	}
	plan := newPlan(
		input("in", inCfg{Raw: raws}, func(c *pipeline.InputCommon) { c.Decoder = "pbdec" }),
		output("out", "Type == 'pb' && Severity == 3 && Fields[n] < 5", outCfg{}, func(o *config.Output) { o.Common.Encoder = "pbenc" }),
		output("framed", "TRUE", outCfg{}, func(o *config.Output) { o.Common.Encoder = "pbenc"; o.UseFraming = true }),
	)
	r := start(t, plan, func(o *Options) { o.CompileMatcher = nil })
	waitFor(t, "messages", func() bool { return getOutput("out").count() == 2 && getOutput("framed").count() == 3 })
	r.stop()
	got := getOutput("out").records()
	for i, want := range [][]byte{raws[0], raws[2]} {
		if !bytes.Equal(got[i].data, want) {
			t.Errorf("record %d not passed through byte for byte", i)
		}
	}
	for i, rec := range getOutput("framed").records() {
		want, _ := message.AppendFrame(nil, raws[i], nil, 0)
		if !bytes.Equal(rec.data, want) {
			t.Errorf("framed record %d differs", i)
		}
	}
}

// TestParallelDecodeKeepsOrder decodes one stream with three decoder
// instances (decoder_workers) and checks every message arrives, in the
// stream's order, including failed records sent on.
func TestParallelDecodeKeepsOrder(t *testing.T) {
	var data strings.Builder
	var want []string
	for i := range 5000 {
		line, decoded := fmt.Sprintf("k:%d", i), fmt.Sprint(i) // the test decoder keeps what follows the colon
		if i%97 == 0 {
			line = fmt.Sprintf("broken%d", i)
			decoded = line
		}
		data.WriteString(line + "\n")
		want = append(want, decoded)
	}
	plan := newPlan(
		input("in", inCfg{Data: data.String()}, func(c *pipeline.InputCommon) {
			c.Decoder = "dec"
			c.DecoderWorkers = 3
			c.LogDecodeFailures = false
			c.SendDecodeFailures = true
		}),
		output("out", "TRUE", outCfg{}, nil),
	)
	r := start(t, plan, nil)
	waitFor(t, "every message", func() bool { return getOutput("out").count() == len(want) })
	r.stop()
	for i, rec := range getOutput("out").records() {
		if got := strings.TrimSuffix(rec.payload, "\n"); got != want[i] {
			t.Fatalf("message %d is %q, want %q", i, got, want[i])
		}
	}
}
