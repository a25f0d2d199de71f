package pipeline

import (
	"log/slog"
	"os"
	"path/filepath"

	metrics "github.com/rcrowley/go-metrics"
)

// Env is everything a plugin constructor may use: its names, a logger and a
// metrics registry tagged with its name, and the global settings it may need.
type Env struct {
	name    string
	typ     string
	logger  *slog.Logger
	metrics metrics.Registry
	globals *Globals
	reports Reports
	shared  *Shared
	filters Filters

	// What Build needs to make the Env of a plugin this one builds.
	baseLogger  *slog.Logger
	baseMetrics metrics.Registry
	sections    Sections
	section     string   // the section this plugin is built from
	chain       []string // the sections being built that led to this one
}

// EnvOption sets an optional part of an Env (NewEnv).
type EnvOption func(*Env)

// WithReports gives the Env the engine's reports (see Env.Reports).
func WithReports(r Reports) EnvOption { return func(e *Env) { e.reports = r } }

// WithShared gives the Env the engine's meeting place of plugins (see
// Env.Shared).
func WithShared(s *Shared) EnvOption { return func(e *Env) { e.shared = s } }

// WithSections lets the plugin build fresh instances of other sections of
// the configuration (Env.Build, Env.Decoder).
func WithSections(s Sections) EnvOption { return func(e *Env) { e.sections = s } }

// WithSection names the configuration section the plugin is built from
// when it differs from the Env's name: the engine names a decoder instance
// "<input>-<section>". Env.Build uses it to find cycles.
func WithSection(name string) EnvOption { return func(e *Env) { e.section = name } }

// NewEnv returns the environment of the plugin section name of type typ.
// A nil logger discards; a nil registry gets a fresh one.
func NewEnv(name, typ string, g *Globals, logger *slog.Logger, reg metrics.Registry, opts ...EnvOption) *Env {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	if g == nil {
		d := DefaultGlobals()
		g = &d
	}
	e := &Env{
		name:    name,
		typ:     typ,
		logger:  logger.With("plugin", name, "type", typ),
		metrics: metrics.NewPrefixedChildRegistry(reg, name+"."),
		globals: g,
		reports: noReports{},
		shared:  NewShared(),

		baseLogger:  logger,
		baseMetrics: reg,
		section:     name,
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Name returns the plugin's section name.
func (e *Env) Name() string { return e.name }

// Type returns the plugin's registered type name.
func (e *Env) Type() string { return e.typ }

// Logger returns a logger tagged with the plugin's name and type.
func (e *Env) Logger() *slog.Logger { return e.logger }

// Metrics returns a registry whose metric names are prefixed with the
// plugin's name.
func (e *Env) Metrics() metrics.Registry { return e.metrics }

// Hostname returns the hostname hekad stamps on messages it makes.
func (e *Env) Hostname() string { return e.globals.Hostname }

// Pid returns hekad's process id.
func (e *Env) Pid() int { return os.Getpid() }

// MaxMessageSize returns the largest message size in bytes.
func (e *Env) MaxMessageSize() int { return int(e.globals.MaxMessageSize) }

// BaseDir resolves path under base_dir (absolute paths are kept).
func (e *Env) BaseDir(path ...string) string { return resolve(e.globals.BaseDir, path) }

// ShareDir resolves path under share_dir (absolute paths are kept).
func (e *Env) ShareDir(path ...string) string { return resolve(e.globals.ShareDir, path) }

// Reports returns the engine's reports: a typed snapshot of every figure
// of the SIGUSR1 report, and heka.all-report/heka.memstat injection. A
// constructor may keep it but must not call it (the engine is not running
// yet); outside an engine its Snapshot is empty and InjectReports fails
// with ErrNoReports.
func (e *Env) Reports() Reports { return e.reports }

// Shared returns where the plugins of the engine meet (see Shared). An Env
// made without WithShared has a Shared of its own.
func (e *Env) Shared() *Shared { return e.shared }

// Globals returns the [hekad] settings (read-only).
func (e *Env) Globals() Globals { return *e.globals }

func resolve(dir string, path []string) string {
	p := filepath.Join(path...)
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
