// Package share holds the repository copy of hekad's share_dir: the Lua
// files Heka configurations name by path relative to share_dir. Today that
// is lua_modules/, hekad's own implementations of Heka's Lua grammar and
// helper modules (date_time, common_log_format, syslog, ip_address, util,
// ...), with the same module names, functions and capture tables as Heka's,
// so that the decoders users carry with them keep working.
//
// The Go code of the package is only the test that runs each module's Lua
// test script (lua_modules/tests/*_test.lua) under C Lua 5.1 with LPeg, the
// reference implementation hekad's sandbox is checked against.
package share
