package payload

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// epochDigits maps the Epoch layouts to the number of decimal digits
// between their unit and nanoseconds.
var epochDigits = map[string]int{
	"Epoch":      9,
	"EpochMilli": 6,
	"EpochMicro": 3,
	"EpochNano":  0,
}

// fallbackLayouts are tried, in this order, when timestamp_layout does not
// parse a timestamp (Heka tried the same set, in random order).
var fallbackLayouts = [...]string{
	time.ANSIC, time.UnixDate, time.RubyDate, time.RFC822, time.RFC822Z,
	time.RFC850, time.RFC1123, time.RFC1123Z, time.RFC3339, time.RFC3339Nano,
	time.Kitchen, time.Stamp, time.StampMilli, time.StampMicro, time.StampNano,
}

// checkLayout validates a timestamp_layout value.
func checkLayout(layout string) error {
	if strings.HasPrefix(layout, "Epoch") {
		if _, ok := epochDigits[layout]; !ok {
			return fmt.Errorf("unknown Epoch layout %q (want Epoch, EpochMilli, EpochMicro or EpochNano)", layout)
		}
	}
	return nil
}

// timeParser turns the text of a Timestamp capture into Unix nanoseconds.
type timeParser struct {
	layout string
	epoch  int // decimal digits below the Epoch unit, or -1 for a Go layout
	loc    *time.Location
	now    func() time.Time
}

func newTimeParser(layout string, loc *time.Location) timeParser {
	tp := timeParser{layout: layout, epoch: -1, loc: loc, now: time.Now}
	if d, ok := epochDigits[layout]; ok {
		tp.epoch = d
	}
	return tp
}

// parse returns s as Unix nanoseconds. A Go layout is tried first, then
// the standard layouts; a result without a year gets the current year, and
// one without a date (a Kitchen time) the current date, in the parser's
// location.
func (tp *timeParser) parse(s string) (int64, error) {
	if tp.epoch >= 0 {
		return parseEpoch(s, tp.epoch)
	}
	t, err := time.ParseInLocation(tp.layout, s, tp.loc)
	if err != nil {
		ok := false
		for _, l := range fallbackLayouts {
			var err2 error
			if t, err2 = time.ParseInLocation(l, s, tp.loc); err2 == nil {
				ok = true
				break
			}
		}
		if !ok {
			return 0, err
		}
	}
	if t.Year() == 0 {
		now := tp.now().In(tp.loc)
		if t.Month() == time.January && t.Day() == 1 {
			t = t.AddDate(now.Year(), int(now.Month()-1), now.Day()-1)
		} else {
			t = t.AddDate(now.Year(), 0, 0)
		}
	}
	return t.UnixNano(), nil
}

var errEpoch = errors.New("not a non-negative decimal number that fits in 64 bits of nanoseconds")

// parseEpoch reads a decimal number of seconds (digits = 9), milliseconds
// (6), microseconds (3) or nanoseconds (0) since the Unix epoch, with an
// optional fraction that is truncated to nanoseconds, without floating
// point, as Heka does.
func parseEpoch(s string, digits int) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > digits {
		frac = frac[:digits]
	}
	if len(whole)+digits == 0 {
		return 0, fmt.Errorf("%q: %w", s, errEpoch)
	}
	var n uint64
	add := func(c byte) bool {
		if c < '0' || c > '9' {
			return false
		}
		if n > (math.MaxInt64-uint64(c-'0'))/10 {
			return false
		}
		n = n*10 + uint64(c-'0')
		return true
	}
	for i := 0; i < len(whole); i++ {
		if !add(whole[i]) {
			return 0, fmt.Errorf("%q: %w", s, errEpoch)
		}
	}
	for i := 0; i < digits; i++ {
		c := byte('0')
		if i < len(frac) {
			c = frac[i]
		}
		if !add(c) {
			return 0, fmt.Errorf("%q: %w", s, errEpoch)
		}
	}
	return int64(n), nil
}
