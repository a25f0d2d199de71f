package matcher

import (
	"testing"

	"github.com/hekad-go/hekad/message"
)

// benchLine is a typical 100-byte log line that no sentinel matches.
const benchLine = `2026-11-25T10:38:12.123Z web-01 nginx[4242]: GET /api/v1/items?page=7 200 512 "curl/8.5.0" rt=0.004`

// BenchmarkMatchPayloadRegex matches regexps of the common shapes against
// the Payload of a message: a 100-byte log line that does not match
// (nomatch) and the sentinel line that does (match).
func BenchmarkMatchPayloadRegex(b *testing.B) {
	tests := []struct {
		name, expr string
	}{
		{"prefix", `Payload =~ /^BENCH-END/`},
		{"substring", `Payload =~ /BENCH-END/`},
		{"suffix", `Payload =~ /BENCH-END$/`},
		{"exact", `Payload =~ /^BENCH-END$/`},
		{"prefix-regexp", `Payload =~ /^BENCH-(END|STOP)$/`},
		{"regexp", `Payload =~ /BENCH-(END|STOP)/`},
		{"not-prefix", `Payload !~ /^BENCH-END/`},
	}
	inputs := []struct {
		name, payload string
		match         bool
	}{
		{"nomatch", benchLine, false},
		{"match", "BENCH-END", true},
	}
	for _, tc := range tests {
		for _, in := range inputs {
			b.Run(tc.name+"/"+in.name, func(b *testing.B) {
				m := MustCompile(tc.expr)
				msg := &message.Message{}
				msg.SetPayload(in.payload)
				want := in.match != (tc.name == "not-prefix")
				if got := m.Match(msg); got != want {
					b.Fatalf("%s on %q: Match = %v, want %v", tc.expr, in.payload, got, want)
				}
				b.ReportAllocs()
				for b.Loop() {
					m.Match(msg)
				}
			})
		}
	}
}
