package pipeline

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// Globals are the options of the [hekad] section, with Heka's names.
type Globals struct {
	// Maxprocs sets GOMAXPROCS. 0 (our default; Heka used 1) leaves Go's
	// default of one per CPU.
	Maxprocs int `toml:"maxprocs"`
	// PoolSize is the number of packs in each of the input and inject pools:
	// it bounds the messages in flight and so the memory they hold. Packs
	// are allocated on demand, so a large pool costs nothing until traffic
	// fills it; at most PoolSizeLimit (a hekad bound: Heka had none).
	PoolSize int `toml:"poolsize"`
	// PluginChanSize is the capacity of the channels between stages; at most
	// PluginChanSizeLimit (a hekad bound: Heka had none).
	PluginChanSize int `toml:"plugin_chansize"`
	// MaxMessageLoops is how often a message may be re-injected by filters
	// (0 means 1); at most MaxMessageLoopsLimit (a hekad bound: Heka had
	// none).
	MaxMessageLoops uint `toml:"max_message_loops"`
	// MaxProcessInject is the most messages a sandbox filter may inject per
	// process_message call; at most MaxInjectLimit (a hekad bound: Heka had
	// none).
	MaxProcessInject uint `toml:"max_process_inject"`
	// MaxProcessDuration (ns) is the slow-sandbox threshold (not a timeout).
	MaxProcessDuration uint64 `toml:"max_process_duration"`
	// MaxTimerInject is the most messages a sandbox may inject per
	// timer_event; at most MaxInjectLimit (a hekad bound: Heka had none).
	MaxTimerInject uint `toml:"max_timer_inject"`
	// MaxPackIdle is how long a pack may stay with one plugin before the
	// idle-pack diagnostics report it.
	MaxPackIdle Duration `toml:"max_pack_idle"`
	// BaseDir holds hekad's writable state; created at start.
	BaseDir string `toml:"base_dir"`
	// ShareDir holds read-only resources (Lua modules, dashboards).
	ShareDir string `toml:"share_dir"`
	// SampleDenominator: one in this many matches is timed.
	SampleDenominator int `toml:"sample_denominator"`
	// PidFile, when set, receives hekad's pid; a live pid in it stops start-up.
	PidFile string `toml:"pid_file"`
	// Hostname is stamped on messages hekad makes; default os.Hostname().
	Hostname string `toml:"hostname"`
	// CPUProf names a file for a CPU profile of the whole run.
	CPUProf string `toml:"cpuprof"`
	// MemProf names a file for a heap profile written at exit.
	MemProf string `toml:"memprof"`
	// MaxMessageSize is the largest message accepted or produced, in bytes
	// (0 means 64 KiB). It must be more than 1024 and, a hekad bound that
	// Heka did not have, at most MaxMessageSizeLimit (256 MiB).
	MaxMessageSize uint32 `toml:"max_message_size"`
	// LogFlags are the Go log flags of hekad's own log lines (3 = date and time).
	LogFlags int `toml:"log_flags"`
	// FullBufferMaxRetries bounds the start-up wait for a nearly full disk buffer.
	FullBufferMaxRetries uint32 `toml:"full_buffer_max_retries"`
	// ShutdownTimeout bounds the whole shutdown (default 30s): once it has
	// passed, what is still queued is dropped, counted as lost, and hekad
	// exits. A hekad extension (Heka had no such option); more than 0 and at
	// most ShutdownTimeoutLimit.
	ShutdownTimeout Duration `toml:"shutdown_timeout"`
	// ReportInterval, in seconds, is how often hekad routes a
	// heka.all-report message and a heka.memstat message (the figures of
	// the SIGUSR1 report), as Heka's DashboardOutput asked it to every
	// ticker_interval. A hekad extension; 0 (the default) routes none, as
	// Heka without a dashboard. At most ReportIntervalLimit.
	ReportInterval Seconds `toml:"report_interval"`
}

// Upper bounds of the [hekad] options. Heka had none; a value past them is a
// configuration error rather than a daemon that exhausts the machine.
const (
	// PoolSizeLimit bounds poolsize. Each of the two pools holds at most this
	// many packs, and each pack can hold a message of max_message_size.
	PoolSizeLimit = 1_000_000
	// PluginChanSizeLimit bounds plugin_chansize.
	PluginChanSizeLimit = 100_000
	// MaxMessageSizeLimit bounds max_message_size (256 MiB): a message is
	// held whole in memory, and several at once per stream.
	MaxMessageSizeLimit = 256 << 20
	// MaxMessageLoopsLimit bounds max_message_loops. The limit is what stops
	// filters that inject into each other from looping forever; real chains
	// are a few filters deep.
	MaxMessageLoopsLimit = 255
	// MaxInjectLimit bounds max_process_inject and max_timer_inject. A
	// filter starved of inject packs gets extra ones allocated (so that
	// injecting filters cannot deadlock), so this bounds what one call can
	// allocate.
	MaxInjectLimit = 10_000
	// ShutdownTimeoutLimit bounds shutdown_timeout.
	ShutdownTimeoutLimit = time.Hour
	// ReportIntervalLimit bounds report_interval, in seconds (one day).
	ReportIntervalLimit = 86400
)

