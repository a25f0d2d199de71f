package cjson

import (
	"strings"
	"testing"
)

// Heka's changes to lua-cjson (trink/lua-cjson b24f724), derived by hand
// from its source: Debian's lua-cjson cannot be the oracle here.
func TestHekaChanges(t *testing.T) {
	script := `
local cjson = require "cjson"
print(rawequal(cjson, _G.cjson), cjson.new, cjson.encode_keep_buffer)
local t = cjson.decode('{"a":null,"b":[1,null,3],"c":1}')
print(t.a, t.b[1], t.b[2], t.b[3], t.c)
print(cjson.decode("null"))
print(cjson.decode_null(true))
t = cjson.decode('{"a":null,"b":[1,null,3]}')
print(t.a == cjson.null, t.b[2] == cjson.null, cjson.encode(t.b))
print(cjson.decode_null(false), cjson.decode_null())
print(pcall(cjson.encode, 0/0))
print(pcall(cjson.encode, {[1/0] = 1}))
print(cjson.encode_invalid_numbers(true))
print(cjson.encode({1/0, -1/0}), cjson.encode(0/0))
print(pcall(cjson.decode_null, 1, 2))
print(pcall(cjson.encode_number_precision, 15))
`
	want := `true	nil	nil
nil	1	nil	3	1
nil
true
true	true	[1,null,3]
false	false
false	Cannot serialise number: must not be NaN or Infinity
false	Cannot serialise number: must not be NaN or Infinity
true
[Infinity,-Infinity]	NaN
false	bad argument #2 to '?' (found too many arguments)
false	bad argument #1 to '?' (expected integer between 1 and 14)
`
	got, err := runGo(t, script, Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	compareLines(t, got, want)
}

// TestOutputLimit checks that encode is bounded by output_limit as Heka's
// strbuf bounds it: a string reserves 6 bytes per byte plus 3 before it is
// escaped, and the buffer doubles from 1,023 bytes up to the limit.
func TestOutputLimit(t *testing.T) {
	const limit = 64512 // Heka's default output_limit (63 KiB)
	script := `
local cjson = require "cjson"
local ok, err = pcall(cjson.encode, string.rep("x", 10752))
print(ok, err)
ok, err = pcall(cjson.encode, string.rep("x", 10751))
print(ok, #err)
local big = {}
for i = 1, 20000 do big[i] = i end
print(pcall(cjson.encode, big))
print(#cjson.encode({1, 2, 3}))
`
	want := `false	strbuf output_limit exceeded
true	10753
false	strbuf output_limit exceeded
7
`
	got, err := runGo(t, script, Options{OutputLimit: limit})
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	compareLines(t, got, want)
	// Without a limit the same encodes work.
	got, err = runGo(t, `local cjson = require "cjson"; local t = {} for i = 1, 20000 do t[i] = i end print(#cjson.encode(t))`, Options{})
	if err != nil || strings.TrimSpace(got) != "108895" {
		t.Errorf("unlimited encode: %q %v", got, err)
	}
}

func TestMemoryLimit(t *testing.T) {
	got, err := runGo(t, `local cjson = require "cjson"
print(pcall(cjson.decode, "[" .. string.rep("1,", 1000) .. "1]"))
print(#cjson.decode("[1,2]"))
print(pcall(cjson.encode, {string.rep("x", 1000)}))`, Options{MemoryLimit: 4000})
	if err != nil {
		t.Fatal(err)
	}
	compareLines(t, got, "false\tmemory_limit exceeded\n2\nfalse\tmemory_limit exceeded\n")
}

// TestHekaSandboxCases are the cjson cases of lua_sandbox's own tests: with
// an output_limit of 64 a 86-byte text decodes but its table does not
// encode; without a limit 1,000 strings of 100 bytes encode to 103,001.
func TestHekaSandboxCases(t *testing.T) {
	got, err := runGo(t, `require "cjson"
local js = '["this is a test","this is a test","this is a test","this is a test","this is a test"]'
local value = cjson.decode("[ true, { \"foo\": \"bar\" } ]")
print(value[2].foo, #cjson.decode(js), pcall(cjson.encode, cjson.decode(js)))`, Options{OutputLimit: 64})
	if err != nil {
		t.Fatal(err)
	}
	compareLines(t, got, "bar\t5\tfalse\tstrbuf output_limit exceeded\n")
	got, err = runGo(t, `require "cjson"
local t = {}
for i = 1, 1000 do t[#t + 1] = string.rep("0123456789", 10) end
print(#cjson.encode(t))`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	compareLines(t, got, "103001\n")
}
