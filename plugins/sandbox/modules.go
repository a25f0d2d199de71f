package sandbox

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/bloom"
	"github.com/hekad-go/hekad/internal/lua/cbuf"
	"github.com/hekad-go/hekad/internal/lua/cjson"
	"github.com/hekad-go/hekad/internal/lua/hll"
	"github.com/hekad-go/hekad/internal/lua/lpeg"
	"github.com/hekad-go/hekad/internal/lua/luastruct"
	"github.com/hekad-go/hekad/internal/lua/modutil"
)

// modules returns the Go modules a sandbox's require finds by name, as
// Heka's lua_sandbox had them built in: lpeg and re (internal/lua/lpeg),
// cjson (internal/lua/cjson, bounded by the plugin's output_limit and
// memory_limit), circular_buffer (internal/lua/cbuf), struct
// (internal/lua/luastruct), bloom_filter (internal/lua/bloom) and
// hyperloglog (internal/lua/hll). Modules of share_dir's lua_modules (date_time,
// common_log_format, ...) are Lua files found through module_directory.
func modules(c *Config) map[string]lua.LGFunction {
	mods := map[string]lua.LGFunction{
		"lpeg":  lpeg.Open,
		"re":    lpeg.OpenRe,
		"cjson": cjson.Loader(cjson.Options{OutputLimit: c.OutputLimit, MemoryLimit: c.MemoryLimit}),
		// circular_buffer: written by add_to_payload in Heka's cbuf and
		// cbufd formats, kept by preserve_data.
		cbuf.Name:      cbuf.Open,
		luastruct.Name: luastruct.Open,
		bloom.Name:     bloom.Open,
		hll.Name:       hll.Open,
	}
	for name, open := range mods {
		// The modules refuse a single value larger than memory_limit
		// before they allocate it.
		mods[name] = func(L *lua.LState) int {
			modutil.SetMemoryLimit(L, c.MemoryLimit)
			return open(L)
		}
	}
	return mods
}
