package compat

import (
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/hekad-go/hekad/internal/strftime"
)

// osDate is os.date in UTC (Heka's sandboxes run with TZ=UTC) with every
// C-locale strftime conversion of glibc, including %U %W %V %G %g.
func osDate(L *lua.LState) int {
	f := L.OptString(1, "%c")
	t := time.Now().UTC()
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		t = time.Unix(int64(float64(L.CheckNumber(2))), 0).UTC()
	}
	utc := strings.HasPrefix(f, "!")
	if utc {
		f = f[1:]
	}
	if strings.HasPrefix(f, "*t") {
		tb := L.NewTable()
		tb.RawSetString("year", lua.LNumber(t.Year()))
		tb.RawSetString("month", lua.LNumber(t.Month()))
		tb.RawSetString("day", lua.LNumber(t.Day()))
		tb.RawSetString("hour", lua.LNumber(t.Hour()))
		tb.RawSetString("min", lua.LNumber(t.Minute()))
		tb.RawSetString("sec", lua.LNumber(t.Second()))
		tb.RawSetString("wday", lua.LNumber(t.Weekday()+1))
		tb.RawSetString("yday", lua.LNumber(t.YearDay()))
		tb.RawSetString("isdst", lua.LFalse)
		L.Push(tb)
		return 1
	}
	var b []byte
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b = append(b, f[i])
			continue
		}
		i++
		b = appendDateVerb(b, f[i], t, utc)
	}
	L.Push(lua.LString(b))
	return 1
}

// appendDateVerb appends conversion v of t.
func appendDateVerb(b []byte, v byte, t time.Time, utc bool) []byte {
	two := func(n int) []byte {
		if n < 10 {
			b = append(b, '0')
		}
		return strconv.AppendInt(b, int64(n), 10)
	}
	switch v {
	case 'U': // week of the year, Sunday first, 00-53
		return two((t.YearDay() + 6 - int(t.Weekday())) / 7)
	case 'W': // week of the year, Monday first, 00-53
		return two((t.YearDay() + 6 - (int(t.Weekday())+6)%7) / 7)
	case 'V':
		_, w := t.ISOWeek()
		return two(w)
	case 'G':
		y, _ := t.ISOWeek()
		return strconv.AppendInt(b, int64(y), 10)
	case 'g':
		y, _ := t.ISOWeek()
		return two(y % 100)
	case 'Z':
		if utc {
			return append(b, "GMT"...)
		}
		return append(b, "UTC"...)
	case '%':
		return append(b, '%')
	}
	return append(b, strftime.String("%"+string(v), t)...)
}

// osTime is os.time in UTC: now, or the table's date normalised as mktime
// does with TZ=UTC.
func osTime(L *lua.LState) int {
	if L.GetTop() == 0 || L.Get(1) == lua.LNil {
		L.Push(lua.LNumber(time.Now().Unix()))
		return 1
	}
	t := L.CheckTable(1)
	field := func(name string, def int) int {
		v := L.GetField(t, name)
		if n, ok := v.(lua.LNumber); ok {
			return int(n)
		}
		if s, ok := v.(lua.LString); ok {
			if f, ok := ParseNumber(string(s)); ok {
				return int(f)
			}
		}
		if def < 0 {
			L.RaiseError("field '%s' missing in date table", name)
		}
		return def
	}
	sec, minute, hour := field("sec", 0), field("min", 0), field("hour", 12)
	day, month, year := field("day", -1), field("month", -1), field("year", -1)
	d := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	L.Push(lua.LNumber(d.Unix()))
	return 1
}
