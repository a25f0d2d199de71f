package lpeg

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is an error of a pattern's construction or match, raised in Lua
// with its message as LPeg words it.
type Error struct {
	Msg string
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// argErrorf is an error about argument arg of function fn, worded as
// Lua's luaL_argerror.
func argErrorf(arg int, fn, format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf("bad argument #%d to '%s' (%s)", arg, fn, fmt.Sprintf(format, args...))}
}

// numberString formats a number as C Lua 5.1 does (%.14g).
func numberString(f float64) string {
	if f == float64(int64(f)) && f < 1e14 && f > -1e14 {
		return strconv.FormatInt(int64(f), 10)
	}
	s := strconv.FormatFloat(f, 'g', 14, 64)
	if strings.Contains(s, "e") {
		mant, exp, _ := strings.Cut(s, "e")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
		}
		sign := exp[0]
		digits := strings.TrimLeft(exp[1:], "0")
		if len(digits) < 2 {
			digits = strings.Repeat("0", 2-len(digits)) + digits
		}
		return mant + "e" + string(sign) + digits
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
