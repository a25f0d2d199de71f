package sandbox

import (
	"fmt"
	"log/slog"

	lua "github.com/yuin/gopher-lua"
)

// Profile selects the environment a script gets (heka-reference §6.3).
type Profile int

const (
	// Restricted is the environment of decoders, filters and encoders: no
	// collectgarbage, coroutine, dofile, load, loadfile, loadstring, newproxy
	// or print; os without getenv, execute, exit, remove, rename, setlocale
	// and tmpname; no io.
	Restricted Profile = iota
	// Relaxed is the environment of inputs and outputs: only dofile, load,
	// loadfile, loadstring, print, os.exit and os.setlocale are removed;
	// coroutine is there and require "io" works.
	Relaxed
)

// Heka's defaults for the limits (common sandbox options).
const (
	DefaultMemoryLimit      = 8 << 20
	DefaultInstructionLimit = 1000000
	DefaultOutputLimit      = 63 * 1024
)

// Config describes one sandbox. The zero value of a limit means unlimited.
type Config struct {
	// Name names the sandbox in errors and logs (the plugin's name).
	Name string
	// Script is the path of the Lua script.
	Script string
	// ModuleDirs are the directories require searches for <name>.lua (a dot
	// in the name is a directory separator), in order.
	ModuleDirs []string
	// MemoryLimit bounds, in bytes, the data the script keeps, as estimated
	// with C Lua's object sizes (see doc.go for the precision).
	MemoryLimit int64
	// InstructionLimit bounds the VM instructions of one entry point call.
	InstructionLimit int64
	// OutputLimit bounds the output buffer (add_to_payload) in bytes.
	OutputLimit int
	// Profile is the environment: Restricted or Relaxed.
	Profile Profile
	// PreservationFile, when not empty, is where Close writes the script's
	// global data and where Start restores it from (preserve_data).
	PreservationFile string
	// Modules are extra Go modules that require loads by name (lpeg, cjson,
	// ...). A loader is called with the module name and returns the module
	// (gopher-lua's PreloadModule convention); the module also becomes a
	// global of that name, as Heka's built-in modules do.
	Modules map[string]lua.LGFunction
	// Settings are the values read_config returns (the plugin's config
	// table): string, bool, numbers; other types read as nil.
	Settings map[string]any
	// Cache, if not nil, shares compiled scripts and modules between
	// sandboxes.
	Cache *Cache
	// Logger receives what the sandbox reports without failing, such as
	// discarded preservation data. Nil discards it.
	Logger *slog.Logger
}

// Validate checks the configuration without touching the file system.
func (c *Config) Validate() error {
	switch {
	case c.Script == "":
		return fmt.Errorf("sandbox %q: no script", c.Name)
	case c.MemoryLimit < 0:
		return fmt.Errorf("sandbox %q: memory_limit %d is negative", c.Name, c.MemoryLimit)
	case c.InstructionLimit < 0:
		return fmt.Errorf("sandbox %q: instruction_limit %d is negative", c.Name, c.InstructionLimit)
	case c.OutputLimit < 0:
		return fmt.Errorf("sandbox %q: output_limit %d is negative", c.Name, c.OutputLimit)
	case c.Profile != Restricted && c.Profile != Relaxed:
		return fmt.Errorf("sandbox %q: unknown profile %d", c.Name, c.Profile)
	}
	return nil
}
