package compat

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// format is string.format with C Lua 5.1's rules: printf conversions
// c d i o u x X e E f g G q s and %%, flags "-+ #0", at most two digits of
// width and of precision, an error for a missing argument or an unknown
// conversion.
func (lb *lib) format(L *lua.LState) int {
	fs := L.CheckString(1)
	arg := 1
	var b strings.Builder
	for i := 0; i < len(fs); i++ {
		c := fs[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(fs) {
			L.RaiseError("%s", "invalid option '%' to 'format'")
		}
		if fs[i] == '%' {
			b.WriteByte('%')
			continue
		}
		start := i
		for i < len(fs) && strings.IndexByte("-+ #0", fs[i]) >= 0 {
			i++
		}
		if i-start > 5 {
			L.RaiseError("invalid format (repeated flags)")
		}
		flags := fs[start:i]
		digits := func() (int, bool) {
			j := i
			for i < len(fs) && fs[i] >= '0' && fs[i] <= '9' {
				i++
			}
			if i-j > 2 {
				L.RaiseError("invalid format (width or precision too long)")
			}
			if i == j {
				return 0, false
			}
			n, _ := strconv.Atoi(fs[j:i])
			return n, true
		}
		width, hasWidth := digits()
		prec, hasPrec := 0, false
		if i < len(fs) && fs[i] == '.' {
			i++
			prec, _ = digits()
			hasPrec = true
		}
		if i >= len(fs) {
			L.RaiseError("invalid option '%%%s' to 'format'", fs[start:])
		}
		verb := fs[i]
		spec := "%" + fs[start:i]
		arg++
		if arg > L.GetTop() {
			L.ArgError(arg, "no value")
		}
		switch verb {
		case 'c':
			b.WriteString(pad(string([]byte{byte(int(L.CheckNumber(arg)))}), width, hasWidth, flags))
		case 'd', 'i':
			n := int64(float64(L.CheckNumber(arg)))
			b.WriteString(fmt.Sprintf(spec+"d", n))
		case 'o', 'u', 'x', 'X':
			n := uint64(int64(float64(L.CheckNumber(arg))))
			v := verb
			if v == 'u' {
				v = 'd'
			}
			b.WriteString(fmt.Sprintf(spec+string(v), n))
		case 'e', 'E', 'f', 'g', 'G':
			f := float64(L.CheckNumber(arg))
			if math.IsInf(f, 0) || math.IsNaN(f) {
				s := string(AppendNumber(nil, f))
				if s[0] != '-' && strings.ContainsRune(flags, '+') {
					s = "+" + s
				} else if s[0] != '-' && strings.ContainsRune(flags, ' ') {
					s = " " + s
				}
				if verb == 'E' || verb == 'G' {
					s = strings.ToUpper(s)
				}
				b.WriteString(pad(s, width, hasWidth, strings.ReplaceAll(flags, "0", "")))
				break
			}
			b.WriteString(fmt.Sprintf(spec+string(verb), f))
		case 'q':
			quote(&b, L.CheckString(arg))
		case 's':
			v := L.Get(arg)
			s, ok := ToString(v)
			if !ok {
				L.ArgError(arg, "string expected, got "+v.Type().String())
			}
			if hasPrec && prec < len(s) {
				s = s[:prec]
			}
			b.WriteString(pad(s, width, hasWidth, flags))
		default:
			L.RaiseError("invalid option '%%%c' to 'format'", verb)
		}
		lb.checkSize(L, b.Len())
	}
	lb.alloc(L, b.Len())
	L.Push(lua.LString(b.String()))
	return 1
}

// pad pads s with spaces to width bytes, on the right when flags has '-'.
func pad(s string, width int, hasWidth bool, flags string) string {
	if !hasWidth || len(s) >= width {
		return s
	}
	fill := strings.Repeat(" ", width-len(s))
	if strings.ContainsRune(flags, '-') {
		return s + fill
	}
	return fill + s
}

// quote writes s as %q does in C Lua 5.1.
func quote(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString("\\\n")
		case '\r':
			b.WriteString("\\r")
		case 0:
			b.WriteString("\\000")
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// Quote is s as string.format("%q", s) writes it in C Lua 5.1: a Lua string
// literal that reads back as s.
func Quote(s string) string {
	var b strings.Builder
	quote(&b, s)
	return b.String()
}
