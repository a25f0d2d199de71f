package file

import (
	"strconv"
	"time"
)

// strftime formats t by the C strftime conversions of layout, as Heka's
// FileOutput formats its path when it rotates. Supported: %a %A %b %h %B
// %c %C %d %D %e %F %H %I %j %k %l %m %M %n %p %r %R %s %S %t %T %u %w %y
// %Y %z %Z %%. Any other conversion is copied as written.
func strftime(layout string, t time.Time) string {
	b := make([]byte, 0, len(layout)+16)
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c != '%' || i+1 == len(layout) {
			b = append(b, c)
			continue
		}
		i++
		switch v := layout[i]; v {
		case 'a':
			b = append(b, t.Weekday().String()[:3]...)
		case 'A':
			b = append(b, t.Weekday().String()...)
		case 'b', 'h':
			b = append(b, t.Month().String()[:3]...)
		case 'B':
			b = append(b, t.Month().String()...)
		case 'c':
			b = t.AppendFormat(b, "Mon Jan  2 15:04:05 2006")
		case 'C':
			b = pad2(b, t.Year()/100, '0')
		case 'd':
			b = pad2(b, t.Day(), '0')
		case 'D':
			b = t.AppendFormat(b, "01/02/06")
		case 'e':
			b = pad2(b, t.Day(), ' ')
		case 'F':
			b = t.AppendFormat(b, "2006-01-02")
		case 'H':
			b = pad2(b, t.Hour(), '0')
		case 'I':
			b = pad2(b, hour12(t), '0')
		case 'j':
			d := t.YearDay()
			if d < 100 {
				b = append(b, '0')
			}
			b = pad2(b, d, '0')
		case 'k':
			b = pad2(b, t.Hour(), ' ')
		case 'l':
			b = pad2(b, hour12(t), ' ')
		case 'm':
			b = pad2(b, int(t.Month()), '0')
		case 'M':
			b = pad2(b, t.Minute(), '0')
		case 'n':
			b = append(b, '\n')
		case 'p':
			b = t.AppendFormat(b, "PM")
		case 'r':
			b = t.AppendFormat(b, "03:04:05 PM")
		case 'R':
			b = t.AppendFormat(b, "15:04")
		case 's':
			b = strconv.AppendInt(b, t.Unix(), 10)
		case 'S':
			b = pad2(b, t.Second(), '0')
		case 't':
			b = append(b, '\t')
		case 'T':
			b = t.AppendFormat(b, "15:04:05")
		case 'u':
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b = strconv.AppendInt(b, int64(wd), 10)
		case 'w':
			b = strconv.AppendInt(b, int64(t.Weekday()), 10)
		case 'y':
			b = pad2(b, t.Year()%100, '0')
		case 'Y':
			b = strconv.AppendInt(b, int64(t.Year()), 10)
		case 'z':
			b = t.AppendFormat(b, "-0700")
		case 'Z':
			b = t.AppendFormat(b, "MST")
		case '%':
			b = append(b, '%')
		default:
			b = append(b, '%', v)
		}
	}
	return string(b)
}

// pad2 appends n with at least two digits, padded with pad.
func pad2(b []byte, n int, pad byte) []byte {
	if n < 10 {
		b = append(b, pad)
	}
	return strconv.AppendInt(b, int64(n), 10)
}

func hour12(t time.Time) int {
	h := t.Hour() % 12
	if h == 0 {
		h = 12
	}
	return h
}
