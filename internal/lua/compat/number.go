package compat

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// AppendNumber appends f formatted as C Lua 5.1 formats a number for
// tostring, print and `..` (printf "%.14g", with glibc's inf, -inf, nan and
// -nan).
func AppendNumber(dst []byte, f float64) []byte {
	if f == math.Trunc(f) && math.Abs(f) < 1e14 {
		if f == 0 && math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return strconv.AppendInt(dst, int64(f), 10)
	}
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 14, 64)
}

// FormatNumber is AppendNumber to a new string.
func FormatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e14 && (f != 0 || !math.Signbit(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return string(AppendNumber(nil, f))
}

// ToString converts v as C Lua 5.1's lua_tolstring does: strings as they
// are, numbers with FormatNumber; ok is false for any other type.
func ToString(v lua.LValue) (s string, ok bool) {
	switch x := v.(type) {
	case lua.LString:
		return string(x), true
	case lua.LNumber:
		return FormatNumber(float64(x)), true
	}
	return "", false
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// ParseNumber converts s as C Lua 5.1's luaO_str2d does: strtod (decimal,
// exponent, inf, nan, C99 hexadecimal floats) or a hexadecimal integer,
// surrounded by optional white space. ok is false when s is not a number.
func ParseNumber(s string) (f float64, ok bool) {
	s = strings.TrimFunc(s, func(r rune) bool { return r < 0x80 && isSpace(byte(r)) })
	if s == "" || strings.ContainsRune(s, '_') {
		return 0, false
	}
	body, neg := s, false
	if body[0] == '-' || body[0] == '+' {
		neg, body = body[0] == '-', body[1:]
	}
	if len(body) > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') && !strings.ContainsAny(body, "pP.") {
		u, err := strconv.ParseUint(body[2:], 16, 64)
		if err != nil {
			if ne, isNum := err.(*strconv.NumError); !isNum || ne.Err != strconv.ErrRange {
				return 0, false
			}
			u = math.MaxUint64
		}
		f = float64(u)
		if neg {
			f = -f
		}
		return f, true
	}
	if body == "" || !(body[0] >= '0' && body[0] <= '9' || body[0] == '.' || body[0] == 'i' || body[0] == 'I' || body[0] == 'n' || body[0] == 'N') {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, isNum := err.(*strconv.NumError); !isNum || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	return f, true
}

// parseBase converts s in base (2 to 36) as C Lua 5.1's tonumber with a base
// does (strtoul: optional white space and sign, digits, white space).
func parseBase(s string, base int) (float64, bool) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	if base == 16 && i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') {
		i += 2
	}
	var n uint64
	start := i
	for ; i < len(s); i++ {
		c := s[i]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'a' && c <= 'z':
			d = int(c-'a') + 10
		case c >= 'A' && c <= 'Z':
			d = int(c-'A') + 10
		default:
			d = 99
		}
		if d >= base {
			break
		}
		n = n*uint64(base) + uint64(d)
	}
	if i == start {
		return 0, false
	}
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i != len(s) {
		return 0, false
	}
	if neg {
		n = -n
	}
	return float64(n), true
}
