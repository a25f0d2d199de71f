package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	metrics "github.com/rcrowley/go-metrics"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// Options tune an Engine. The zero value is ready to use.
type Options struct {
	// Logger receives hekad's own log lines (nil = discard).
	Logger *slog.Logger
	// Metrics is the registry plugins' metrics are registered in (nil = a
	// fresh one).
	Metrics metrics.Registry
	// CompileMatcher compiles message_matcher expressions (nil =
	// DefaultMatcher).
	CompileMatcher MatcherFunc
	// BatchSize is the most packs handed between stages in one channel
	// operation (0 = automatic: at most 64 and a quarter of poolsize).
	BatchSize int
	// DrainTimeout bounds the whole shutdown (0 = the [hekad]
	// shutdown_timeout). When it expires, whatever is still queued is
	// counted as lost and Run returns.
	DrainTimeout time.Duration
	// DiagInterval is the period of the idle-pack diagnostics (0 = 30s, as
	// Heka).
	DiagInterval time.Duration
	// StuckAfter is how long one plugin call may run, while messages wait
	// for that plugin, before the watchdog names it in the log (0 = 30s).
	StuckAfter time.Duration
	// InjectWait is how long Injector.NewPack waits for the inject pool
	// before it allocates an extra pack to keep filters that inject into
	// each other from deadlocking (0 = 1s). See docs/locks.md.
	InjectWait time.Duration
	// SpawnWait is how long Pack.Spawn waits for the input pool before it
	// borrows a pack beyond it, so that a decoder that makes several
	// messages of one record never waits on packs only its own progress
	// frees (0 = 20ms). Borrowed packs are counted (Pool.Borrows).
	SpawnWait time.Duration
	// ReportInterval is how often the engine routes heka.all-report and
	// heka.memstat messages (0 = the [hekad] report_interval; negative =
	// never).
	ReportInterval time.Duration
	// ProbeWait is how long AbortIfWedged waits for the router to answer
	// before it calls it wedged (0 = 1s, as Heka).
	ProbeWait time.Duration
}

func (o *Options) setDefaults(g *pipeline.Globals) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Metrics == nil {
		o.Metrics = metrics.NewRegistry()
	}
	if o.CompileMatcher == nil {
		o.CompileMatcher = DefaultMatcher
	}
	if o.BatchSize <= 0 {
		o.BatchSize = min(defaultBatchSize, max(1, g.PoolSize/4))
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 30 * time.Second
	}
	if o.DiagInterval <= 0 {
		o.DiagInterval = 30 * time.Second
	}
	if o.StuckAfter <= 0 {
		o.StuckAfter = 30 * time.Second
	}
	if o.InjectWait <= 0 {
		o.InjectWait = time.Second
	}
	if o.SpawnWait <= 0 {
		o.SpawnWait = 20 * time.Millisecond
	}
	if o.ReportInterval == 0 {
		o.ReportInterval = g.ReportInterval.Duration()
	}
	if o.ProbeWait <= 0 {
		o.ProbeWait = time.Second
	}
}

// Engine runs one pipeline. Build it with New, run it once with Run.
type Engine struct {
	g         pipeline.Globals
	opts      Options
	log       *slog.Logger
	batchSize int
	maxRecord int
	chanSize  int // capacity, in batches, of the channels between stages
	hostname  string
	pid       int32

	inputPool  *pipeline.Pool
	injectPool *pipeline.Pool

	inputs  []*inputRunner
	outputs []*sink
	// filters are the running filters, in the order they were added;
	// guarded by sinksMu once Run has started (AddFilter, RemoveFilter).
	filters []*sink
	// retired are the figures of the filters RemoveFilter removed and of
	// the added filters that exited (under sinksMu), kept for the totals.
	retired counts
	// adding are the filters AddFilter built that the router has not yet
	// admitted or refused (under sinksMu): their names are taken.
	adding   []*sink
	sinksMu  sync.Mutex
	router   *router
	sections planSections     // what plugins may build with Env.Build
	shared   *pipeline.Shared // where the plugins meet (Env.Shared)

	grp                                               group
	inputsWG, decodersWG, filtersWG, outputsWG, auxWG sync.WaitGroup
	routerWG                                          sync.WaitGroup

	inCtx     context.Context // inputs: cancelled when shutdown starts
	cancelIn  context.CancelFunc
	runCtx    context.Context // everything else: cancelled on abort
	cancelRun context.CancelFunc
	abort     chan struct{} // closed when the drain time is up
	done      chan struct{} // closed when Run is about to return
	stopCh    chan struct{} // closed to ask for shutdown
	routerOut chan struct{} // closed when the router goroutine has returned
	stopOnce  sync.Once
	abortOnce sync.Once

	started  atomic.Bool
	stopping atomic.Bool

	failMu  sync.Mutex
	failErr error

	batches    batches
	deliveries deliveries

	received    atomic.Int64 // messages routed (router goroutine only)
	unmatched   atomic.Int64 // routed messages no matcher took (router goroutine only)
	abandoned   atomic.Int64 // records read but never routed: shutdown gave up on them
	filterBusy  atomic.Int64 // messages handed to filters and not yet processed, plus running ticks
	filterStops atomic.Int64 // filters whose Stop hook has not returned yet at shutdown
	overflow    atomic.Int64 // extra inject packs allocated
}

