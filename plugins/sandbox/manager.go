package sandbox

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"

	lsb "github.com/hekad-go/hekad/internal/lua/sandbox"
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed SandboxManagerFilter.toml
var managerSample string

func init() {
	pipeline.RegisterFilter("SandboxManagerFilter", defaultManagerConfig, newManager, pipeline.WithSample(managerSample))
}

// ControlType is the Type of the messages a SandboxManagerFilter obeys.
const ControlType = "heka.control.sandbox"

// maxSkew is how far from now a control message's Timestamp may be; older
// or later ones are discarded (a replayed message is refused).
const maxSkew = 5 * time.Second

// ManagerConfig is SandboxManagerFilter's configuration. The limits apply
// to the filters it loads, whatever their own configuration says.
type ManagerConfig struct {
	// WorkingDirectory keeps the loaded filters' configurations and
	// scripts (<manager>-<name>.toml and .lua), relative to base_dir
	// unless absolute. Several managers may share one: file names start
	// with the manager's name.
	WorkingDirectory string `toml:"working_directory"`
	// ModuleDirectory is the ';'-separated list of directories the loaded
	// filters' require searches, each relative to share_dir unless
	// absolute.
	ModuleDirectory string `toml:"module_directory"`
	// MaxFilters is the most filters this manager runs at once (Heka's
	// default, 0, lets it load none).
	MaxFilters int `toml:"max_filters"`
	// MemoryLimit is the loaded filters' memory_limit in bytes.
	MemoryLimit int64 `toml:"memory_limit"`
	// InstructionLimit is the loaded filters' instruction_limit.
	InstructionLimit int64 `toml:"instruction_limit"`
	// OutputLimit is the loaded filters' output_limit in bytes.
	OutputLimit int `toml:"output_limit"`
}

func defaultManagerConfig() ManagerConfig {
	return ManagerConfig{
		WorkingDirectory: "sbxmgrs",
		ModuleDirectory:  "lua_modules",
		MemoryLimit:      lsb.DefaultMemoryLimit,
		InstructionLimit: lsb.DefaultInstructionLimit,
		OutputLimit:      lsb.DefaultOutputLimit,
	}
}

// DefaultFilterCommon gives the manager Heka's default matcher.
func (*ManagerConfig) DefaultFilterCommon(c *pipeline.FilterCommon) {
	c.MessageMatcher = "Type == '" + ControlType + "'"
}

// Validate checks the options; errors name the key.
func (c *ManagerConfig) Validate() error {
	switch {
	case c.WorkingDirectory == "":
		return errors.New("working_directory: required")
	case c.MaxFilters < 0:
		return fmt.Errorf("max_filters: must not be negative, got %d", c.MaxFilters)
	}
	return checkLimits(c.MemoryLimit, c.InstructionLimit, c.OutputLimit)
}

// Manager is SandboxManagerFilter: it loads and unloads SandboxFilters
// while hekad runs, as control messages (Type heka.control.sandbox) ask.
// A load message carries the filter's TOML configuration in
// Fields[config] and its Lua script in the Payload; an unload message
// names the filter in Fields[name]. Give it a message_signer: only
// messages signed by that signer reach it then (the others are refused
// and logged by hekad).
type Manager struct {
	name     string
	prefix   string // the manager's name, normalised, and "-"
	dir      string
	modules  string
	cfg      ManagerConfig
	log      *slog.Logger
	filters  pipeline.Filters
	now      func() time.Time
	mu       sync.Mutex
	loaded   map[string]bool // the full names of the filters it runs
	restored bool
}

func newManager(cfg ManagerConfig, env *pipeline.Env) (pipeline.Filter, error) {
	return &Manager{
		name:    env.Name(),
		prefix:  nonWord.ReplaceAllString(env.Name(), "_") + "-",
		dir:     env.BaseDir(cfg.WorkingDirectory),
		modules: strings.Join(moduleDirs(env, cfg.ModuleDirectory), ";"),
		cfg:     cfg,
		log:     env.Logger(),
		filters: env.Filters(),
		now:     time.Now,
		loaded:  map[string]bool{},
	}, nil
}

// FullName is the name a manager runs the filter name as:
// "<manager>-<name>", every non-word character of both made "_" (Heka's
// rule).
func FullName(manager, name string) string {
	return nonWord.ReplaceAllString(manager, "_") + "-" + nonWord.ReplaceAllString(name, "_")
}

