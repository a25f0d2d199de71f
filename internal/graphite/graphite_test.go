package graphite

import (
	"errors"
	"strconv"
	"testing"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		line  string
		name  string
		value float64
		ts    int64
		err   error
	}{
		{"stats.a 1 100", "stats.a", 1, 100, nil},
		{"stats.a\t2.500000  100\r", "stats.a", 2.5, 100, nil},
		{"  a -3 0", "a", -3, 0, nil},
		{"a 1", "", 0, 0, ErrFields},
		{"a 1 2 3", "", 0, 0, ErrFields},
		{"", "", 0, 0, ErrFields},
		{"a x 1", "", 0, 0, ErrValue},
		{"a NaN 1", "", 0, 0, ErrValue},
		{"a 1 -1", "", 0, 0, ErrTimestamp},
		{"a 1 0x10", "", 0, 0, ErrTimestamp},
	}
	for _, tc := range tests {
		name, v, ts, err := ParseLine([]byte(tc.line))
		if !errors.Is(err, tc.err) || string(name) != tc.name || v != tc.value || ts != tc.ts {
			t.Errorf("%q: %q %v %v %v, want %q %v %v %v", tc.line, name, v, ts, err, tc.name, tc.value, tc.ts, tc.err)
		}
	}
}

// FuzzParseLine: no panic; a line that parses prints back to one that
// parses to the same.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"a 1 100", "a\t1e3 5", "x y z", " a 1 1 ", "a 1.5 99999999999"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		name, v, ts, err := ParseLine(line)
		if err != nil {
			return
		}
		again := string(name) + " " + strconv.FormatFloat(v, 'g', -1, 64) + " " + strconv.FormatInt(ts, 10)
		n2, v2, ts2, err := ParseLine([]byte(again))
		if err != nil || string(n2) != string(name) || v2 != v || ts2 != ts {
			t.Fatalf("%q -> %q: %q %v %v %v", line, again, n2, v2, ts2, err)
		}
	})
}
