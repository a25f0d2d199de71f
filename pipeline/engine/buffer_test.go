package engine

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// bufferedPlan returns a plan whose base_dir is a fresh directory.
func bufferedPlan(t *testing.T, plugins ...any) *config.Plan {
	dir := t.TempDir()
	return newPlan(append(plugins, func(p *config.Plan) { p.Globals.BaseDir = dir })...)
}

// TestBufferedFilter: a filter with use_buffering gets every message
// through its disk queue, and a shutdown, even one that starts while
// messages are on their way, lets it process everything already read
// (its injections included) before it is stopped.
func TestBufferedFilter(t *testing.T) {
	for _, tc := range []struct {
		name      string
		stopEarly bool
	}{
		{"input ends", false},
		{"shutdown mid-stream", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 3000
			plan := bufferedPlan(t,
				input("in", inCfg{Data: lines("m", n)}, nil),
				filter("f", "Type != 'derived'", filtCfg{InjectType: "derived"}, func(c *pipeline.FilterCommon) {
					c.UseBuffering = true
					c.TickerInterval = 0
				}),
				output("out", "Type == 'derived'", outCfg{}, nil),
			)
			r := start(t, plan, nil)
			if tc.stopEarly {
				waitFor(t, "routing started", func() bool { return r.e.router.processed.Load() > 0 })
			} else {
				waitFor(t, "every derived message", func() bool { return getOutput("out").count() == n })
			}
			if err := r.stop(); err != nil {
				t.Fatalf("Run: %v\n%s", err, r.logs.String())
			}
			st := r.e.Stats()
			seen := getFilter("f").seen.Load()
			got := int64(getOutput("out").count())
			if errs := getFilter("f").errors(); len(errs) > 0 {
				t.Errorf("filter errors: %v", errs[0])
			}
			// Received counts the originals and the derived messages.
			if st.Lost != 0 || st.InFlight != 0 || seen == 0 || got != seen || st.Received != 2*seen {
				t.Errorf("filter saw %d, output got %d; figures %+v", seen, got, st)
			}
			if !tc.stopEarly && seen != n {
				t.Errorf("filter saw %d of %d", seen, n)
			}
		})
	}
}

// TestBufferedPluginFailureStopsHekad: a buffered output whose plugin
// stops with a fatal error stops hekad (can_exit = false) at once, and
// what the router hands it meanwhile is queued, not lost.
func TestBufferedPluginFailureStopsHekad(t *testing.T) {
	const n = 2000
	plan := bufferedPlan(t,
		input("in", inCfg{Data: lines("m", n)}, nil),
		output("out", "TRUE", outCfg{FailOn: "m10"}, func(o *config.Output) { o.Common.UseBuffering = true }),
	)
	r := start(t, plan, nil)
	err := r.wait()
	if err == nil || !strings.Contains(err.Error(), "output gave up") {
		t.Fatalf("Run: %v, want the output's error", err)
	}
	st := r.e.Stats()
	if st.Lost != 0 || st.Received != st.Delivered+st.Queued+st.Dropped {
		t.Errorf("figures %+v: want nothing lost (the failed record stays queued)", st)
	}
}

