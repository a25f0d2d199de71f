package logstreamer

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed LogstreamerInput.toml
var sample string

func init() {
	pipeline.RegisterInput("LogstreamerInput", DefaultConfig, newInput, pipeline.WithSample(sample))
}

// Config is the configuration of LogstreamerInput (Heka's options).
type Config struct {
	// Hostname is the Hostname of the messages ("" = hekad's hostname).
	Hostname string `toml:"hostname"`
	// LogDirectory is the root of the tree searched for log files.
	LogDirectory string `toml:"log_directory"`
	// JournalDirectory holds one seek journal per stream ("" =
	// base_dir/logstreamer).
	JournalDirectory string `toml:"journal_directory"`
	// FileMatch is the regular expression (with named captures) a file's
	// path under log_directory must match; "$" is appended.
	FileMatch string `toml:"file_match"`
	// Priority orders a stream's files by captures, oldest first; "^"
	// before a name reverses its order.
	Priority []string `toml:"priority"`
	// Differentiator builds the stream name from captures and literal
	// strings ([] = the plugin name: one stream).
	Differentiator []string `toml:"differentiator"`
	// Translation maps capture values to sort values, per capture.
	Translation map[string]map[string]int `toml:"translation"`
	// OldestDuration leaves out files not modified within it (0 = none).
	OldestDuration pipeline.Duration `toml:"oldest_duration"`
	// RescanInterval is the time between scans for new files and streams.
	RescanInterval pipeline.Duration `toml:"rescan_interval"`
	// CheckDataInterval is how often a stream at the end of its file
	// looks for new data and rotation.
	CheckDataInterval pipeline.Duration `toml:"check_data_interval"`
	// InitialTail starts a stream without a journal at the end of its
	// newest file instead of the start of its oldest.
	InitialTail bool `toml:"initial_tail"`
	// JournalInterval is the least time, in milliseconds, between two
	// writes of a stream's journal (a hekad option).
	JournalInterval pipeline.Millis `toml:"journal_interval"`
}

// DefaultConfig returns Heka's defaults.
func DefaultConfig() Config {
	return Config{
		LogDirectory:      "/var/log",
		OldestDuration:    pipeline.Duration(720 * time.Hour),
		RescanInterval:    pipeline.Duration(time.Minute),
		CheckDataInterval: pipeline.Duration(250 * time.Millisecond),
		JournalInterval:   1000,
	}
}

// DefaultInputCommon makes TokenSplitter the default splitter.
func (*Config) DefaultInputCommon(c *pipeline.InputCommon) { c.Splitter = "TokenSplitter" }

// Validate checks the options; errors name the key.
func (c *Config) Validate() error {
	if c.FileMatch == "" {
		return errors.New("file_match: required")
	}
	if c.LogDirectory == "" {
		return errors.New("log_directory: required")
	}
	if c.RescanInterval <= 0 {
		return errors.New("rescan_interval: must be positive")
	}
	if c.CheckDataInterval <= 0 {
		return errors.New("check_data_interval: must be positive")
	}
	if c.OldestDuration < 0 {
		return errors.New("oldest_duration: must not be negative")
	}
	if c.JournalInterval == 0 {
		return errors.New("journal_interval: must be at least 1 ms")
	}
	_, err := NewMatcher(*c, "x")
	return err
}

// Input is LogstreamerInput.
type Input struct {
	cfg           Config
	name          string
	hostname      string
	journalDir    string
	checkInterval time.Duration
	matcher       *Matcher
	log           *slog.Logger

	mu      sync.Mutex
	streams map[string]*stream

	nstreams atomic.Int64
}

func newInput(cfg Config, env *pipeline.Env) (pipeline.Input, error) {
	m, err := NewMatcher(cfg, env.Name())
	if err != nil {
		return nil, err
	}
	in := &Input{
		cfg:           cfg,
		name:          env.Name(),
		hostname:      cfg.Hostname,
		journalDir:    cfg.JournalDirectory,
		checkInterval: cfg.CheckDataInterval.Duration(),
		matcher:       m,
		log:           env.Logger(),
	}
	if in.hostname == "" {
		in.hostname = env.Hostname()
	}
	if in.journalDir == "" {
		in.journalDir = env.BaseDir("logstreamer")
	}
	if in.log == nil {
		in.log = slog.Default()
	}
	return in, nil
}

// Streams returns the names of the streams found so far.
func (in *Input) Streams() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var names []string
	for n := range in.streams {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Run scans for streams at start and every rescan_interval, reads each in
// its own goroutine until ctx is done, and writes the journals every
// journal_interval and when it returns.
func (in *Input) Run(ctx context.Context, host pipeline.InputHost) error {
	if err := os.MkdirAll(in.journalDir, 0o755); err != nil {
		return fmt.Errorf("journal_directory: %w", err)
	}
	in.mu.Lock()
	in.streams = map[string]*stream{}
	in.mu.Unlock()
	var wg sync.WaitGroup
	lastScanErr := ""
	scan := func() {
		all, err := in.matcher.Scan()
		if err != nil && err.Error() != lastScanErr {
			in.log.Error("scanning log_directory", "log_directory", in.cfg.LogDirectory, "err", err)
		}
		lastScanErr = ""
		if err != nil {
			lastScanErr = err.Error()
		}
		in.mu.Lock()
		defer in.mu.Unlock()
		for name, files := range all {
			if s, ok := in.streams[name]; ok {
				s.setFiles(files)
				continue
			}
			s := &stream{name: name, in: in, log: in.log, journal: journalPath(in.journalDir, name), ctx: ctx, files: files}
			in.streams[name] = s
			in.nstreams.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				in.runStream(ctx, host, s)
			}()
		}
	}
	scan()
	rescan := time.NewTicker(in.cfg.RescanInterval.Duration())
	defer rescan.Stop()
	journal := time.NewTicker(in.cfg.JournalInterval.Duration())
	defer journal.Stop()
	flushAll := func(sync bool) {
		in.mu.Lock()
		ss := make([]*stream, 0, len(in.streams))
		for _, s := range in.streams {
			ss = append(ss, s)
		}
		in.mu.Unlock()
		for _, s := range ss {
			if err := s.flush(sync); err != nil {
				in.log.Error("cannot write the seek journal", "stream", s.name, "err", err)
			}
		}
	}
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-rescan.C:
			scan()
		case <-journal.C:
			flushAll(true)
		}
	}
	wg.Wait()
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, s := range in.streams {
		if err := s.stop(); err != nil {
			in.log.Error("cannot write the seek journal", "stream", s.name, "err", err)
		}
	}
	return nil
}

// runStream streams s until ctx is done.
func (in *Input) runStream(ctx context.Context, host pipeline.InputHost, s *stream) {
	for {
		src := pipeline.Source{
			Name:     s.name,
			Type:     "logfile",
			Logger:   s.name,
			Hostname: in.hostname,
			Offset:   s.vpos,
			Commit:   s.commit,
		}
		err := host.Stream(ctx, s, src)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			in.log.Error("stream failed; going on after what was read", "stream", s.name, "err", err)
		}
		t := time.NewTimer(in.checkInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Report adds the number of streams to the plugin's report.
func (in *Input) Report() []pipeline.ReportField {
	return []pipeline.ReportField{{Name: "Streams", Value: in.nstreams.Load(), Representation: "count"}}
}

var (
	_ pipeline.Input                = (*Input)(nil)
	_ pipeline.Reporter             = (*Input)(nil)
	_ pipeline.Validator            = (*Config)(nil)
	_ pipeline.InputCommonDefaulter = (*Config)(nil)
)