// Connect creates the working directory and restores the filters it
// holds: those this manager loaded and did not unload before hekad
// stopped. The engine calls it once, before the first message.
func (m *Manager) Connect(context.Context) error {
	if m.restored {
		return nil
	}
	m.restored = true
	if err := os.MkdirAll(m.dir, 0o700); err != nil {
		return fmt.Errorf("sandbox manager %q: working_directory: %w", m.name, err)
	}
	files, err := filepath.Glob(filepath.Join(m.dir, globEscape(m.prefix)+"*.toml"))
	if err != nil {
		return fmt.Errorf("sandbox manager %q: %w", m.name, err)
	}
	for _, f := range files {
		full := strings.TrimSuffix(filepath.Base(f), ".toml")
		data, err := os.ReadFile(f)
		if err == nil {
			m.log.Info("Loading: " + full)
			err = m.start(full, string(data))
		}
		if err != nil {
			m.log.Error("restoring a filter failed; its files are removed", "filter", full, "err", err)
			m.removeFiles(full)
		}
	}
	return nil
}

// Process obeys one control message.
func (m *Manager) Process(ctx context.Context, p *pipeline.Pack, inj pipeline.Injector) error {
	msg := p.Message()
	if skew := m.now().Sub(time.Unix(0, msg.GetTimestamp())); skew >= maxSkew || skew <= -maxSkew {
		m.log.Error(fmt.Sprintf("Discarded control message: %d seconds skew", int64(skew/time.Second)))
		return nil
	}
	action, _ := msg.GetFieldValue("action")
	switch action {
	case "load":
		if err := m.load(msg); err != nil {
			m.log.Error("load failed", "err", err)
			m.terminated(ctx, inj, msg, err)
		}
	case "unload":
		name, _ := msg.GetFieldValue("name")
		s, ok := name.(string)
		if !ok || s == "" {
			m.log.Error("unload: the control message names no filter (Fields[name])")
			return nil
		}
		if err := m.unload(FullName(m.name, s)); err != nil {
			m.log.Error("unload failed", "err", err)
		}
	default:
		m.log.Error(fmt.Sprintf("control message with unknown action %v ignored", action))
	}
	return nil
}

// load starts the filter of a load message and keeps its files.
func (m *Manager) load(msg *message.Message) error {
	v, _ := msg.GetFieldValue("config")
	cfg, ok := v.(string)
	if !ok || cfg == "" {
		return errors.New("the control message has no filter configuration (Fields[config])")
	}
	section, err := firstSection(cfg)
	if err != nil {
		return err
	}
	full := FullName(m.name, section)
	if m.count() >= m.cfg.MaxFilters {
		return fmt.Errorf("%s attempted to load more than %d filters", m.name, m.cfg.MaxFilters)
	}
	m.mu.Lock()
	running := m.loaded[full]
	m.mu.Unlock()
	if running {
		return fmt.Errorf("%s is already running", full)
	}
	// A stopped filter of that name still has its files: a load replaces
	// them.
	m.log.Info("Loading: " + full)
	if err := os.WriteFile(filepath.Join(m.dir, full+".lua"), []byte(msg.GetPayload()), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(m.dir, full+".toml"), []byte(cfg), 0o600); err != nil {
		m.removeFiles(full)
		return err
	}
	if err := m.start(full, cfg); err != nil {
		m.removeFiles(full)
		return err
	}
	return nil
}

// start adds the filter full, configured by the first section of cfg,
// with the manager's limits and its script in the working directory.
func (m *Manager) start(full, cfg string) error {
	conf, err := m.filterConfig(full, cfg)
	if err != nil {
		return err
	}
	if err := m.filters.AddFilter(full, conf); err != nil {
		return err
	}
	m.mu.Lock()
	m.loaded[full] = true
	m.mu.Unlock()
	return nil
}

// unload removes the filter full and its files.
func (m *Manager) unload(full string) error {
	m.count() // forget the filters that stopped on their own
	m.mu.Lock()
	running := m.loaded[full]
	delete(m.loaded, full)
	m.mu.Unlock()
	_, statErr := os.Stat(filepath.Join(m.dir, full+".toml"))
	if !running && statErr != nil {
		return fmt.Errorf("%s is not loaded by this manager", full)
	}
	m.log.Info("Unloading: " + full)
	if running {
		if err := m.filters.RemoveFilter(full); err != nil {
			// It stopped on its own meanwhile: it is gone.
			m.log.Info("unloaded a filter that was no longer running", "filter", full, "err", err)
		}
	}
	m.removeFiles(full)
	return nil
}

