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
	// DrainTimeout bounds the whole shutdown (0 = 30s). When it expires,
	// whatever is still queued is counted as lost and Run returns.
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
	filters []*sink
	outputs []*sink
	router  *router

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
	stopOnce  sync.Once
	abortOnce sync.Once

	started  atomic.Bool
	stopping atomic.Bool

	failMu  sync.Mutex
	failErr error

	checkOnly bool // decoders that can check records only check them (nothingReadsMessages)

	lost     atomic.Int64 // messages dropped because of shutdown or exits
	overflow atomic.Int64 // extra inject packs allocated
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
	}
	e.chanSize = max(2, (g.PluginChanSize+e.batchSize-1)/e.batchSize)
	if err := e.build(plan); err != nil {
		return nil, err
	}
	e.checkOnly = e.nothingReadsMessages()
	e.inputPool = pipeline.NewPool("input", g.PoolSize, packBufSize)
	e.injectPool = pipeline.NewPool("inject", g.PoolSize, packBufSize)
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
	for _, s := range e.filters {
		e.grp.Go(&e.filtersWG, s.run)
		s.log.Info("filter started")
	}
	e.grp.Go(&e.routerWG, e.router.run)
	e.grp.Go(&e.auxWG, e.diagnostics)
	e.grp.Go(&e.auxWG, e.watchdog)
	for _, ir := range e.inputs {
		e.grp.Go(&e.inputsWG, ir.run)
		if ir.tick > 0 {
			e.grp.Go(&e.inputsWG, ir.ticker)
		}
		ir.log.Info("input started")
	}

	select {
	case <-ctx.Done():
	case <-e.stopCh:
	}
	e.shutdown()
	return e.err()
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

// shutdown stops the stages in data-flow order.
func (e *Engine) shutdown() {
	e.stopping.Store(true)
	e.log.Info("shutdown initiated")
	timer := time.AfterFunc(e.opts.DrainTimeout, func() {
		e.abortOnce.Do(func() {
			e.log.Error("shutdown: drain time is up; dropping what is still queued", "drain_timeout", e.opts.DrainTimeout)
			close(e.abort)
			e.cancelRun()
		})
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
	e.router.closeFilters()
	e.wait(&e.filtersWG, "filters")
	e.router.stop()
	e.wait(&e.routerWG, "router")
	e.wait(&e.outputsWG, "outputs")

	close(e.done)
	e.cancelRun()
	if !e.waitFor(&e.grp.all, time.Second) {
		e.log.Error("shutdown: some plugins did not return; their goroutines are left behind")
	}
	if n := e.lost.Load(); n > 0 {
		e.log.Error(fmt.Sprintf("shutdown: %d messages lost", n))
	} else {
		e.log.Info("shutdown: 0 messages lost")
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
