// Package sandbox holds Heka's Lua sandbox plugins, SandboxDecoder and
// SandboxFilter, built on the sandbox core of internal/lua/sandbox: a Lua
// script with Heka's host functions (read_message, inject_message,
// inject_payload, add_to_payload, write_message, read_config), limits and
// data preservation. See README.md.
package sandbox
