package sandbox

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	lsb "github.com/hekad-go/hekad/internal/lua/sandbox"
	"github.com/hekad-go/hekad/pipeline"
)

// Config holds the options common to the sandbox plugins (heka-reference
// §2.7).
type Config struct {
	// ScriptType is the script language; only "lua" exists.
	ScriptType string `toml:"script_type"`
	// Filename is the Lua script, relative to share_dir unless absolute.
	Filename string `toml:"filename"`
	// PreserveData writes the script's global data at shutdown to
	// base_dir/sandbox_preservation/<name>.data and restores it at start.
	PreserveData bool `toml:"preserve_data"`
	// MemoryLimit bounds the script's data in bytes (0 = unlimited).
	MemoryLimit int64 `toml:"memory_limit"`
	// InstructionLimit bounds the VM instructions of one process_message or
	// timer_event call (0 = unlimited).
	InstructionLimit int64 `toml:"instruction_limit"`
	// OutputLimit bounds the output buffer (add_to_payload) in bytes.
	OutputLimit int `toml:"output_limit"`
	// ModuleDirectory is the ';'-separated list of directories require
	// searches, each relative to share_dir unless absolute.
	ModuleDirectory string `toml:"module_directory"`
	// Profile (SandboxFilter) times every process_message call until
	// (plugin_chansize - 1) x 10 were timed, then samples again, as Heka;
	// the report adds ProfileMessageSamples and ProfileMessageAvgDuration.
	// The other sandbox kinds accept it and log that it does nothing.
	Profile bool `toml:"profile"`
	// TimerEventOnShutdown calls timer_event once more at shutdown
	// (SandboxFilter only).
	TimerEventOnShutdown bool `toml:"timer_event_on_shutdown"`
	// Settings is the config sub-table the script reads with read_config:
	// strings, booleans and numbers.
	Settings map[string]any `toml:"config"`
}

func defaultConfig() Config {
	return Config{
		ScriptType:       "lua",
		MemoryLimit:      lsb.DefaultMemoryLimit,
		InstructionLimit: lsb.DefaultInstructionLimit,
		OutputLimit:      lsb.DefaultOutputLimit,
		ModuleDirectory:  "lua_modules",
	}
}

// defaultOutputConfig is defaultConfig for SandboxOutput, which Heka runs
// without an instruction_limit.
func defaultOutputConfig() Config {
	c := defaultConfig()
	c.InstructionLimit = 0
	return c
}

// noInstructionLimit sets instruction_limit to 0, which Heka forces for
// inputs and outputs, warning when the configuration asked for another.
func (c *Config) noInstructionLimit(env *pipeline.Env) {
	if c.InstructionLimit != 0 {
		env.Logger().Warn("instruction_limit is always 0 for "+env.Type()+", as in Heka", "instruction_limit", c.InstructionLimit)
		c.InstructionLimit = 0
	}
}

// FreeformKeys declares the config sub-table, whose keys the script reads.
func (*Config) FreeformKeys() []string { return []string{"config"} }

// Validate checks the options; errors name the key.
func (c *Config) Validate() error {
	switch {
	case c.ScriptType != "lua":
		return fmt.Errorf("script_type: only \"lua\" is supported, got %q", c.ScriptType)
	case c.Filename == "":
		return fmt.Errorf("filename: required")
	}
	if err := checkLimits(c.MemoryLimit, c.InstructionLimit, c.OutputLimit); err != nil {
		return err
	}
	if _, err := c.zone(); err != nil {
		return err
	}
	return nil
}

// checkLimits checks the three limit options; errors name the key.
func checkLimits(memory, instructions int64, output int) error {
	switch {
	case memory < 0:
		return fmt.Errorf("memory_limit: must not be negative, got %d", memory)
	case instructions < 0:
		return fmt.Errorf("instruction_limit: must not be negative, got %d", instructions)
	case output < 0:
		return fmt.Errorf("output_limit: must not be negative, got %d", output)
	}
	return nil
}

// moduleDirs resolves a ';'-separated module_directory list under
// share_dir.
func moduleDirs(env *pipeline.Env, list string) []string {
	var dirs []string
	for _, d := range strings.Split(list, ";") {
		if d = strings.TrimSpace(d); d != "" {
			dirs = append(dirs, env.ShareDir(d))
		}
	}
	return dirs
}

// zone is the time zone of config.tz (nil when unset or UTC): a decoder's
// injected timestamps, computed as if their wall clock were UTC, are moved
// to that zone (Heka's SandboxDecoder did the same).
func (c *Config) zone() (*time.Location, error) {
	v, ok := c.Settings["tz"]
	if !ok {
		return nil, nil
	}
	name, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("config.tz: must be a time zone name, got %v", v)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("config.tz: %w", err)
	}
	if loc == time.UTC {
		return nil, nil
	}
	return loc, nil
}

// nonWord is what Heka replaces in a plugin name to name its data file.
var nonWord = regexp.MustCompile(`\W`)

// coreConfig is the sandbox core's configuration for the plugin of env.
func (c *Config) coreConfig(env *pipeline.Env, profile lsb.Profile) lsb.Config {
	cfg := lsb.Config{
		Name:             env.Name(),
		Script:           env.ShareDir(c.Filename),
		ModuleDirs:       moduleDirs(env, c.ModuleDirectory),
		MemoryLimit:      c.MemoryLimit,
		InstructionLimit: c.InstructionLimit,
		OutputLimit:      c.OutputLimit,
		Profile:          profile,
		Settings:         c.Settings,
		Modules:          modules(c),
		Logger:           env.Logger(),
	}
	if c.PreserveData {
		cfg.PreservationFile = env.BaseDir(filepath.Join("sandbox_preservation", nonWord.ReplaceAllString(env.Name(), "_")+".data"))
	}
	if c.Profile && env.Type() != "SandboxFilter" {
		env.Logger().Warn("profile = true applies to SandboxFilter only; ignored")
	}
	return cfg
}