// DefaultGlobals returns Heka 0.10's hekad defaults.
func DefaultGlobals() Globals {
	host, _ := os.Hostname()
	return Globals{
		Maxprocs:             0,
		PoolSize:             100,
		PluginChanSize:       30,
		MaxMessageLoops:      4,
		MaxProcessInject:     1,
		MaxProcessDuration:   100000,
		MaxTimerInject:       10,
		MaxPackIdle:          Duration(2 * time.Minute),
		BaseDir:              "/var/cache/hekad",
		ShareDir:             "/usr/share/heka",
		SampleDenominator:    1000,
		Hostname:             host,
		MaxMessageSize:       64 * 1024,
		LogFlags:             3,
		FullBufferMaxRetries: 10,
		ShutdownTimeout:      Duration(30 * time.Second),
	}
}

// Validate checks the globals as Heka does, plus hekad's upper bounds, and
// applies Heka's coercions (max_message_size 0 means 64 KiB,
// max_message_loops 0 means 1). It reports every problem (errors.Join),
// each prefixed with "[hekad] KEY: ".
func (g *Globals) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("[hekad] "+key+": "+format, args...))
	}
	switch {
	case g.PoolSize <= 0:
		bad("poolsize", "must be greater than 0, got %d", g.PoolSize)
	case g.PoolSize > PoolSizeLimit:
		bad("poolsize", "must be at most %d, got %d", PoolSizeLimit, g.PoolSize)
	}
	switch {
	case g.PluginChanSize <= 0:
		bad("plugin_chansize", "must be greater than 0, got %d", g.PluginChanSize)
	case g.PluginChanSize > PluginChanSizeLimit:
		bad("plugin_chansize", "must be at most %d, got %d", PluginChanSizeLimit, g.PluginChanSize)
	}
	switch {
	case g.MaxMessageLoops == 0:
		g.MaxMessageLoops = 1
	case g.MaxMessageLoops > MaxMessageLoopsLimit:
		bad("max_message_loops", "must be at most %d, got %d", MaxMessageLoopsLimit, g.MaxMessageLoops)
	}
	if g.MaxProcessInject > MaxInjectLimit {
		bad("max_process_inject", "must be at most %d, got %d", MaxInjectLimit, g.MaxProcessInject)
	}
	if g.MaxTimerInject > MaxInjectLimit {
		bad("max_timer_inject", "must be at most %d, got %d", MaxInjectLimit, g.MaxTimerInject)
	}
	if g.SampleDenominator <= 0 {
		bad("sample_denominator", "must be greater than 0, got %d", g.SampleDenominator)
	}
	// A max_message_size out of bounds is reported and replaced by the
	// default, so that the checks that depend on it (buffering, splitters)
	// do not report its consequences as well.
	switch {
	case g.MaxMessageSize == 0:
	case g.MaxMessageSize <= 1024:
		bad("max_message_size", "must be greater than 1024, got %d", g.MaxMessageSize)
		g.MaxMessageSize = 0
	case g.MaxMessageSize > MaxMessageSizeLimit:
		bad("max_message_size", "must be at most %d (256 MiB), got %d", MaxMessageSizeLimit, g.MaxMessageSize)
		g.MaxMessageSize = 0
	}
	if g.MaxMessageSize == 0 {
		g.MaxMessageSize = 64 * 1024
	}
	switch d := g.ShutdownTimeout.Duration(); {
	case d <= 0:
		bad("shutdown_timeout", "must be greater than 0, got %q", d)
	case d > ShutdownTimeoutLimit:
		bad("shutdown_timeout", "must be at most %q, got %q", ShutdownTimeoutLimit, d)
	}
	if g.ReportInterval > ReportIntervalLimit {
		bad("report_interval", "must be at most %d (one day), got %d", ReportIntervalLimit, g.ReportInterval)
	}
	return errors.Join(errs...)
}

// Duration is a TOML duration written as a Go duration string ("250ms",
// "2m"), as Heka's duration options are.
type Duration time.Duration

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q: %w", b, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Duration returns d as a time.Duration.
func (d Duration) Duration() time.Duration { return time.Duration(d) }

// Seconds is a TOML integer number of seconds (Heka's ticker_interval and
// similar options).
type Seconds uint

// Duration returns s as a time.Duration.
func (s Seconds) Duration() time.Duration { return time.Duration(s) * time.Second }

// UnmarshalTOML takes a non-negative TOML integer.
func (s *Seconds) UnmarshalTOML(v any) error {
	n, err := unsignedTOML(v, "seconds")
	*s = Seconds(n)
	return err
}

// Millis is a TOML integer number of milliseconds (Heka's flush_interval and
// similar options).
type Millis uint

// Duration returns m as a time.Duration.
func (m Millis) Duration() time.Duration { return time.Duration(m) * time.Millisecond }

// UnmarshalTOML takes a non-negative TOML integer.
func (m *Millis) UnmarshalTOML(v any) error {
	n, err := unsignedTOML(v, "milliseconds")
	*m = Millis(n)
	return err
}

// unsignedTOML is the value of a TOML integer that must not be negative
// (a number of unit).
func unsignedTOML(v any, unit string) (uint64, error) {
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("want an integer number of %s, got %#v", unit, v)
	}
	if n < 0 {
		return 0, fmt.Errorf("must not be negative, got %d", n)
	}
	return uint64(n), nil
}
