// Package cjson is the cjson module of hekad's Lua sandboxes: lua-cjson 2.1.0
// as modified for Heka's lua_sandbox (trink/lua-cjson b24f724), written in Go
// over gopher-lua tables.
//
// Heka's changes from upstream lua-cjson, all kept here:
//   - JSON null decodes to nil (the entry is dropped) unless
//     cjson.decode_null(true), which makes it cjson.null;
//   - the encode buffer is bounded by the sandbox's output_limit: an encode
//     that needs more raises "strbuf output_limit exceeded" (the buffer grows
//     as lua-cjson's strbuf does, by doubling from 1,023 bytes, and a string
//     reserves six bytes per input byte before it is escaped, so the same
//     encodes fail as in Heka);
//   - cjson.new and cjson.encode_keep_buffer do not exist.
//
// Everything else follows lua-cjson: an empty table encodes as {}, numbers
// as %.14g (encode_number_precision), `/` is escaped as `\/` and bytes above
// 0x7f pass through, a table is an array when all its keys are positive
// integers and it is not excessively sparse (encode_sparse_array(false, 2,
// 10)), NaN and Infinity raise an error unless encode_invalid_numbers,
// decoding accepts what strtod accepts after a '-' or a digit (hex, inf,
// nan, leading zeros; decode_invalid_numbers(true)), and the error messages
// are lua-cjson's ("Cannot serialise function: type not supported",
// "Expected value but found invalid token at character 1").
//
// Object keys are written in gopher-lua's iteration order (insertion order),
// not C Lua's hash order: a JSON object's members may come out in another
// order than under Heka.
package cjson

import (
	"fmt"
	"math"
	"runtime"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
	"github.com/hekad-go/hekad/internal/lua/modutil"
)

// Name and Version are the module's _NAME and _VERSION.
const (
	Name    = "cjson"
	Version = "2.1.0"
)

// OutputLimitError is the error of an encode that needs a buffer larger
// than the output limit (the text of Heka's strbuf).
const OutputLimitError = "strbuf output_limit exceeded"

// Options are the limits of one sandbox.
type Options struct {
	// OutputLimit bounds the encode buffer in bytes (0: unlimited), as the
	// sandbox's output_limit does in Heka.
	OutputLimit int
	// MemoryLimit, when positive, refuses to decode a text longer than half
	// of it (the decoded data would not fit in the sandbox), and to encode
	// a text longer than it when there is no OutputLimit.
	MemoryLimit int64
}

// defaultBufferSize is lua-cjson's STRBUF_DEFAULT_SIZE.
const defaultBufferSize = 1023

// config is one module's settings and encode buffer.
type config struct {
	sparseConvert  bool
	sparseRatio    int
	sparseSafe     int
	encodeMaxDepth int
	decodeMaxDepth int
	encodeInvalid  int // 0 off, 1 on, 2 null
	decodeInvalid  bool
	decodeNull     bool
	precision      int

	maxSize int    // output limit; 0 unlimited
	size    int    // the size the C strbuf would have
	buf     []byte // the encode buffer (reused)
	maxText int    // decode limit; 0 unlimited
	maxMem  int    // without an output limit, the memory limit bounds an encode; 0 unlimited

	null *lua.LUserData
}

func newConfig(opts Options) *config {
	c := &config{sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
		decodeInvalid: true, precision: 14, maxSize: opts.OutputLimit, size: defaultBufferSize}
	if c.maxSize > 0 && c.maxSize < defaultBufferSize {
		c.size = c.maxSize
	}
	if opts.MemoryLimit > 0 {
		c.maxText = int(min(opts.MemoryLimit/2, math.MaxInt32))
		c.maxMem = int(min(opts.MemoryLimit, math.MaxInt32))
	}
	return c
}

// Loader returns the loader of the cjson module for a sandbox with these
// limits. The loader also sets the global cjson.
func Loader(opts Options) lua.LGFunction {
	return func(L *lua.LState) int {
		mod := New(L, opts)
		L.SetGlobal(Name, mod)
		L.Push(mod)
		return 1
	}
}

// Open is the loader of a cjson module without limits.
func Open(L *lua.LState) int { return Loader(Options{})(L) }

// New builds a cjson module table with its own settings.
func New(L *lua.LState, opts Options) *lua.LTable {
	c := newConfig(opts)
	c.null = L.NewUserData()
	c.null.Value = nullValue{}
	mod := L.NewTable()
	for name, fn := range map[string]func(*config, *lua.LState) int{
		"encode":                  (*config).encode,
		"decode":                  (*config).decode,
		"encode_sparse_array":     (*config).encodeSparseArray,
		"encode_max_depth":        (*config).encodeMaxDepthOpt,
		"decode_max_depth":        (*config).decodeMaxDepthOpt,
		"encode_number_precision": (*config).encodeNumberPrecision,
		"encode_invalid_numbers":  (*config).encodeInvalidNumbers,
		"decode_invalid_numbers":  (*config).decodeInvalidNumbers,
		"decode_null":             (*config).decodeNullOpt,
	} {
		mod.RawSetString(name, L.NewFunction(guard(c, fn)))
	}
	mod.RawSetString("null", c.null)
	mod.RawSetString("_NAME", lua.LString(Name))
	mod.RawSetString("_VERSION", lua.LString(Version))
	return mod
}

// nullValue is the value of the cjson.null userdata.
type nullValue struct{}