// count is the number of filters the manager runs. A loaded filter that
// stopped on its own (a terminated sandbox) no longer counts, as in Heka;
// its files stay, so unload removes them and a restart loads it again.
func (m *Manager) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	for full := range m.loaded {
		if !m.filters.Running(full) {
			delete(m.loaded, full)
		}
	}
	return len(m.loaded)
}

func (m *Manager) removeFiles(full string) {
	for _, ext := range []string{".toml", ".lua"} {
		if err := os.Remove(filepath.Join(m.dir, full+ext)); err != nil && !errors.Is(err, os.ErrNotExist) {
			m.log.Error("remove file", "err", err)
		}
	}
}

// filterConfig turns the first section of the TOML document cfg into the
// configuration of the filter full: a SandboxFilter whose script is
// full.lua in the working directory, with the manager's limits and module
// directories, that may exit without stopping hekad.
func (m *Manager) filterConfig(full, cfg string) ([]byte, error) {
	var doc map[string]any
	md, err := toml.Decode(cfg, &doc)
	if err != nil {
		return nil, fmt.Errorf("filter configuration: %w", err)
	}
	name, err := firstSectionOf(md)
	if err != nil {
		return nil, err
	}
	sec, ok := doc[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("filter configuration: [%s] is not a table", name)
	}
	if typ, _ := sec["type"].(string); typ != "SandboxFilter" {
		return nil, fmt.Errorf("plugin must be a SandboxFilter, received %q", typ)
	}
	sec["filename"] = filepath.Join(m.dir, full+".lua")
	sec["memory_limit"] = m.cfg.MemoryLimit
	sec["instruction_limit"] = m.cfg.InstructionLimit
	sec["output_limit"] = int64(m.cfg.OutputLimit)
	sec["module_directory"] = m.modules
	sec["can_exit"] = true
	var b strings.Builder
	if err := toml.NewEncoder(&b).Encode(map[string]any{full: sec}); err != nil {
		return nil, fmt.Errorf("filter configuration: %w", err)
	}
	return []byte(b.String()), nil
}

// firstSection is the name of the first table of the TOML document cfg.
func firstSection(cfg string) (string, error) {
	var doc map[string]toml.Primitive
	md, err := toml.Decode(cfg, &doc)
	if err != nil {
		return "", fmt.Errorf("filter configuration: %w", err)
	}
	return firstSectionOf(md)
}

func firstSectionOf(md toml.MetaData) (string, error) {
	for _, k := range md.Keys() {
		if len(k) == 1 {
			return k[0], nil
		}
	}
	return "", errors.New("filter configuration: no section")
}

// terminated reports a failed load as Heka does: a heka.sandbox-terminated
// message naming the filter, the error in the Payload.
func (m *Manager) terminated(ctx context.Context, inj pipeline.Injector, msg *message.Message, cause error) {
	name := m.name
	if v, _ := msg.GetFieldValue("config"); v != nil {
		if s, ok := v.(string); ok {
			if sec, err := firstSection(s); err == nil {
				name = FullName(m.name, sec)
			}
		}
	}
	p, err := inj.NewPack(ctx)
	if err != nil {
		return
	}
	out := p.MutableMessage()
	out.SetType(TerminatedType)
	out.SetPayload(cause.Error())
	if f, err := message.NewField("plugin", name, ""); err == nil {
		out.AddField(f)
	}
	if err := inj.Inject(ctx, p); err != nil {
		m.log.Error("inject heka.sandbox-terminated", "err", err)
	}
}

// Report adds the number of filters the manager runs (those that stopped
// on their own, a terminated sandbox, no longer count).
func (m *Manager) Report() []pipeline.ReportField {
	return []pipeline.ReportField{{Name: "RunningFilters", Value: int64(m.count()), Representation: "count"}}
}

// globEscape escapes the characters filepath.Match treats specially.
func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

var (
	_ pipeline.Filter    = (*Manager)(nil)
	_ pipeline.Connector = (*Manager)(nil)
	_ pipeline.Reporter  = (*Manager)(nil)
)
