package pipeline

import (
	"fmt"
	"os"
	"time"
)

// Globals are the options of the [hekad] section, with Heka's names.
type Globals struct {
	// Maxprocs sets GOMAXPROCS. 0 (our default; Heka used 1) leaves Go's
	// default of one per CPU.
	Maxprocs int `toml:"maxprocs"`
	// PoolSize is the number of packs in each of the input and inject pools.
	PoolSize int `toml:"poolsize"`
	// PluginChanSize is the capacity of the channels between stages.
	PluginChanSize int `toml:"plugin_chansize"`
	// MaxMessageLoops is how often a message may be re-injected by filters.
	MaxMessageLoops uint `toml:"max_message_loops"`
	// MaxProcessInject is the most messages a sandbox filter may inject per
	// process_message call.
	MaxProcessInject uint `toml:"max_process_inject"`
	// MaxProcessDuration (ns) is the slow-sandbox threshold (not a timeout).
	MaxProcessDuration uint64 `toml:"max_process_duration"`
	// MaxTimerInject is the most messages a sandbox may inject per timer_event.
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
	// MaxMessageSize is the largest message accepted or produced, in bytes.
	MaxMessageSize uint32 `toml:"max_message_size"`
	// LogFlags are the Go log flags of hekad's own log lines (3 = date and time).
	LogFlags int `toml:"log_flags"`
	// FullBufferMaxRetries bounds the start-up wait for a nearly full disk buffer.
	FullBufferMaxRetries uint32 `toml:"full_buffer_max_retries"`
}

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
	}
}

// Validate checks the globals as Heka does and applies its coercions
// (max_message_loops 0 means 1). Errors name the key.
func (g *Globals) Validate() error {
	if g.SampleDenominator <= 0 {
		return fmt.Errorf("[hekad] sample_denominator: must be greater than 0, got %d", g.SampleDenominator)
	}
	if g.MaxMessageSize != 0 && g.MaxMessageSize <= 1024 {
		return fmt.Errorf("[hekad] max_message_size: must be greater than 1024, got %d", g.MaxMessageSize)
	}
	if g.MaxMessageSize == 0 {
		g.MaxMessageSize = 64 * 1024
	}
	if g.PoolSize <= 0 {
		return fmt.Errorf("[hekad] poolsize: must be greater than 0, got %d", g.PoolSize)
	}
	if g.PluginChanSize <= 0 {
		return fmt.Errorf("[hekad] plugin_chansize: must be greater than 0, got %d", g.PluginChanSize)
	}
	if g.MaxMessageLoops == 0 {
		g.MaxMessageLoops = 1
	}
	return nil
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

// Millis is a TOML integer number of milliseconds (Heka's flush_interval and
// similar options).
type Millis uint

// Duration returns m as a time.Duration.
func (m Millis) Duration() time.Duration { return time.Duration(m) * time.Millisecond }
