package statsd

import (
	"bytes"
	"errors"
	"math"
	"strconv"
)

// Kind is the statsd type of a Stat.
type Kind uint8

// The statsd types hekad aggregates.
const (
	// Counter ("|c", and "|h" as in Heka) adds its value, scaled by the
	// sample rate, to a count.
	Counter Kind = iota
	// Timer ("|ms") adds a sample to the timings of the interval.
	Timer
	// Gauge ("|g") sets a value, or moves it when the value has a sign.
	Gauge
)

// String returns the statsd name of the kind.
func (k Kind) String() string {
	switch k {
	case Counter:
		return "c"
	case Timer:
		return "ms"
	case Gauge:
		return "g"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Stat is one statsd sample: "bucket:value|type|@rate".
type Stat struct {
	// Bucket is the metric name. The bytes may belong to the datagram
	// the stat was parsed from: they are valid until the call that got
	// the Stat returns.
	Bucket []byte
	// Value is the sample's value.
	Value float64
	// Kind is the statsd type.
	Kind Kind
	// SampleRate is the "@rate" of the line (1 when absent): a counter
	// counts 1/SampleRate for each sample.
	SampleRate float32
	// Delta says that a gauge's value had a sign ("+3", "-2"): it moves
	// the gauge instead of setting it.
	Delta bool
}

// Errors of ParseLine.
var (
	errNoColon  = errors.New("no ':' after the bucket")
	errBucket   = errors.New("empty bucket or bucket with white space")
	errNoType   = errors.New("no '|type' after the value")
	errType     = errors.New("unknown type: want c, ms, g or h")
	errValue    = errors.New("value is not a finite number")
	errRate     = errors.New("sample rate is not a number above 0")
	errOverflow = errors.New("counter value out of range")
)

// ParseLine parses one statsd line, "bucket:value|type" optionally
// followed by "|@rate" and by other "|..." sections (tags), which are
// ignored. It does not allocate; the Stat's Bucket points into line.
func ParseLine(line []byte) (Stat, error) {
	var s Stat
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return s, errNoColon
	}
	s.Bucket = line[:colon]
	if len(s.Bucket) == 0 || bytes.ContainsAny(s.Bucket, " \t\r\v\f") {
		return s, errBucket
	}
	rest := line[colon+1:]
	pipe := bytes.IndexByte(rest, '|')
	if pipe < 0 {
		return s, errNoType
	}
	value := rest[:pipe]
	rest = rest[pipe+1:]
	typ := rest
	if i := bytes.IndexByte(rest, '|'); i >= 0 {
		typ, rest = rest[:i], rest[i+1:]
	} else {
		rest = nil
	}
	switch string(typ) {
	case "c", "h":
		// Heka took "h" (DogStatsD's histogram) for a counter; kept, so
		// that its metrics stay what they were.
		s.Kind = Counter
	case "ms":
		s.Kind = Timer
	case "g":
		s.Kind = Gauge
		s.Delta = len(value) > 0 && (value[0] == '+' || value[0] == '-')
	default:
		return s, errType
	}
	bits := 64
	if s.Kind == Counter {
		bits = 32 // Heka's precision: rounded once, straight to float32
	}
	v, err := strconv.ParseFloat(string(value), bits)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return s, errValue
	}
	s.Value = v
	s.SampleRate = 1
	for len(rest) > 0 {
		sec := rest
		if i := bytes.IndexByte(rest, '|'); i >= 0 {
			sec, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if len(sec) == 0 || sec[0] != '@' {
			continue // a tag section ("#a:b") or an empty one
		}
		r, err := strconv.ParseFloat(string(sec[1:]), 32)
		if err != nil || !(r > 0) || math.IsInf(r, 0) {
			return s, errRate
		}
		s.SampleRate = float32(r)
	}
	if s.Kind == Counter {
		if _, ok := counterIncrement(s); !ok {
			return s, errOverflow
		}
	}
	return s, nil
}

// counterIncrement is what a counter sample adds to its count: Heka's
// arithmetic, in float32, truncated towards zero (so "1|c|@0.1" adds 10
// and "0.5|c" adds 0).
func counterIncrement(s Stat) (int64, bool) {
	f := float32(s.Value) * (1 / s.SampleRate)
	if math.IsInf(float64(f), 0) || f >= math.MaxInt64 || f <= math.MinInt64 {
		return 0, false
	}
	return int64(f), true
}

// LineError is a malformed line of a datagram.
type LineError struct {
	// Line is the line, trimmed; it may point into the datagram.
	Line []byte
	// Err says what is wrong with it.
	Err error
}

// ParseDatagram parses the lines of a statsd datagram (clients batch
// several, separated by '\n'), appending the good ones to stats and the
// malformed ones to bad. Blank lines are skipped; each line is trimmed of
// spaces, tabs and a '\r'.
func ParseDatagram(data []byte, stats []Stat, bad []LineError) ([]Stat, []LineError) {
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.Trim(line, " \t\r")
		if len(line) == 0 {
			continue
		}
		s, err := ParseLine(line)
		if err != nil {
			bad = append(bad, LineError{Line: line, Err: err})
			continue
		}
		stats = append(stats, s)
	}
	return stats, bad
}
