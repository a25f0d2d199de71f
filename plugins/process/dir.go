package process

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

//go:embed ProcessDirectoryInput.toml
var dirSample string

func init() {
	pipeline.RegisterInput("ProcessDirectoryInput", defaultDirConfig, newDirInput, pipeline.WithSample(dirSample))
}

// DirConfig is the configuration of ProcessDirectoryInput.
type DirConfig struct {
	// ProcessDir is the root of the tree of ProcessInput files, relative to
	// share_dir unless absolute.
	ProcessDir string `toml:"process_dir"`
	// TickerInterval is the time between scans of the tree, in seconds
	// (the common input option).
	TickerInterval pipeline.Seconds `toml:"ticker_interval"`
}

func defaultDirConfig() DirConfig { return DirConfig{ProcessDir: "processes", TickerInterval: 300} }

// DefaultInputCommon makes 300 seconds the default ticker_interval.
func (*DirConfig) DefaultInputCommon(c *pipeline.InputCommon) { c.TickerInterval = 300 }

// Validate checks the options; errors name the key.
func (c *DirConfig) Validate() error {
	if c.ProcessDir == "" {
		return errors.New("process_dir: required")
	}
	if c.TickerInterval == 0 {
		return errors.New("ticker_interval: must be at least 1 second")
	}
	return nil
}

// DirInput is ProcessDirectoryInput: it runs one ProcessInput per file
// <process_dir>/<seconds>/<name>.toml through its own InputHost, and at
// every tick starts, stops and restarts them as files are added, removed
// and changed.
type DirInput struct {
	dir      string
	hostname string
	log      *slog.Logger
	tick     chan struct{}

	mu      sync.Mutex
	running map[string]*managed // by file path
}

// managed is one ProcessInput the directory input runs.
type managed struct {
	data    []byte
	stop    context.CancelFunc
	done    chan struct{}
	running func() bool
}

func newDirInput(cfg DirConfig, env *pipeline.Env) (pipeline.Input, error) {
	return &DirInput{
		dir:      env.ShareDir(cfg.ProcessDir),
		hostname: env.Hostname(),
		log:      env.Logger(),
		tick:     make(chan struct{}, 1),
	}, nil
}

// Tick asks Run to rescan the tree.
func (d *DirInput) Tick(context.Context, pipeline.Injector) error {
	select {
	case d.tick <- struct{}{}:
	default:
	}
	return nil
}

// Running returns the paths of the files whose ProcessInput runs.
func (d *DirInput) Running() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var names []string
	for name, m := range d.running {
		if m.running() {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// Run scans the tree at start and at every tick until ctx is done, then
// stops every ProcessInput (killing their chains) and returns nil. A
// managed ProcessInput with can_exit = false that fails for good ends Run
// with its error.
func (d *DirInput) Run(ctx context.Context, host pipeline.InputHost) error {
	cctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	fatal := make(chan error, 1)
	d.mu.Lock()
	d.running = map[string]*managed{}
	d.mu.Unlock()
	defer func() {
		cancel()
		wg.Wait()
	}()
	for {
		d.rescan(cctx, host, &wg, fatal)
		select {
		case <-ctx.Done():
			return nil
		case err := <-fatal:
			return err
		case <-d.tick:
		}
	}
}

// spec is a ProcessInput file found by a scan.
type spec struct {
	path     string
	interval uint64
	data     []byte
}

// scan lists the ProcessInput files of the tree: *.toml files one level
// under directories named by a number of seconds.
func (d *DirInput) scan() ([]spec, error) {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, err
	}
	var specs []spec
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sec, err := strconv.ParseUint(e.Name(), 10, 32)
		if err != nil {
			continue
		}
		sub := filepath.Join(d.dir, e.Name())
		files, err := os.ReadDir(sub)
		if err != nil {
			d.log.Error("cannot read a process directory", "dir", sub, "err", err)
			continue
		}
		for _, f := range files {
			if f.IsDir() || !strings.HasSuffix(f.Name(), ".toml") {
				continue
			}
			p := filepath.Join(sub, f.Name())
			data, err := os.ReadFile(p)
			if err != nil {
				d.log.Error("cannot read a process file", "file", p, "err", err)
				continue
			}
			specs = append(specs, spec{path: p, interval: sec, data: data})
		}
	}
	return specs, nil
}

