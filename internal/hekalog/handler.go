// Package hekalog is hekad's slog handler: Heka-style text lines, info and
// below to one writer (stdout), warnings and errors to another (stderr),
// with the time prefix chosen by Heka's log_flags.
package hekalog

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// Handler writes records as `<time prefix><message> key=value ...` lines.
type Handler struct {
	mu    *sync.Mutex
	out   io.Writer
	err   io.Writer
	flags int
	level slog.Leveler
	attrs []byte // preformatted attributes from WithAttrs
	group string
}

// New returns a handler writing records below slog.LevelWarn to out and the
// others to errOut. flags are Go log flags (Heka's log_flags: 3 = date and
// time, 0 = no prefix).
func New(out, errOut io.Writer, flags int, level slog.Leveler) *Handler {
	if level == nil {
		level = slog.LevelInfo
	}
	return &Handler{mu: new(sync.Mutex), out: out, err: errOut, flags: flags, level: level}
}

// Enabled reports whether records of level l are written.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

// Handle writes one record.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	buf := make([]byte, 0, 256)
	buf = appendPrefix(buf, h.flags, r.Time)
	if r.Level >= slog.LevelError {
		buf = append(buf, "error: "...)
	} else if r.Level >= slog.LevelWarn {
		buf = append(buf, "warning: "...)
	}
	buf = append(buf, r.Message...)
	buf = append(buf, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		buf = appendAttr(buf, h.group, a)
		return true
	})
	buf = append(buf, '\n')
	w := h.out
	if r.Level >= slog.LevelWarn {
		w = h.err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := w.Write(buf)
	return err
}

// WithAttrs returns a handler that adds attrs to every record.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = append([]byte(nil), h.attrs...)
	for _, a := range attrs {
		h2.attrs = appendAttr(h2.attrs, h.group, a)
	}
	return &h2
}

// WithGroup returns a handler that qualifies later attribute keys with name.
func (h *Handler) WithGroup(name string) slog.Handler {
	h2 := *h
	if h2.group != "" {
		h2.group += "." + name
	} else {
		h2.group = name
	}
	return &h2
}

func appendAttr(buf []byte, group string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return buf
	}
	if a.Value.Kind() == slog.KindGroup {
		g := a.Key
		if group != "" {
			g = group + "." + a.Key
		}
		for _, ga := range a.Value.Group() {
			buf = appendAttr(buf, g, ga)
		}
		return buf
	}
	buf = append(buf, ' ')
	if group != "" {
		buf = append(buf, group...)
		buf = append(buf, '.')
	}
	buf = append(buf, a.Key...)
	buf = append(buf, '=')
	s := a.Value.String()
	if needsQuote(s) {
		buf = strconv.AppendQuote(buf, s)
	} else {
		buf = append(buf, s...)
	}
	return buf
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for _, c := range s {
		if c <= ' ' || c == '"' || c == '=' || c > '~' {
			return true
		}
	}
	return false
}

// appendPrefix writes the time prefix Go's log package writes for flags.
func appendPrefix(buf []byte, flags int, t time.Time) []byte {
	if flags&(log.Ldate|log.Ltime|log.Lmicroseconds) == 0 {
		return buf
	}
	if flags&log.LUTC != 0 {
		t = t.UTC()
	}
	if flags&log.Ldate != 0 {
		y, m, d := t.Date()
		buf = fmt.Appendf(buf, "%04d/%02d/%02d ", y, m, d)
	}
	if flags&(log.Ltime|log.Lmicroseconds) != 0 {
		h, mi, s := t.Clock()
		buf = fmt.Appendf(buf, "%02d:%02d:%02d", h, mi, s)
		if flags&log.Lmicroseconds != 0 {
			buf = fmt.Appendf(buf, ".%06d", t.Nanosecond()/1000)
		}
		buf = append(buf, ' ')
	}
	return buf
}
