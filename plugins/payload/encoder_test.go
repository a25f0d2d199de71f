package payload

import (
	"testing"
	"time"

	"github.com/hekad-go/hekad/message/messagetest"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

func TestPayloadEncoder(t *testing.T) {
	ts := time.Date(2016, 5, 3, 12, 34, 56, 0, time.UTC).UnixNano()
	wall := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	cest := time.FixedZone("CEST", 2*3600)
	tests := []struct {
		name   string
		config string
		loc    *time.Location
		want   string
	}{
		{"defaults", "", time.UTC, "payload line\n"},
		{"no newline", "append_newlines = false", time.UTC, "payload line"},
		{"default ts_format", "prefix_ts = true", time.UTC, "[2016/May/03:12:34:56 +0000] payload line\n"},
		{"local zone", "prefix_ts = true", cest, "[2016/May/03:14:34:56 +0200] payload line\n"},
		{"format ending in a space", "prefix_ts = true\nts_format = '%F '", time.UTC, "2016-05-03 payload line\n"},
		{"custom format, no newline", "prefix_ts = true\nappend_newlines = false\nts_format = '%Y/%m/%d %I:%M:%S%p %Z'",
			cest, "2016/05/03 02:34:56PM CEST payload line"},
		{"empty format", "prefix_ts = true\nts_format = ''", time.UTC, " payload line\n"},
		{"clock time", "prefix_ts = true\nts_from_message = false\nts_format = '%s'", time.UTC, "1577934245 payload line\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := plugintest.DecodeConfig("[PayloadEncoder]\n"+tc.config+"\n", "PayloadEncoder")
			if err != nil {
				t.Fatal(err)
			}
			enc, err := newEncoder(*cfg.(*EncoderConfig), nil)
			if err != nil {
				t.Fatal(err)
			}
			e := enc.(*Encoder)
			e.loc = tc.loc
			e.now = func() time.Time { return wall }
			p := pipeline.NewPack()
			p.MutableMessage().SetPayload("payload line")
			p.MutableMessage().SetTimestamp(ts)
			got, err := e.Encode([]byte(">"), p)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != ">"+tc.want {
				t.Errorf("got %q, want %q", got, ">"+tc.want)
			}
		})
	}
}

func TestPayloadEncoderAllocs(t *testing.T) {
	enc, _ := newEncoder(EncoderConfig{AppendNewlines: true, PrefixTs: true, TsFromMessage: true, TsFormat: "[%Y/%b/%d:%H:%M:%S %z %Z]"}, nil)
	p := pipeline.NewPack()
	messagetest.FillBenchmarkMessage(p.MutableMessage())
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf, _ = enc.Encode(buf[:0], p) }); n != 0 {
		t.Errorf("Encode allocates %v times, want 0", n)
	}
}

func BenchmarkPayloadEncoder(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  EncoderConfig
	}{
		{"Plain", defaultEncoderConfig()},
		{"PrefixTs", EncoderConfig{AppendNewlines: true, PrefixTs: true, TsFromMessage: true, TsFormat: defaultEncoderConfig().TsFormat}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			enc, _ := newEncoder(bc.cfg, nil)
			p := pipeline.NewPack()
			messagetest.BenchmarkMessage().CopyTo(p.MutableMessage())
			buf, _ := enc.Encode(nil, p)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf, _ = enc.Encode(buf[:0], p)
			}
		})
	}
}
