// Package sandbox holds Heka's Lua sandbox plugins, SandboxDecoder,
// SandboxFilter, SandboxEncoder, SandboxOutput and SandboxInput, built on the
// sandbox core of internal/lua/sandbox: a Lua script with Heka's host
// functions (read_message, inject_message, inject_payload, add_to_payload,
// write_message, read_next_field, decode_message, read_config), limits and
// data preservation. plugin.go registers them and holds what they share;
// each kind has its file. See README.md.
package sandbox