// guard binds fn to c and turns a Go panic that is not a Lua error (a bug)
// into a Lua error, so that it cannot take the host down.
func guard(c *config, fn func(*config, *lua.LState) int) lua.LGFunction {
	return func(L *lua.LState) (n int) {
		defer func() {
			if r := recover(); r != nil {
				if re, ok := r.(runtime.Error); ok {
					L.RaiseError("cjson: internal error: %v", re)
				}
				panic(r)
			}
		}()
		return fn(c, L)
	}
}

// raise raises a Lua error without a position, as luaL_error does from a C
// function.
var raise = modutil.Raise

// argInit checks that at most n arguments were given.
func argInit(L *lua.LState, fname string, n int) {
	if L.GetTop() > n {
		argError(L, fname, n+1, "found too many arguments")
	}
}

func (c *config) integerOption(L *lua.LState, fname string, i int, setting *int, lo, hi int) {
	switch v := L.Get(i).(type) {
	case *lua.LNilType:
	case lua.LNumber:
		n := int(v)
		if n < lo || n > hi {
			argError(L, fname, 1, fmt.Sprintf("expected integer between %d and %d", lo, hi))
		}
		*setting = n
	default:
		if f, ok := compat.ParseNumber(lua.LVAsString(v)); ok && v.Type() == lua.LTString {
			*setting = int(f)
		} else {
			argError(L, fname, i, "number expected, got "+typeName(v))
		}
	}
}

func (c *config) boolOption(L *lua.LState, fname string, i int, setting *bool) {
	switch v := L.Get(i).(type) {
	case *lua.LNilType:
	case lua.LBool:
		*setting = bool(v)
	case lua.LString:
		switch v {
		case "off":
			*setting = false
		case "on":
			*setting = true
		default:
			argError(L, fname, i, fmt.Sprintf("invalid option '%s'", string(v)))
		}
	default:
		argError(L, fname, i, "string expected, got "+typeName(v))
	}
}

// argError raises luaL_argerror's message.
var argError = modutil.ArgError

func (c *config) encodeSparseArray(L *lua.LState) int {
	const f = "encode_sparse_array"
	argInit(L, f, 3)
	c.boolOption(L, f, 1, &c.sparseConvert)
	c.integerOption(L, f, 2, &c.sparseRatio, 0, math.MaxInt32)
	c.integerOption(L, f, 3, &c.sparseSafe, 0, math.MaxInt32)
	L.Push(lua.LBool(c.sparseConvert))
	L.Push(lua.LNumber(c.sparseRatio))
	L.Push(lua.LNumber(c.sparseSafe))
	return 3
}

func (c *config) encodeMaxDepthOpt(L *lua.LState) int {
	argInit(L, "encode_max_depth", 1)
	c.integerOption(L, "encode_max_depth", 1, &c.encodeMaxDepth, 1, math.MaxInt32)
	L.Push(lua.LNumber(c.encodeMaxDepth))
	return 1
}

func (c *config) decodeMaxDepthOpt(L *lua.LState) int {
	argInit(L, "decode_max_depth", 1)
	c.integerOption(L, "decode_max_depth", 1, &c.decodeMaxDepth, 1, math.MaxInt32)
	L.Push(lua.LNumber(c.decodeMaxDepth))
	return 1
}

func (c *config) encodeNumberPrecision(L *lua.LState) int {
	argInit(L, "encode_number_precision", 1)
	c.integerOption(L, "encode_number_precision", 1, &c.precision, 1, 14)
	L.Push(lua.LNumber(c.precision))
	return 1
}

func (c *config) encodeInvalidNumbers(L *lua.LState) int {
	argInit(L, "encode_invalid_numbers", 1)
	options := []string{"off", "on", "null"}
	if v := L.Get(1); v != lua.LNil {
		if b, ok := v.(lua.LBool); ok {
			c.encodeInvalid = 0
			if b {
				c.encodeInvalid = 1
			}
		} else {
			s, ok := v.(lua.LString)
			if !ok {
				argError(L, "encode_invalid_numbers", 1, "string expected, got "+typeName(v))
			}
			found := false
			for i, o := range options {
				if o == string(s) {
					c.encodeInvalid, found = i, true
				}
			}
			if !found {
				argError(L, "encode_invalid_numbers", 1, fmt.Sprintf("invalid option '%s'", string(s)))
			}
		}
	}
	if c.encodeInvalid == 2 {
		L.Push(lua.LString("null"))
	} else {
		L.Push(lua.LBool(c.encodeInvalid == 1))
	}
	return 1
}

func (c *config) decodeInvalidNumbers(L *lua.LState) int {
	argInit(L, "decode_invalid_numbers", 1)
	c.boolOption(L, "decode_invalid_numbers", 1, &c.decodeInvalid)
	L.Push(lua.LBool(c.decodeInvalid))
	return 1
}

func (c *config) decodeNullOpt(L *lua.LState) int {
	argInit(L, "decode_null", 1)
	c.boolOption(L, "decode_null", 1, &c.decodeNull)
	L.Push(lua.LBool(c.decodeNull))
	return 1
}

// AppendNumber appends f as C's printf("%.<precision>g") writes it.
func AppendNumber(dst []byte, f float64, precision int) []byte {
	switch {
	case math.IsNaN(f):
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	return strconv.AppendFloat(dst, f, 'g', precision, 64)
}
