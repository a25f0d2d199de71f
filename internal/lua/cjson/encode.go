package cjson

import (
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/lua/compat"
)

// escapes is lua-cjson's char2escape: control characters, '"', '\\', '/'
// and DEL are escaped; every other byte (UTF-8 or not) passes through.
var escapes = func() (t [256]string) {
	const hex = "0123456789abcdef"
	for i := 0; i < 0x20; i++ {
		t[i] = `\u00` + string(hex[i>>4]) + string(hex[i&15])
	}
	t['\b'], t['\t'], t['\n'], t['\f'], t['\r'] = `\b`, `\t`, `\n`, `\f`, `\r`
	t['"'], t['\\'], t['/'], t[0x7f] = `\"`, `\\`, `\/`, `\u007f`
	return t
}()

// typeName is lua_typename's name of v's type.
func typeName(v lua.LValue) string {
	if v.Type() == lua.LTChannel {
		return "userdata"
	}
	return v.Type().String()
}

// ensure reserves n more bytes as lua-cjson's strbuf_ensure_empty_length
// does: the modelled buffer doubles until the request fits, and a request
// beyond the output limit raises its error.
func (c *config) ensure(L *lua.LState, n int) {
	length := len(c.buf)
	if n <= c.size-length-1 {
		return
	}
	req := length + n + 1
	if c.maxSize > 0 && req > c.maxSize {
		c.buf = c.buf[:0]
		raise(L, OutputLimitError)
	}
	if c.maxSize == 0 && c.maxMem > 0 && req > c.maxMem {
		c.buf = c.buf[:0]
		raise(L, compat.MemoryError)
	}
	size := c.size
	for size < req {
		size *= 2
	}
	if c.maxSize > 0 && size > c.maxSize {
		size = c.maxSize
	}
	c.size = size
}

func (c *config) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, "encode", 1, "expected 1 argument")
	}
	c.buf = c.buf[:0]
	c.appendValue(L, L.Get(1), 0)
	L.Push(lua.LString(c.buf))
	if cap(c.buf) > 1<<20 {
		c.buf = nil // do not keep a huge buffer for the sandbox's life
	}
	return 1
}

// Encode encodes v with lua-cjson's default settings and no limit.
func Encode(L *lua.LState, v lua.LValue) string {
	c := newConfig(Options{})
	c.appendValue(L, v, 0)
	return string(c.buf)
}

func (c *config) exception(L *lua.LState, v lua.LValue, reason string) {
	c.buf = c.buf[:0]
	raise(L, "Cannot serialise %s: %s", typeName(v), reason)
}

func (c *config) appendValue(L *lua.LState, v lua.LValue, depth int) {
	switch v := v.(type) {
	case lua.LString:
		c.appendString(L, string(v))
	case lua.LNumber:
		c.appendNumber(L, v, v)
	case lua.LBool:
		if v {
			c.ensure(L, 4)
			c.buf = append(c.buf, "true"...)
		} else {
			c.ensure(L, 5)
			c.buf = append(c.buf, "false"...)
		}
	case *lua.LTable:
		depth++
		if depth > c.encodeMaxDepth {
			c.buf = c.buf[:0]
			raise(L, "Cannot serialise, excessive nesting (%d)", depth)
		}
		if n := c.arrayLength(L, v); n > 0 {
			c.appendArray(L, v, n, depth)
		} else {
			c.appendObject(L, v, depth)
		}
	case *lua.LNilType:
		c.ensure(L, 4)
		c.buf = append(c.buf, "null"...)
	case *lua.LUserData:
		if v == c.null {
			c.ensure(L, 4)
			c.buf = append(c.buf, "null"...)
			return
		}
		c.exception(L, v, "type not supported")
	default:
		c.exception(L, v, "type not supported")
	}
}

func (c *config) appendString(L *lua.LState, s string) {
	c.ensure(L, len(s)*6+2)
	c.buf = append(c.buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		if e := escapes[s[i]]; e != "" {
			c.buf = append(c.buf, s[start:i]...)
			c.buf = append(c.buf, e...)
			start = i + 1
		}
	}
	c.buf = append(c.buf, s[start:]...)
	c.buf = append(c.buf, '"')
}