// New builds every plugin of plan (opening no sockets and starting no
// goroutines) and compiles every matcher. It returns all build errors
// joined, each naming its section.
func New(plan *config.Plan, opts Options) (*Engine, error) {
	if plan == nil {
		return nil, errors.New("engine: nil plan")
	}
	g := plan.Globals
	if err := g.Validate(); err != nil {
		return nil, err
	}
	opts.setDefaults(&g)
	e := &Engine{
		g:         g,
		opts:      opts,
		log:       opts.Logger,
		batchSize: opts.BatchSize,
		maxRecord: message.MaxRecordSize(int(g.MaxMessageSize)),
		hostname:  g.Hostname,
		pid:       int32(os.Getpid()),
		abort:     make(chan struct{}),
		done:      make(chan struct{}),
		stopCh:    make(chan struct{}),
		routerOut: make(chan struct{}),
	}
	e.chanSize = max(2, (g.PluginChanSize+e.batchSize-1)/e.batchSize)
	if err := e.build(plan); err != nil {
		return nil, err
	}
	e.inputPool = pipeline.NewPool("input", g.PoolSize, packBufSize)
	e.injectPool = pipeline.NewPool("inject", g.PoolSize, packBufSize)
	e.inputPool.SetBorrowWait(e.opts.SpawnWait)
	e.router = newRouter(e)
	return e, nil
}

// packBufSize is the initial capacity of a pack's MsgBytes; it grows as
// needed and keeps its capacity across reuse.
const packBufSize = 1024

// Run starts the pipeline (outputs, filters, router, then inputs) and runs
// it until ctx is done or a plugin that may not exit stops. It then shuts
// down in data-flow order: inputs, decoders, filters, outputs, each stage
// drained before the next is closed, within Options.DrainTimeout. Run
// returns nil after a requested shutdown and an error naming the plugin
// when one that may not exit (can_exit = false) died.
func (e *Engine) Run(ctx context.Context) error {
	if !e.started.CompareAndSwap(false, true) {
		return errors.New("engine: Run called twice")
	}
	e.inCtx, e.cancelIn = context.WithCancel(context.Background())
	e.runCtx, e.cancelRun = context.WithCancel(context.Background())
	defer e.cancelIn()
	defer e.cancelRun()

	for _, s := range e.outputs {
		e.grp.Go(&e.outputsWG, s.run)
		s.log.Info("output started")
	}
	for _, s := range e.filterList() {
		e.grp.Go(&e.filtersWG, s.run)
		s.log.Info("filter started")
	}
	e.grp.Go(&e.routerWG, e.runRouter)
	e.grp.Go(&e.auxWG, e.diagnostics)
	e.grp.Go(&e.auxWG, e.reportLoop)
	e.grp.Go(&e.auxWG, e.watchdog)
	e.awaitFilters(ctx)
	for _, ir := range e.inputs {
		ir.ctx, ir.cancel = context.WithCancelCause(e.inCtx)
	}
	for _, ir := range e.inputs {
		e.grp.Go(&e.inputsWG, ir.run)
		if ir.tick > 0 {
			e.grp.Go(&e.inputsWG, ir.ticker)
		}
	}

	select {
	case <-ctx.Done():
	case <-e.stopCh:
	}
	st := e.shutdown()
	if err := e.err(); err != nil {
		return err
	}
	if n := st.Lost + st.Abandoned; n > 0 {
		return fmt.Errorf("%w: %d", ErrLost, n)
	}
	return nil
}

// Done is closed when Run is about to return.
func (e *Engine) Done() <-chan struct{} { return e.done }

// ErrLost is returned by Run when messages were lost: a plugin failed, or
// shutdown gave up waiting for a plugin before it was done.
var ErrLost = errors.New("messages lost")

// Abort gives up on the shutdown now (a second SIGINT/SIGTERM): whatever
// is still queued is counted as lost and Run returns at once, logging what
// it abandons. It starts the shutdown if it has not begun.
func (e *Engine) Abort() {
	e.stop()
	e.giveUp("shutdown aborted")
}

// giveUp ends the drain: blocked sends and waits return and what is
// still queued is counted as lost.
func (e *Engine) giveUp(why string) {
	e.abortOnce.Do(func() {
		st := e.Stats()
		e.log.Error(fmt.Sprintf("%s: abandoning %d messages in flight and %d records not yet routed",
			why, st.InFlight, e.abandoned.Load()))
		close(e.abort)
		e.cancelRun()
		for _, s := range e.sinks() {
			if a, ok := s.plugin.(pipeline.Aborter); ok {
				a.Abort()
			}
		}
	})
}

