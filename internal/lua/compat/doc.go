// Package compat closes the measured gaps between gopher-lua v1.1.2 and C
// Lua 5.1 (see docs/lua-sandbox.md and the project's lua-notes) from outside
// gopher-lua, which stays an unmodified module:
//
//   - Compile parses a chunk, rewrites its syntax tree and compiles it: a
//     multiple assignment goes through temporaries (gopher-lua miscompiles
//     `a, b = b, a`), and `..` with a non-literal operand becomes a call of a
//     Go function that formats numbers as Lua 5.1 does (%.14g) and checks the
//     size of the result against a limit.
//   - Open replaces library functions whose answers differ from C Lua 5.1:
//     tostring, tonumber, error, math.huge, math.fmod, string.format, string.rep,
//     string.char, string.upper, string.lower, the Lua pattern functions
//     (find, match, gmatch, gsub, with %f), table.concat, table.foreach,
//     table.foreachi, table.setn, os.date and os.time (in UTC), and gives
//     print the same number formatting.
//
// Every replacement has a regression test whose expected output comes from
// C Lua 5.1 run on the same script (package oracle).
package compat
