package payload

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hekad-go/hekad/internal/fastregexp"
	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed PayloadRegexDecoder.toml
var regexSample string

func init() {
	pipeline.RegisterDecoder("PayloadRegexDecoder", defaultRegexConfig, newRegexDecoder, pipeline.WithSample(regexSample))
}

// RegexConfig is the configuration of PayloadRegexDecoder.
type RegexConfig struct {
	// MatchRegex is the Go regular expression a payload must match. Its
	// capture groups, named with (?P<name>...) or numbered from 1 when
	// unnamed, are what message_fields interpolates. A group named
	// Timestamp sets the message timestamp and one named Severity its
	// severity.
	MatchRegex string `toml:"match_regex"`
	// SeverityMap translates the text of the Severity capture into a
	// severity number; text it lacks must itself be a number.
	SeverityMap map[string]int32 `toml:"severity_map"`
	// MessageFields sets message headers (Type, Logger, Hostname, Payload,
	// Pid, Severity, Uuid) or, for any other key, a string field named by
	// the key, which may end in "|representation". Values may refer to
	// captures as %name%.
	MessageFields map[string]string `toml:"message_fields"`
	// TimestampLayout is the Go time layout of the Timestamp capture, or
	// Epoch, EpochMilli, EpochMicro or EpochNano for a decimal number of
	// seconds, milliseconds, microseconds or nanoseconds since 1970. When
	// the layout does not parse a timestamp, Go's standard layouts (ANSIC,
	// RFC3339, Kitchen, Stamp, ...) are tried.
	TimestampLayout string `toml:"timestamp_layout"`
	// TimestampLocation is the IANA time zone that timestamps without a
	// zone are read in.
	TimestampLocation string `toml:"timestamp_location"`
	// LogErrors reports payloads that do not match match_regex as decode
	// failures; when false they are dropped silently.
	LogErrors bool `toml:"log_errors"`
}

func defaultRegexConfig() RegexConfig {
	return RegexConfig{
		TimestampLocation: "UTC",
		LogErrors:         true,
	}
}

// Validate checks the options; errors name the key.
func (c *RegexConfig) Validate() error {
	if _, err := compileMatch(c.MatchRegex); err != nil {
		return err
	}
	if err := checkLayout(c.TimestampLayout); err != nil {
		return fmt.Errorf("timestamp_layout: %w", err)
	}
	if _, err := time.LoadLocation(c.TimestampLocation); err != nil {
		return fmt.Errorf("timestamp_location: %w", err)
	}
	return nil
}

// compileMatch compiles match_regex. fastregexp gives Go's regexp results
// (and errors), several times faster for the usual log-line patterns.
func compileMatch(expr string) (*fastregexp.Regexp, error) {
	if expr == "" {
		return nil, errors.New("match_regex: required")
	}
	re, err := fastregexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("match_regex: %w", err)
	}
	if re.NumSubexp() == 0 {
		return nil, errors.New("match_regex: must contain at least one capture group")
	}
	return re, nil
}

// RegexDecoder is PayloadRegexDecoder: it matches the payload against a
// regular expression and fills the message from the captures.
type RegexDecoder struct {
	re          *fastregexp.Regexp
	targets     []target
	severityMap map[string]int32
	tsCapture   int // index of the Timestamp group, or -1
	sevCapture  int // index of the Severity group, or -1
	times       timeParser
	logErrors   bool
	log         *slog.Logger

	// Per-record scratch space, reused.
	idx  []int   // capture positions
	buf  []byte  // interpolated values that are not a single capture or literal
	vals []value // the value of each target
}

// value is the interpolated value of one target: s, or buf[start:end] of
// the decoder's buffer when composite. n holds a parsed Pid or Severity.
type value struct {
	s          string
	start, end int
	composite  bool
	n          int32
}