// appendNumber appends n; what names the value in an error (the number
// itself, or the key it is).
func (c *config) appendNumber(L *lua.LState, n lua.LNumber, what lua.LValue) {
	f := float64(n)
	if math.IsInf(f, 0) || math.IsNaN(f) {
		switch c.encodeInvalid {
		case 0:
			c.exception(L, what, "must not be NaN or Infinity")
		case 1:
			var s string
			switch {
			case math.IsNaN(f):
				s = "NaN"
			case f < 0:
				s = "-Infinity"
			default:
				s = "Infinity"
			}
			c.ensure(L, len(s))
			c.buf = append(c.buf, s...)
			return
		default:
			c.ensure(L, 4)
			c.buf = append(c.buf, "null"...)
			return
		}
	}
	c.ensure(L, 32)
	if i := int64(f); float64(i) == f && i > -1e14 && i < 1e14 && (i != 0 || !math.Signbit(f)) {
		// %.14g of an integer below 10^14 is the integer itself.
		if c.precision == 14 {
			var tmp [20]byte
			c.buf = append(c.buf, appendInt(tmp[:0], i)...)
			return
		}
	}
	c.buf = AppendNumber(c.buf, f, c.precision)
}

func appendInt(dst []byte, i int64) []byte {
	if i < 0 {
		dst = append(dst, '-')
		i = -i
	}
	var b [20]byte
	p := len(b)
	for {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			break
		}
	}
	return append(dst, b[p:]...)
}

// arrayLength is lua-cjson's lua_array_length: the largest key when every
// key is an integer >= 1 (and the table not excessively sparse), else -1.
// An empty table is 0 and encodes as an object.
func (c *config) arrayLength(L *lua.LState, t *lua.LTable) int {
	max, items := 0, 0
	object := false
	each(t, func(k, _ lua.LValue) bool {
		if n, ok := k.(lua.LNumber); ok && n != 0 {
			if f := float64(n); math.Floor(f) == f && f >= 1 {
				if f > float64(max) {
					if f > math.MaxInt32 {
						max = math.MinInt32 // C's (int) conversion on amd64
					} else {
						max = int(f)
					}
				}
				items++
				return true
			}
		}
		object = true
		return false
	})
	if object {
		return -1
	}
	if c.sparseRatio > 0 && max > items*c.sparseRatio && max > c.sparseSafe {
		if !c.sparseConvert {
			c.exception(L, t, "excessively sparse array")
		}
		return -1
	}
	return max
}

func (c *config) appendArray(L *lua.LState, t *lua.LTable, n, depth int) {
	c.ensure(L, 1)
	c.buf = append(c.buf, '[')
	for i := 1; i <= n; i++ {
		if i > 1 {
			c.ensure(L, 1)
			c.buf = append(c.buf, ',')
		}
		c.appendValue(L, t.RawGetInt(i), depth)
	}
	c.ensure(L, 1)
	c.buf = append(c.buf, ']')
}

func (c *config) appendObject(L *lua.LState, t *lua.LTable, depth int) {
	c.ensure(L, 1)
	c.buf = append(c.buf, '{')
	comma := false
	each(t, func(k, v lua.LValue) bool {
		if comma {
			c.ensure(L, 1)
			c.buf = append(c.buf, ',')
		}
		comma = true
		switch k := k.(type) {
		case lua.LNumber:
			c.ensure(L, 1)
			c.buf = append(c.buf, '"')
			c.appendNumber(L, k, k)
			c.ensure(L, 2)
			c.buf = append(c.buf, '"', ':')
		case lua.LString:
			c.appendString(L, string(k))
			c.ensure(L, 1)
			c.buf = append(c.buf, ':')
		default:
			c.exception(L, k, "table key must be a number or string")
		}
		c.appendValue(L, v, depth)
		return true
	})
	c.ensure(L, 1)
	c.buf = append(c.buf, '}')
}

// each calls fn for the entries of t in the order of next (gopher-lua's
// insertion order for hash keys, so that an encode is deterministic) until
// fn returns false.
func each(t *lua.LTable, fn func(k, v lua.LValue) bool) {
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		if !fn(k, v) {
			return
		}
	}
}
