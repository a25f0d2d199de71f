// Package strftime formats times with C strftime(3) conversions, as Heka's
// PayloadEncoder timestamps and FileOutput rotation paths do.
package strftime

import (
	"strconv"
	"time"
)

// Format is a compiled strftime(3) format. It supports the conversions
// Heka's PayloadEncoder did (through the gostrftime package) plus %c, %L,
// %N, %u, %x and %X, in the C locale:
//
//	%a %A  weekday name, abbreviated / full     %b %h %B  month name, abbreviated / full
//	%c     "%a %b %e %H:%M:%S %Y"               %C        century, 2 digits
//	%d %e  day of month, 0- / space-padded      %D        "%m/%d/%y"
//	%F     "%Y-%m-%d"                           %f %L %N  micro-, milli-, nanoseconds
//	%H %k  hour 00-23, 0- / space-padded        %I %l     hour 01-12, 0- / space-padded
//	%j     day of the year, 001-366             %m %M %S  month, minute, second
//	%n %t  newline, tab                         %p %P     AM/PM, am/pm
//	%r     "%I:%M:%S %p"                        %R %T     "%H:%M", "%H:%M:%S"
//	%s     seconds since the epoch              %u %w     weekday, 1-7 (Monday 1) / 0-6 (Sunday 0)
//	%v     "%e-%b-%Y"                           %x %X     "%m/%d/%y", "%H:%M:%S"
//	%y %Y  year, 2 / 4 digits                   %z %Z     zone offset (-0700), zone name
//	%%     a percent sign
//
// Any other conversion, and a '%' ending the format, is written as is.
type Format struct {
	ops []sfOp
}

// sfOp is literal text (verb 0) or one conversion.
type sfOp struct {
	lit  string
	verb byte
}

// isVerb reports whether c is a supported conversion character.
func isVerb(c byte) bool {
	switch c {
	case 'a', 'A', 'b', 'B', 'c', 'C', 'd', 'D', 'e', 'f', 'F', 'h', 'H', 'I', 'j', 'k', 'l', 'L',
		'm', 'M', 'n', 'N', 'p', 'P', 'r', 'R', 's', 'S', 't', 'T', 'u', 'v', 'w', 'x', 'X',
		'y', 'Y', 'z', 'Z':
		return true
	}
	return false
}

// Parse compiles format. It never fails: what is not a supported
// conversion is literal text.
func Parse(format string) Format {
	var f Format
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			f.ops = append(f.ops, sfOp{lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			lit = append(lit, c)
			continue
		}
		i++
		v := format[i]
		switch {
		case v == '%':
			lit = append(lit, '%')
		case isVerb(v):
			flush()
			f.ops = append(f.ops, sfOp{verb: v})
		default:
			lit = append(lit, '%', v)
		}
	}
	flush()
	return f
}

