package scribble

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed ScribbleDecoder.toml
var sample string

func init() {
	pipeline.RegisterDecoder("ScribbleDecoder", defaultConfig, newDecoder, pipeline.WithSample(sample))
}

// Config is the configuration of ScribbleDecoder.
type Config struct {
	// MessageFields maps a header or field name to the string value to set
	// on every message. Type, Logger, Hostname and Payload set those
	// headers; Pid (the integer before any '.') and Severity take an
	// integer; Uuid takes 16 raw bytes or the 36-character hex form. Any
	// other key adds a string field named by the key, which may end in
	// "|representation" (so "Payload|json" adds a field named Payload).
	// Values are not interpolated.
	MessageFields map[string]string `toml:"message_fields"`
}

func defaultConfig() Config { return Config{} }

// Validate checks that the Pid, Severity and Uuid values parse (Heka
// found out on every message); errors name the key.
func (c *Config) Validate() error {
	_, err := compile(c.MessageFields)
	return err
}

// kind says where a message_fields entry is written.
type kind uint8

const (
	toField kind = iota
	toType
	toLogger
	toHostname
	toPayload
	toPid
	toSeverity
	toUuid
)

// headers maps the message_fields keys that name a header to it. As in
// Heka 0.10, any other key (EnvVersion and Timestamp included, and a
// header name with a |representation) names a field.
var headers = map[string]kind{
	"Type":     toType,
	"Logger":   toLogger,
	"Hostname": toHostname,
	"Payload":  toPayload,
	"Pid":      toPid,
	"Severity": toSeverity,
	"Uuid":     toUuid,
}

// entry is one compiled message_fields entry.
type entry struct {
	kind  kind
	name  string // field name (toField)
	repr  string // field representation (toField)
	value string
	n     int32 // Pid, Severity
	uuid  []byte
}

// compile checks and compiles message_fields, sorted by key so that
// fields are added in a fixed order (Heka's order was random).
func compile(fields map[string]string) ([]entry, error) {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	entries := make([]entry, 0, len(keys))
	var errs []error
	for _, k := range keys {
		v := fields[k]
		e := entry{value: v}
		var err error
		if h, ok := headers[k]; ok {
			e.kind = h
		} else {
			e.name, e.repr, _ = strings.Cut(k, "|")
			if e.name == "" {
				err = errors.New("empty field name")
			}
		}
		switch e.kind {
		case toPid:
			s, _, _ := strings.Cut(v, ".")
			e.n, err = parseInt32(s)
		case toSeverity:
			e.n, err = parseInt32(v)
		case toUuid:
			e.uuid, err = parseUUID(v)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("message_fields: %s: %w", quoteKey(k), err))
			continue
		}
		entries = append(entries, e)
	}
	return entries, errors.Join(errs...)
}

// quoteKey quotes a TOML key that is not bare, as the error of a dotted
// key must show it.
func quoteKey(k string) string {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return strconv.Quote(k)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}

func parseInt32(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("not a 32-bit integer: %q", s)
	}
	return int32(n), nil
}

// parseUUID reads 16 raw bytes or the hyphenated hex form (optionally
// prefixed by "urn:uuid:").
func parseUUID(s string) ([]byte, error) {
	if len(s) == 16 {
		return []byte(s), nil
	}
	h := strings.TrimPrefix(s, "urn:uuid:")
	bad := fmt.Errorf("not a uuid (16 raw bytes or the 36-character hex form): %q", s)
	if len(h) != 36 || h[8] != '-' || h[13] != '-' || h[18] != '-' || h[23] != '-' {
		return nil, bad
	}
	h = strings.ReplaceAll(h, "-", "")
	out := make([]byte, 16)
	for i := range out {
		n, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, bad
		}
		out[i] = byte(n)
	}
	return out, nil
}

// Decoder is ScribbleDecoder.
type Decoder struct {
	entries []entry
}

func newDecoder(c Config, _ *pipeline.Env) (pipeline.Decoder, error) {
	entries, err := compile(c.MessageFields)
	if err != nil {
		return nil, err
	}
	return &Decoder{entries: entries}, nil
}

// Decode sets every message_fields value on p's message and passes it on;
// it never fails. A field is added even when the message already has one
// of that name, as in Heka.
func (d *Decoder) Decode(_ context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	m := p.MutableMessage()
	for i := range d.entries {
		e := &d.entries[i]
		switch e.kind {
		case toField:
			_ = m.AppendField(e.name, message.ValueString, e.repr).AddString(e.value)
		case toType:
			m.SetType(e.value)
		case toLogger:
			m.SetLogger(e.value)
		case toHostname:
			m.SetHostname(e.value)
		case toPayload:
			m.SetPayload(e.value)
		case toPid:
			m.SetPid(e.n)
		case toSeverity:
			m.SetSeverity(e.n)
		case toUuid:
			m.SetUuid(e.uuid)
		}
	}
	return append(out, p), nil
}

var (
	_ pipeline.Decoder   = (*Decoder)(nil)
	_ pipeline.Validator = (*Config)(nil)
)
