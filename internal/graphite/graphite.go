// Package graphite parses Graphite's plaintext lines, "name value
// unix-seconds", as StatAccumInput writes them and CarbonOutput and
// StatsToFieldsDecoder read them.
package graphite

import (
	"bytes"
	"errors"
	"math"
	"strconv"
)

// Errors of ParseLine.
var (
	ErrFields    = errors.New("want name, value and timestamp")
	ErrValue     = errors.New("invalid value")
	ErrTimestamp = errors.New("invalid timestamp")
)

// ParseLine parses one line (fields separated by spaces or tabs, no
// newline). The name points into line.
func ParseLine(line []byte) (name []byte, value float64, ts int64, err error) {
	f0, rest, ok := nextField(line)
	if !ok {
		return nil, 0, 0, ErrFields
	}
	f1, rest, ok := nextField(rest)
	if !ok {
		return nil, 0, 0, ErrFields
	}
	f2, rest, ok := nextField(rest)
	if !ok {
		return nil, 0, 0, ErrFields
	}
	if _, _, more := nextField(rest); more {
		return nil, 0, 0, ErrFields
	}
	value, err = strconv.ParseFloat(string(f1), 64)
	if err != nil || math.IsNaN(value) || math.IsInf(value, 0) {
		return nil, 0, 0, ErrValue
	}
	u, err := strconv.ParseUint(string(f2), 10, 63)
	if err != nil {
		return nil, 0, 0, ErrTimestamp
	}
	return f0, value, int64(u), nil
}

// nextField returns the next run of non-blank bytes of b and what follows.
func nextField(b []byte) (field, rest []byte, ok bool) {
	b = bytes.TrimLeft(b, " \t\r")
	if len(b) == 0 {
		return nil, nil, false
	}
	i := bytes.IndexAny(b, " \t\r")
	if i < 0 {
		return b, nil, true
	}
	return b[:i], b[i:], true
}
