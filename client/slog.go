package client

import (
	"context"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"time"
)

// HandlerOptions configures a Handler. The zero value is usable.
type HandlerOptions struct {
	// Level is the minimum level of the records sent (default slog.LevelInfo).
	Level slog.Leveler
	// Type is the Type of the messages (default "oldstyle", as heka-py's
	// logging handler).
	Type string
	// AddSource adds a field "source" holding "file:line" of the log call.
	AddSource bool
}

// Handler is a log/slog Handler that sends each record to hekad as one
// message:
//
//	slog.SetDefault(slog.New(client.NewHandler(c, nil)))
//
// A record becomes a message of Type "oldstyle" (HandlerOptions.Type), the
// client's Logger, Timestamp the record's time, Payload the record's
// message, Severity from its level (below Info: debug 7; Info: 6; above Info
// and below Warn: notice 5; Warn: 4; Error: 3; Error+4 and above: critical
// 2), and one field per attribute: groups give dotted names ("req.method"),
// as heka-py flattens nested dicts; ints and durations (in nanoseconds)
// become INTEGER, floats DOUBLE, bools BOOL, times RFC 3339 STRING, anything
// else its text as STRING.
type Handler struct {
	c      *Client
	opts   HandlerOptions
	attrs  []Field // from WithAttrs, names already prefixed
	prefix string  // open groups, each followed by "."
}

// NewHandler returns a Handler sending through c. opts may be nil.
func NewHandler(c *Client, opts *HandlerOptions) *Handler {
	h := &Handler{c: c}
	if opts != nil {
		h.opts = *opts
	}
	if h.opts.Level == nil {
		h.opts.Level = slog.LevelInfo
	}
	if h.opts.Type == "" {
		h.opts.Type = TypeOldstyle
	}
	return h
}

// Enabled reports whether records of level l are sent.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.opts.Level.Level()
}

// Handle sends r as one message.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	fields := make([]Field, 0, len(h.attrs)+r.NumAttrs()+1)
	fields = append(fields, h.attrs...)
	if h.opts.AddSource && r.PC != 0 {
		f, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		fields = append(fields, String(slog.SourceKey, f.File+":"+strconv.Itoa(f.Line)))
	}
	r.Attrs(func(a slog.Attr) bool {
		fields = appendAttr(fields, h.prefix, a)
		return true
	})
	e := h.c.start(h.opts.Type, levelSeverity(r.Level), r.Message)
	if !r.Time.IsZero() {
		e.msg.SetTimestamp(r.Time.UnixNano())
	}
	return h.c.finish(e, fields)
}

// WithAttrs returns a Handler whose messages also carry attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = slices.Clip(h.attrs)
	for _, a := range attrs {
		h2.attrs = appendAttr(h2.attrs, h.prefix, a)
	}
	return &h2
}

// WithGroup returns a Handler that prefixes the names of later attributes
// with name and a dot.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

// levelSeverity maps a slog level to a syslog severity.
func levelSeverity(l slog.Level) Severity {
	switch {
	case l < slog.LevelInfo:
		return SeverityDebug
	case l == slog.LevelInfo:
		return SeverityInfo
	case l < slog.LevelWarn:
		return SeverityNotice
	case l < slog.LevelError:
		return SeverityWarning
	case l < slog.LevelError+4:
		return SeverityError
	}
	return SeverityCritical
}

// appendAttr appends the fields of a (several for a group) to fields.
func appendAttr(fields []Field, prefix string, a slog.Attr) []Field {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, g := range v.Group() {
			fields = appendAttr(fields, prefix, g)
		}
		return fields
	}
	if a.Key == "" && v.Any() == nil {
		return fields // an empty Attr is ignored, as slog asks
	}
	name := prefix + a.Key
	switch v.Kind() {
	case slog.KindString:
		return append(fields, String(name, v.String()))
	case slog.KindInt64:
		return append(fields, Int(name, v.Int64()))
	case slog.KindUint64:
		return append(fields, Int(name, int64(v.Uint64())))
	case slog.KindFloat64:
		return append(fields, Float(name, v.Float64()))
	case slog.KindBool:
		return append(fields, Bool(name, v.Bool()))
	case slog.KindDuration:
		return append(fields, Int(name, int64(v.Duration())))
	case slog.KindTime:
		return append(fields, String(name, v.Time().Format(time.RFC3339Nano)))
	}
	return append(fields, String(name, v.String()))
}

var _ slog.Handler = (*Handler)(nil)
