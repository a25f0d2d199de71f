// Package sandbox runs a Heka Lua script (decoder, filter, encoder, input or
// output) on gopher-lua with the environment, limits and data preservation of
// Heka's lua_sandbox. The plugins of plugins/sandbox are built on it.
//
// # Use
//
//	sb, err := sandbox.New(sandbox.Config{Name: "counter", Script: path,
//		MemoryLimit: sandbox.DefaultMemoryLimit, InstructionLimit: sandbox.DefaultInstructionLimit,
//		OutputLimit: sandbox.DefaultOutputLimit, PreservationFile: dataPath})
//	sb.Register("read_message", readMessage)      // host functions of the plugin kind
//	sb.Register("add_to_payload", sb.AddToPayload)
//	err = sb.Start(ctx)                            // global code, then preserved data
//	status, msg, err := sb.ProcessMessage(ctx)     // or TimerEvent(ctx, ns), Call(...)
//	err = sb.Close()                               // preserves the data
//
// New only checks the configuration; Compile (called by Start, or earlier
// to report a missing script or a syntax error) compiles the script once (a
// *lua.FunctionProto, shared through a Cache between sandboxes of the same
// file); Start builds one LState that every call reuses. A Sandbox is used
// from one goroutine (but Abort and Stats from any).
//
// A Lua error, a broken limit or a bad return value terminates the sandbox:
// the call returns a *TerminatedError whose Payload is Heka's termination
// text ("process_message() instruction_limit exceeded"), and every later
// call returns the same error. Go panics in host functions are recovered at
// the boundary and terminate the sandbox the same way.
//
// # Environment (Config.Profile)
//
// Restricted (decoders, filters, encoders) and Relaxed (inputs, outputs)
// remove Heka's lists of base and os functions; io exists only in Relaxed,
// through require "io". string, table, math and os are loaded at start
// (Heka wants a require first; accepting both is harmless). os.date and
// os.time work in UTC. require loads a library, a Go module of
// Config.Modules (both also become globals, as Heka's built-in modules do),
// or <dir>/<name>.lua from Config.ModuleDirs; the package table does not
// exist. read_config returns the scalars of Config.Settings. The gaps of
// gopher-lua against C Lua 5.1 are closed by package compat.
//
// # Limits
//
//   - instruction_limit: gopher-lua calls the context's Done before every VM
//     instruction once the state has a context; the sandbox's context counts
//     them and raises "instruction_limit exceeded" past the limit, for each
//     entry point call. The count is exact for Lua code; a Go function
//     (string.rep, a host function) counts as one instruction, as a C function
//     does under Heka's count hook. The script's global code has no
//     instruction limit (as in Heka) but stops when Start's context is done.
//   - memory_limit: Go has no allocator hook per LState, so the sandbox
//     estimates its data by walking what its globals, registry, modules and
//     running functions' locals reach, with C Lua 5.1's object sizes (a table
//     56 bytes, an array slot 16 and a hash node 40 in power-of-two parts, a
//     distinct string its length plus 25), so that Heka's limits keep their
//     meaning although gopher-lua's heap is 1.6 to 5 times C Lua's (the
//     estimate is 0.8 to 1.0 times C Lua's own count on the tested shapes).
//     A walk costs about 0.5 µs per object; it runs only when the data could
//     have reached the limit: every 1,024 instructions the bound "last
//     estimate + 64 bytes per instruction since + sizes Go functions
//     reported" and the process-wide Go heap allocations since the last walk
//     are compared with the limit, and walks are spaced by 8 to 512
//     instructions per object of the last walk (8 while the data grows). The strings built by Go
//     functions (`..`, string.rep, string.format, string.gsub, table.concat)
//     are checked before they are built. Precision: the estimate is not
//     Heka's byte count; temporaries that are not named locals are not
//     counted; between walks a script may exceed its limit by what it
//     allocates in that window (see docs/lua-sandbox.md for measurements).
//   - output_limit: the Output buffer refuses to grow past it and raises
//     "output_limit exceeded".
//
// # Preservation
//
// With Config.PreservationFile set, Close writes the global data as Lua
// source (see preserve.go for the form) to a temporary file renamed over the
// old one, and Start runs it after the script's global code. A file written
// with another _PRESERVATION_VERSION restores nothing. A file that fails to
// compile or run is logged and the sandbox starts again clean.
package sandbox