// TestBufferedDiskFull: with full_action "block", a disk queue on a file
// system that fills up waits for room and appends again what the failed
// writes and fsyncs discarded: every message is delivered once the output
// catches up, none is lost. It needs a real full file system: a small tmpfs,
// which only root can mount.
func TestBufferedDiskFull(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=256k"); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root): %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, 0) })
	const n = 12000 // about 1.5 MB of records: six times the file system
	plan := newPlan(
		input("in", inCfg{Data: lines(strings.Repeat("x", 100), n)}, nil),
		output("out", "TRUE", outCfg{Block: true}, func(o *config.Output) {
			o.Common.UseBuffering = true
			o.Common.Buffering.FullAction = "block"
			o.Common.Buffering.MaxFileSize = 32 << 10
		}),
		func(p *config.Plan) { p.Globals.BaseDir = dir; p.Globals.MaxMessageSize = 4096 },
	)
	r := start(t, plan, nil)
	waitFor(t, "the disk to fill", func() bool { return strings.Contains(r.logs.String(), "disk queue full") })
	getOutput("out").release()
	defer func() {
		if t.Failed() {
			t.Logf("got %d; logs:\n%s", getOutput("out").count(), r.logs.String())
		}
	}()
	waitFor(t, "every message", func() bool { return getOutput("out").count() == n })
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	st := r.e.Stats()
	if st.Lost != 0 || st.Received != n {
		t.Errorf("figures %+v, want %d received and nothing lost", st, n)
	}
	for i, p := range getOutput("out").payloads() {
		if want := fmt.Sprintf("%s%d", strings.Repeat("x", 100), i); p != want {
			t.Fatalf("record %d is %q, want %q (order or duplicates)", i, p, want)
		}
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
}

// batchOutput is a TestOutput that also takes batches: each batch is
// recorded whole, and the first RetryWrites batches fail with ErrRetry.
type batchOutput struct {
	*testOutput
	mu      sync.Mutex
	batches []int
	failed  int
}

func (b *batchOutput) WriteBatch(_ context.Context, data []byte, ends []int) error {
	n := len(ends)
	if b.cfg.Delay > 0 {
		time.Sleep(b.cfg.Delay) // a slow output: the router queues batches meanwhile
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failed < b.cfg.RetryWrites {
		b.failed++
		return fmt.Errorf("batch refused: %w", pipeline.ErrRetry)
	}
	b.batches = append(b.batches, n)
	// The test encoder writes each payload, framing off: split on the
	// newline the payloads end with.
	for _, pl := range strings.SplitAfter(string(data), "\n") {
		if pl != "" {
			b.testOutput.mu.Lock()
			b.got = append(b.got, rec{payload: strings.TrimSuffix(pl, "\n")})
			b.testOutput.mu.Unlock()
		}
	}
	return nil
}

// lineEncoder encodes the payload and a newline.
type lineEncoder struct{}

func (lineEncoder) Encode(dst []byte, p *pipeline.Pack) ([]byte, error) {
	return append(append(dst, p.Message().GetPayload()...), '\n'), nil
}

// lastBatchOutput is the TestBatchOutput built last.
var lastBatchOutput *batchOutput

func init() {
	pipeline.RegisterEncoder("TestLineEncoder", func() struct{} { return struct{}{} }, func(struct{}, *pipeline.Env) (pipeline.Encoder, error) {
		return lineEncoder{}, nil
	})
	pipeline.RegisterOutput("TestBatchOutput", func() outCfg { return outCfg{} }, func(c outCfg, env *pipeline.Env) (pipeline.Output, error) {
		o, _ := newTestOutput(c, env)
		b := &batchOutput{testOutput: o.(*testOutput)}
		instMu.Lock()
		lastBatchOutput = b
		instMu.Unlock()
		return b, nil
	})
}

// TestBufferedBatches: a buffered output that takes batches gets what its
// queue has ready in few writes, every record once and in order, and a
// batch that fails with ErrRetry is sent again whole.
func TestBufferedBatches(t *testing.T) {
	const n = 5000
	r := runBatchOutput(t, n, true, func(c *outCfg) { c.RetryWrites = 2 })
	st := r.e.Stats()
	if st.Lost != 0 || st.Queued != n {
		t.Errorf("figures %+v", st)
	}
	instMu.Lock()
	b := lastBatchOutput
	instMu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.batches) >= n/2 || b.failed != 2 {
		t.Errorf("%d batches for %d records, %d refused: want few batches and 2 refused", len(b.batches), n, b.failed)
	}
	t.Logf("%d batches", len(b.batches))
}

// TestUnbufferedBatchesJoined: an unbuffered output that takes batches and
// writes slowly gets the router's batches that queued up behind a write
// joined into one larger write, every record once and in order, each
// counted as delivered.
func TestUnbufferedBatchesJoined(t *testing.T) {
	const n = 5000
	r := runBatchOutput(t, n, false, func(c *outCfg) { c.Delay = 2 * time.Millisecond })
	if st := r.e.Stats(); st.Lost != 0 || st.Delivered != n {
		t.Errorf("figures %+v, want %d delivered", st, n)
	}
	instMu.Lock()
	b := lastBatchOutput
	instMu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	if largest := slices.Max(b.batches); largest <= r.e.batchSize {
		t.Errorf("largest write %d records: the router's batches (at most %d) were not joined", largest, r.e.batchSize)
	}
}

// runBatchOutput runs n lines through a TestBatchOutput (buffered or not,
// its options set by opts) until it has all of them, stops the engine and
// checks that each came once and in order.
func runBatchOutput(t *testing.T, n int, buffered bool, opts func(*outCfg)) *running {
	t.Helper()
	plan := bufferedPlan(t,
		input("in", inCfg{Data: lines("m", n)}, nil),
		output("out", "TRUE", outCfg{}, func(o *config.Output) {
			o.Section = section[outCfg]("out", "TestBatchOutput", opts)
			o.Common.UseBuffering = buffered
			o.Common.Encoder = "nl"
		}),
		func(p *config.Plan) {
			p.Encoders = append(p.Encoders, section[struct{}]("nl", "TestLineEncoder", nil))
		},
	)
	r := start(t, plan, nil)
	out := getOutput("out")
	waitFor(t, "every message", func() bool { return out.count() == n })
	if err := r.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	for i, p := range out.payloads() {
		if want := fmt.Sprintf("m%d", i); p != want {
			t.Fatalf("record %d is %q, want %q", i, p, want)
		}
	}
	return r
}
