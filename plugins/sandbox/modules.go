package sandbox

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/lpeg"
)

// modules returns the Go modules a sandbox's require finds by name, as
// Heka's lua_sandbox had them built in: lpeg and re (internal/lua/lpeg).
// Modules of share_dir's lua_modules (date_time, common_log_format, ...)
// are Lua files found through module_directory.
func modules() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{"lpeg": lpeg.Open, "re": lpeg.OpenRe}
}
