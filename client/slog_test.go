package client

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestHandler(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		log  func(l *slog.Logger)
		want want
	}{
		{"info", func(l *slog.Logger) { l.Info("hello", "k", "v", "n", 3, "u", uint64(4), "f", 0.5, "b", false) },
			want{"oldstyle", "app", "hello", 6, "k:STRING:=[v] n:INTEGER:=[3] u:INTEGER:=[4] f:DOUBLE:=[0.5] b:BOOL:=[false]"}},
		{"debug", func(l *slog.Logger) { l.Debug("d") }, want{"oldstyle", "app", "d", 7, ""}},
		{"notice", func(l *slog.Logger) { l.Log(context.Background(), slog.LevelInfo+2, "n") }, want{"oldstyle", "app", "n", 5, ""}},
		{"warn", func(l *slog.Logger) { l.Warn("w") }, want{"oldstyle", "app", "w", 4, ""}},
		{"error", func(l *slog.Logger) { l.Error("e") }, want{"oldstyle", "app", "e", 3, ""}},
		{"critical", func(l *slog.Logger) { l.Log(context.Background(), slog.LevelError+4, "c") }, want{"oldstyle", "app", "c", 2, ""}},
		{"groups", func(l *slog.Logger) {
			l.With("svc", "api").WithGroup("req").With("id", 7).Info("g", slog.Group("t", "d", time.Second), "at", at, "", nil)
		}, want{"oldstyle", "app", "g", 6, "svc:STRING:=[api] req.id:INTEGER:=[7] req.t.d:INTEGER:=[1000000000] req.at:STRING:=[2026-01-02T03:04:05Z]"}},
		{"inline group", func(l *slog.Logger) { l.Info("i", slog.Group("", "a", "b")) }, want{"oldstyle", "app", "i", 6, "a:STRING:=[b]"}},
		{"other kinds", func(l *slog.Logger) { l.Info("o", "list", []int{1, 2}) }, want{"oldstyle", "app", "o", 6, "list:STRING:=[[1 2]]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, b := newBufferClient(t, Options{})
			tc.log(slog.New(NewHandler(c, &HandlerOptions{Level: slog.LevelDebug})))
			msgs, err := b.Messages(nil)
			if err != nil || len(msgs) != 1 {
				t.Fatalf("%d messages, %v", len(msgs), err)
			}
			checkMessage(t, msgs[0], tc.want, "host1", 4242)
			if d := time.Since(time.Unix(0, msgs[0].GetTimestamp())); d < 0 || d > time.Minute {
				t.Errorf("timestamp is not the record's time: %v ago", d)
			}
		})
	}
}

func TestHandlerOptions(t *testing.T) {
	c, b := newBufferClient(t, Options{})
	l := slog.New(NewHandler(c, &HandlerOptions{Type: "app.log", AddSource: true, Level: slog.LevelWarn}))
	l.Info("not sent")
	l.Warn("sent")
	msgs, err := b.Messages(nil)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	m := msgs[0]
	src, _ := m.GetFieldValue("source")
	if m.GetType() != "app.log" || !strings.Contains(src.(string), "slog_test.go:") {
		t.Errorf("type %q source %v", m.GetType(), src)
	}
	h := NewHandler(c, nil)
	if h.Enabled(context.Background(), slog.LevelDebug) || !h.Enabled(context.Background(), slog.LevelInfo) || h.WithGroup("") != h {
		t.Error("default handler options")
	}
}