// rescan starts, stops and restarts ProcessInputs to match the tree.
func (d *DirInput) rescan(ctx context.Context, host pipeline.InputHost, wg *sync.WaitGroup, fatal chan<- error) {
	specs, err := d.scan()
	if err != nil {
		d.log.Error("cannot scan process_dir, trying again at the next tick", "process_dir", d.dir, "err", err)
		return
	}
	found := map[string]spec{}
	for _, s := range specs {
		found[s.path] = s
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for path, m := range d.running {
		if s, ok := found[path]; ok && bytes.Equal(s.data, m.data) {
			continue
		}
		m.stop()
		<-m.done
		delete(d.running, path)
		d.log.Info("removed", "process", path)
	}
	for path, s := range found {
		if _, ok := d.running[path]; ok {
			continue
		}
		m, err := d.start(ctx, host, wg, fatal, s)
		if err != nil {
			d.log.Error("cannot start a process", "process", path, "err", err)
			// Remember the file so that it is not tried again until it
			// changes.
			done := make(chan struct{})
			close(done)
			m = &managed{data: s.data, stop: func() {}, done: done, running: func() bool { return false }}
		} else {
			d.log.Info("added", "process", path, "ticker_interval", s.interval)
		}
		d.running[path] = m
	}
}

// childConfig decodes a ProcessInput file strictly, as hekad's loader
// decodes a section, with the ticker_interval of its directory.
func childConfig(s spec) (InputConfig, pipeline.InputCommon, error) {
	plan, err := config.LoadBytes(s.path, s.data)
	if err != nil {
		return InputConfig{}, pipeline.InputCommon{}, err
	}
	for _, in := range plan.Inputs {
		if in.Name != "ProcessInput" {
			continue
		}
		cfg, ok := in.Config.(*InputConfig)
		if !ok {
			return InputConfig{}, pipeline.InputCommon{}, fmt.Errorf("%s: [ProcessInput] is of type %s, not ProcessInput", s.path, in.Type)
		}
		if in.Common.Splitter != "NullSplitter" || in.Common.Decoder != "" {
			return InputConfig{}, pipeline.InputCommon{}, fmt.Errorf("%s: [ProcessInput]: splitter and decoder are those of the ProcessDirectoryInput, not set per file", s.path)
		}
		c := *cfg
		c.TickerInterval = pipeline.Seconds(s.interval)
		common := in.Common
		// Managed inputs may exit unless the file says otherwise.
		var raw struct {
			ProcessInput map[string]any
		}
		if _, err := toml.Decode(string(s.data), &raw); err == nil {
			if _, set := raw.ProcessInput["can_exit"]; !set {
				common.CanExit = true
			}
		}
		return c, common, nil
	}
	return InputConfig{}, pipeline.InputCommon{}, fmt.Errorf("%s: no [ProcessInput] section", s.path)
}

// start runs the ProcessInput of s until ctx is done or its stop is
// called, restarting it per its retries options.
func (d *DirInput) start(ctx context.Context, host pipeline.InputHost, wg *sync.WaitGroup, fatal chan<- error, s spec) (*managed, error) {
	cfg, common, err := childConfig(s)
	if err != nil {
		return nil, err
	}
	log := d.log.With("process", s.path)
	build := func() (*Input, error) { return newProcess(cfg, s.path, d.hostname, log) }
	in, err := build()
	if err != nil {
		return nil, err
	}
	cctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	var alive sync.Mutex
	isRunning := true
	m := &managed{data: s.data, stop: stop, done: done, running: func() bool {
		alive.Lock()
		defer alive.Unlock()
		return isRunning
	}}
	wg.Go(func() {
		defer close(done)
		defer func() { alive.Lock(); isRunning = false; alive.Unlock() }()
		err := d.supervise(cctx, host, in, build, cfg.TickerInterval, common, log)
		if err == nil || cctx.Err() != nil {
			return
		}
		if common.CanExit {
			log.Warn("process input stopped; it runs again when its file changes", "err", err)
			return
		}
		select {
		case fatal <- fmt.Errorf("process input %q (can_exit = false) stopped: %w", s.path, err):
		default:
		}
	})
	return m, nil
}

// supervise runs in, ticking it every interval, and rebuilds and runs it
// again after an error wrapping ErrRetry, per retries. It returns nil when
// ctx is done, otherwise the error that ended the input for good.
func (d *DirInput) supervise(ctx context.Context, host pipeline.InputHost, in *Input, build func() (*Input, error),
	interval pipeline.Seconds, common pipeline.InputCommon, log *slog.Logger) error {
	var cur sync.Mutex
	current := in
	if interval > 0 {
		t := time.NewTicker(interval.Duration())
		stop := make(chan struct{})
		var tw sync.WaitGroup
		defer tw.Wait()
		defer close(stop)
		tw.Go(func() {
			defer t.Stop()
			for {
				select {
				case <-t.C:
					cur.Lock()
					c := current
					cur.Unlock()
					c.Tick(ctx, nil)
				case <-stop:
					return
				}
			}
		})
	}
	r := common.Retries
	delay := r.Delay.Duration()
	for attempt := 1; ; attempt++ {
		err := in.Run(ctx, host)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			return errors.New("Run exited")
		}
		log.Error("process input failed", "err", err)
		if !errors.Is(err, pipeline.ErrRetry) || (r.MaxRetries >= 0 && attempt > r.MaxRetries) {
			return err
		}
		wait := delay
		if j := r.MaxJitter.Duration(); j > 0 {
			wait += rand.N(j)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-timer.C:
		}
		delay = min(2*delay, max(r.MaxDelay.Duration(), delay))
		log.Info(fmt.Sprintf("Restarting (attempt %d/%d)", attempt, r.MaxRetries))
		if in, err = build(); err != nil {
			return err
		}
		cur.Lock()
		current = in
		cur.Unlock()
	}
}

var (
	_ pipeline.Input                = (*DirInput)(nil)
	_ pipeline.Ticker               = (*DirInput)(nil)
	_ pipeline.Validator            = (*DirConfig)(nil)
	_ pipeline.InputCommonDefaulter = (*DirConfig)(nil)
)