// fail records err as the reason hekad stops (the first one wins) and
// starts the shutdown.
func (e *Engine) fail(err error) {
	e.failMu.Lock()
	if e.failErr == nil {
		e.failErr = err
	}
	e.failMu.Unlock()
	e.stop()
}

func (e *Engine) err() error {
	e.failMu.Lock()
	defer e.failMu.Unlock()
	return e.failErr
}

// stop asks Run to shut the pipeline down.
func (e *Engine) stop() { e.stopOnce.Do(func() { close(e.stopCh) }) }

// aborting reports whether the drain time is up.
func (e *Engine) aborting() bool {
	select {
	case <-e.abort:
		return true
	default:
		return false
	}
}

// shutdown stops the stages in data-flow order: inputs stop reading, what
// they read is decoded and routed, the router drains the filters (see
// router.drainStep) and then the outputs, which flush. It returns the
// final figures, which it logs in the closing line.
func (e *Engine) shutdown() Stats {
	e.stopping.Store(true)
	e.log.Info("shutdown initiated")
	deadline := time.Now().Add(e.opts.DrainTimeout)
	timer := time.AfterFunc(e.opts.DrainTimeout, func() {
		e.giveUp(fmt.Sprintf("shutdown: drain time (%s) is up", e.opts.DrainTimeout))
	})
	defer timer.Stop()
	e.grp.Close() // no new goroutines from here on

	e.cancelIn()
	clean := e.wait(&e.inputsWG, "inputs")
	clean = e.wait(&e.decodersWG, "decoders") && clean
	if clean {
		// Every sender to the router's input channel has returned.
		close(e.router.in)
	}
	e.wait(&e.routerWG, "router")
	e.wait(&e.filtersWG, "filters")
	e.wait(&e.outputsWG, "outputs")
	e.drained()

	close(e.done)
	e.cancelRun()
	// The plugins get what is left of the drain time to return, at most a
	// second and at least a moment, so that giving up at shutdown_timeout
	// ends hekad at shutdown_timeout, not a second later.
	grace := min(max(time.Until(deadline), 100*time.Millisecond), time.Second)
	if !e.waitFor(&e.grp.all, grace) {
		e.log.Error("shutdown: some plugins did not return; their goroutines are left behind")
	}
	st := e.Stats()
	st.Lost += st.InFlight // nothing more will finish them
	st.InFlight = 0
	line := fmt.Sprintf("shutdown: %d messages received = %d delivered + %d queued + %d dropped (%d unmatched) + %d lost",
		st.Received, st.Delivered, st.Queued, st.Dropped+st.Unmatched, st.Unmatched, st.Lost)
	if st.Buffered > 0 {
		line += fmt.Sprintf("; disk queues hold %d records for the next start", st.Buffered)
	}
	if st.Abandoned > 0 {
		line += fmt.Sprintf("; %d records read but not routed", st.Abandoned)
	}
	if st.Undecoded > 0 {
		line += fmt.Sprintf("; %d records read became no message (their decoder failed or dropped them)", st.Undecoded)
	}
	if st.Lost+st.Abandoned > 0 {
		e.log.Error(line)
	} else {
		e.log.Info(line)
	}
	return st
}

// filterReadyWait bounds how long Run waits for the filters' first
// Connect before it starts the inputs.
const filterReadyWait = 5 * time.Second

// awaitFilters waits until every filter's first Connect returned (a
// SandboxManagerFilter restores the filters it had loaded then), so that
// no message read by an input passes them by; at most filterReadyWait.
func (e *Engine) awaitFilters(ctx context.Context) {
	t := time.NewTimer(filterReadyWait)
	defer t.Stop()
	for _, s := range e.filterList() {
		select {
		case <-s.ready:
		case <-ctx.Done():
			return
		case <-e.stopCh:
			return
		case <-t.C:
			s.log.Warn("the inputs start although this filter is still connecting", "waited", filterReadyWait)
			return
		}
	}
}

// drained tells the inputs that keep something going past their Run
// (pipeline.Drainer) that every record routed is settled.
func (e *Engine) drained() {
	for _, ir := range e.inputs {
		if d, ok := ir.plugin().(pipeline.Drainer); ok {
			if err := guard(func() error { d.Drained(); return nil }); err != nil {
				ir.log.Error("Drained failed", "err", err)
			}
		}
	}
}

// wait waits for wg, or until the drain time is up. It reports whether wg
// finished.
func (e *Engine) wait(wg *sync.WaitGroup, stage string) bool {
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }() // ends with wg; not a pipeline goroutine
	select {
	case <-ch:
		return true
	case <-e.abort:
		e.log.Error("shutdown: " + stage + " did not stop in time")
		return false
	}
}

func (e *Engine) waitFor(wg *sync.WaitGroup, d time.Duration) bool {
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

// unixNow is the coarse clock used for pack stamps (seconds).
func unixNow() int64 { return time.Now().Unix() }