func newRegexDecoder(c RegexConfig, env *pipeline.Env) (pipeline.Decoder, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	re, _ := compileMatch(c.MatchRegex)
	loc, _ := time.LoadLocation(c.TimestampLocation)
	// Capture names as Heka numbered them: unnamed groups by their index;
	// a later group of the same name wins.
	captures := map[string]int{}
	for i, name := range re.SubexpNames() {
		if i == 0 {
			continue
		}
		if name == "" {
			name = strconv.Itoa(i)
		}
		captures[name] = i
	}
	log := env.Logger()
	d := &RegexDecoder{
		re:          re,
		severityMap: c.SeverityMap,
		tsCapture:   -1,
		sevCapture:  -1,
		times:       newTimeParser(c.TimestampLayout, loc),
		logErrors:   c.LogErrors,
		log:         log,
	}
	if i, ok := captures["Timestamp"]; ok {
		d.tsCapture = i
	}
	if i, ok := captures["Severity"]; ok {
		d.sevCapture = i
	}
	// Built once per stream, so at debug level: a TcpInput would log it for
	// every connection.
	d.targets = compileTargets(c.MessageFields, captures, func(key, name string) {
		log.Debug("message_fields value refers to a name match_regex does not capture; it is written as <name>",
			"key", key, "name", name)
	})
	d.vals = make([]value, len(d.targets))
	d.idx = make([]int, 0, 2*(re.NumSubexp()+1))
	return d, nil
}

// maxErrorPayload bounds how much of a payload a no-match error quotes.
const maxErrorPayload = 200

// Decode matches p's payload and, on a match, sets the timestamp and
// severity from the Timestamp and Severity captures and applies
// message_fields. A payload that does not match is a Drop error (or is
// dropped silently when log_errors is false); so is a message_fields value
// that does not parse as its header (Pid, Severity, Uuid), in which case the
// message is left unchanged.
func (d *RegexDecoder) Decode(_ context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	m := p.MutableMessage()
	payload := m.GetPayload()
	idx := d.re.FindStringSubmatchIndex(payload, d.idx)
	if idx == nil {
		if !d.logErrors {
			return out, nil
		}
		q := payload
		if len(q) > maxErrorPayload {
			q = q[:maxErrorPayload] + "..."
		}
		return out, pipeline.Drop(fmt.Errorf("payload does not match match_regex: %q", q))
	}

	// Interpolate and check every value before touching the message.
	var uuid [16]byte
	d.buf = d.buf[:0]
	for i := range d.targets {
		t := &d.targets[i]
		v := &d.vals[i]
		*v = value{}
		if s, ok := t.tmpl.simple(payload, idx); ok {
			v.s = s
		} else {
			v.start = len(d.buf)
			d.buf = t.tmpl.appendTo(d.buf, payload, idx)
			v.end = len(d.buf)
			v.composite = true
		}
		if t.kind != toPid && t.kind != toSeverity && t.kind != toUuid {
			continue
		}
		s := v.s
		if v.composite {
			s = string(d.buf[v.start:v.end])
		}
		var err error
		switch t.kind {
		case toPid:
			v.n, err = parsePid(s)
		case toSeverity:
			v.n, err = parseSeverity(s)
		case toUuid:
			err = parseUUID(s, &uuid)
		}
		if err != nil {
			return out, pipeline.Drop(fmt.Errorf("message_fields %s: %w", t.key, err))
		}
	}
	var composite string
	if len(d.buf) > 0 {
		composite = string(d.buf) // one allocation for all composite values
	}

	if d.tsCapture >= 0 {
		s := submatch(payload, idx, d.tsCapture)
		if ns, err := d.times.parse(s); err != nil {
			d.log.Error("cannot parse the Timestamp capture; keeping the message timestamp", "timestamp", s, "err", err)
		} else {
			m.SetTimestamp(ns)
		}
	}
	if d.sevCapture >= 0 {
		s := submatch(payload, idx, d.sevCapture)
		if sev, ok := d.severityMap[s]; ok {
			m.SetSeverity(sev)
		} else if sev, err := parseSeverity(s); err == nil {
			m.SetSeverity(sev)
		} else {
			d.log.Error("severity_map has no entry for the Severity capture and it is not a number", "severity", s)
		}
	}

	for i := range d.targets {
		t := &d.targets[i]
		v := &d.vals[i]
		s := v.s
		if v.composite {
			s = composite[v.start:v.end]
		}
		switch t.kind {
		case toField:
			_ = m.AppendField(t.name, message.ValueString, t.repr).AddString(s)
		case toType:
			m.SetType(s)
		case toLogger:
			m.SetLogger(s)
		case toHostname:
			m.SetHostname(s)
		case toPayload:
			m.SetPayload(s)
		case toPid:
			m.SetPid(v.n)
		case toSeverity:
			m.SetSeverity(v.n)
		case toUuid:
			m.SetUuid(uuid[:])
		}
	}
	return append(out, p), nil
}

var (
	_ pipeline.Decoder   = (*RegexDecoder)(nil)
	_ pipeline.Validator = (*RegexConfig)(nil)
)
