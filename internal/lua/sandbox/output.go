package sandbox

import (
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// Outputter is implemented by userdata values that add_to_payload can write
// (circular_buffer writes its text format).
type Outputter interface {
	AppendOutput(dst []byte) ([]byte, error)
}

// Output is a sandbox's output buffer: what add_to_payload appends and
// inject_payload sends. Its size is bounded by output_limit.
type Output struct {
	buf   []byte
	limit int
}

// Bytes is the buffer's content; it stays valid until the next change.
func (o *Output) Bytes() []byte { return o.buf }

// Len is the buffer's size in bytes.
func (o *Output) Len() int { return len(o.buf) }

// Reset empties the buffer.
func (o *Output) Reset() { o.buf = o.buf[:0] }

// Append appends the Lua values of the stack from index first on, formatted
// as Heka's add_to_payload does, and raises "output_limit exceeded" when the
// buffer would grow past the limit (the buffer is then left as it was).
func (o *Output) Append(L *lua.LState, first int) {
	mark := len(o.buf)
	for i := first; i <= L.GetTop(); i++ {
		switch v := L.Get(i).(type) {
		case lua.LNumber:
			o.buf = AppendPayloadNumber(o.buf, float64(v))
		case lua.LString:
			o.buf = append(o.buf, v...)
		case lua.LBool:
			o.buf = strconv.AppendBool(o.buf, bool(v))
		case *lua.LNilType:
			o.buf = append(o.buf, "nil"...)
		case *lua.LUserData:
			out, ok := v.Value.(Outputter)
			if !ok {
				o.buf = o.buf[:mark]
				L.ArgError(i, "unsupported type")
			}
			var err error
			if o.buf, err = out.AppendOutput(o.buf); err != nil {
				o.buf = o.buf[:mark]
				L.RaiseError("%s", err.Error())
			}
		default:
			o.buf = o.buf[:mark]
			L.ArgError(i, "unsupported type")
		}
		if o.limit > 0 && len(o.buf) > o.limit {
			o.buf = o.buf[:mark]
			L.RaiseError(msgOutputLimit)
		}
	}
}

// AppendPayloadNumber appends f as Heka's output functions write numbers:
// integers in full, fractions with at most 8 decimals (rounded half to even,
// trailing zeros dropped), magnitudes above 2^31-1 with %0.17g, and nan, inf,
// -inf.
func AppendPayloadNumber(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	if math.Abs(f) > math.MaxInt32 {
		return strconv.AppendFloat(dst, f, 'g', 17, 64)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	const magnitude = 100000000
	whole := int64(f)
	scaled := (f - float64(whole)) * magnitude
	frac := int64(scaled)
	diff := scaled - float64(frac)
	if diff > 0.5 || (diff == 0.5 && (frac == 0 || frac&1 == 1)) {
		frac++
		if frac >= magnitude {
			frac = 0
			whole++
		}
	}
	dst = strconv.AppendInt(dst, whole, 10)
	if frac == 0 {
		return dst
	}
	var digits [8]byte
	for i := 7; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	end := 8
	for end > 0 && digits[end-1] == '0' {
		end--
	}
	dst = append(dst, '.')
	return append(dst, digits[:end]...)
}
