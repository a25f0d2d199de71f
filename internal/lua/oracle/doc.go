// Package oracle runs Lua scripts under Debian's C Lua 5.1 (the lua5.1
// command, with the lua-lpeg package for lpeg) so that tests of hekad's Lua
// support can compare gopher-lua's answers with the reference
// implementation's on the same script: a differential oracle.
//
// CI installs lua5.1 and lua-lpeg (.ci/run). Outside CI a test that needs the
// oracle is skipped when lua5.1 is not installed; under CI (CI=true) it fails.
package oracle