var (
	longDays    = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	longMonths  = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	shortDays   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	shortMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// clock holds the parts of a time that most conversions use, computed
// once per format rather than once per conversion.
type clock struct {
	t                       time.Time
	year, day               int
	month                   time.Month
	hour, min, sec, nanosec int
}

func newClock(t time.Time) clock {
	c := clock{t: t, nanosec: t.Nanosecond()}
	c.year, c.month, c.day = t.Date()
	c.hour, c.min, c.sec = t.Clock()
	return c
}

// AppendTo appends t formatted by f to dst, without allocating.
func (f *Format) AppendTo(dst []byte, t time.Time) []byte {
	if len(f.ops) == 1 && f.ops[0].verb == 0 {
		return append(dst, f.ops[0].lit...)
	}
	c := newClock(t)
	for _, op := range f.ops {
		if op.verb == 0 {
			dst = append(dst, op.lit...)
			continue
		}
		dst = appendVerb(dst, op.verb, &c)
	}
	return dst
}

func hour12(h int) int {
	if h%12 == 0 {
		return 12
	}
	return h % 12
}

func appendVerb(dst []byte, v byte, c *clock) []byte {
	t := c.t
	switch v {
	case 'a':
		return append(dst, shortDays[t.Weekday()]...)
	case 'A':
		return append(dst, longDays[t.Weekday()]...)
	case 'b', 'h':
		return append(dst, shortMonths[c.month-1]...)
	case 'B':
		return append(dst, longMonths[c.month-1]...)
	case 'c':
		dst = appendVerb(dst, 'a', c)
		dst = append(dst, ' ')
		dst = appendVerb(dst, 'b', c)
		dst = append(dst, ' ')
		dst = pad(dst, c.day, 2, ' ')
		dst = append(dst, ' ')
		dst = appendVerb(dst, 'T', c)
		dst = append(dst, ' ')
		return appendVerb(dst, 'Y', c)
	case 'C':
		return pad(dst, c.year/100, 2, '0')
	case 'd':
		return pad(dst, c.day, 2, '0')
	case 'D', 'x':
		dst = pad(dst, int(c.month), 2, '0')
		dst = append(dst, '/')
		dst = pad(dst, c.day, 2, '0')
		dst = append(dst, '/')
		return pad(dst, c.year%100, 2, '0')
	case 'e':
		return pad(dst, c.day, 2, ' ')
	case 'f':
		return pad(dst, c.nanosec/1e3, 6, '0')
	case 'F':
		dst = pad(dst, c.year, 4, '0')
		dst = append(dst, '-')
		dst = pad(dst, int(c.month), 2, '0')
		dst = append(dst, '-')
		return pad(dst, c.day, 2, '0')
	case 'H':
		return pad(dst, c.hour, 2, '0')
	case 'I':
		return pad(dst, hour12(c.hour), 2, '0')
	case 'j':
		return pad(dst, t.YearDay(), 3, '0')
	case 'k':
		return pad(dst, c.hour, 2, ' ')
	case 'l':
		return pad(dst, hour12(c.hour), 2, ' ')
	case 'L':
		return pad(dst, c.nanosec/1e6, 3, '0')
	case 'm':
		return pad(dst, int(c.month), 2, '0')
	case 'M':
		return pad(dst, c.min, 2, '0')
	case 'n':
		return append(dst, '\n')
	case 'N':
		return pad(dst, c.nanosec, 9, '0')
	case 'p':
		if c.hour < 12 {
			return append(dst, "AM"...)
		}
		return append(dst, "PM"...)
	case 'P':
		if c.hour < 12 {
			return append(dst, "am"...)
		}
		return append(dst, "pm"...)
	case 'r':
		dst = appendVerb(dst, 'I', c)
		dst = append(dst, ':')
		dst = appendVerb(dst, 'M', c)
		dst = append(dst, ':')
		dst = appendVerb(dst, 'S', c)
		dst = append(dst, ' ')
		return appendVerb(dst, 'p', c)
	case 'R':
		dst = appendVerb(dst, 'H', c)
		dst = append(dst, ':')
		return appendVerb(dst, 'M', c)
	case 's':
		return strconv.AppendInt(dst, t.Unix(), 10)
	case 'S':
		return pad(dst, c.sec, 2, '0')
	case 't':
		return append(dst, '\t')
	case 'T', 'X':
		dst = appendVerb(dst, 'H', c)
		dst = append(dst, ':')
		dst = appendVerb(dst, 'M', c)
		dst = append(dst, ':')
		return appendVerb(dst, 'S', c)
	case 'u':
		if wd := t.Weekday(); wd != time.Sunday {
			return strconv.AppendInt(dst, int64(wd), 10)
		}
		return append(dst, '7')
	case 'v':
		dst = pad(dst, c.day, 2, ' ')
		dst = append(dst, '-')
		dst = appendVerb(dst, 'b', c)
		dst = append(dst, '-')
		return pad(dst, c.year, 4, '0')
	case 'w':
		return strconv.AppendInt(dst, int64(t.Weekday()), 10)
	case 'y':
		return pad(dst, c.year%100, 2, '0')
	case 'Y':
		return pad(dst, c.year, 4, '0')
	case 'z':
		_, off := t.Zone()
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		dst = append(dst, sign)
		dst = pad(dst, off/3600, 2, '0')
		return pad(dst, off/60%60, 2, '0')
	case 'Z':
		name, _ := t.Zone()
		return append(dst, name...)
	}
	return append(dst, '%', v)
}

// pad appends n in decimal, left-padded with fill to width characters. A
// negative n gets its sign before the padding.
func pad(dst []byte, n, width int, fill byte) []byte {
	if n < 0 {
		dst = append(dst, '-')
		n = -n
		width--
	}
	digits := 1
	for m := n; m >= 10; m /= 10 {
		digits++
	}
	for ; digits < width; digits++ {
		dst = append(dst, fill)
	}
	return strconv.AppendInt(dst, int64(n), 10)
}

// String formats t by layout (a convenience for formats used once).
func String(layout string, t time.Time) string {
	f := Parse(layout)
	return string(f.AppendTo(nil, t))
}
