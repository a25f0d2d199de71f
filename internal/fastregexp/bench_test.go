package fastregexp

import (
	"regexp"
	"strings"
	"testing"
)

// BenchmarkFindStringSubmatchIndex compares the standard library with this
// package on the nginx line, for each nginx pattern, and on a line that
// does not match.
func BenchmarkFindStringSubmatchIndex(b *testing.B) {
	noMatch := strings.Replace(nginxLine, `" 200 `, `" 2000 `, 1)
	cases := []struct {
		name, expr, input string
	}{
		{"bench", nginxBench, nginxLine},
		{"heka", nginxHeka, nginxLine},
		{"plugin", nginxPlugin, nginxLine},
		{"nomatch", nginxBench, noMatch},
	}
	for _, tc := range cases {
		b.Run(tc.name+"/std", func(b *testing.B) {
			re := regexp.MustCompile(tc.expr)
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.input)))
			for b.Loop() {
				re.FindStringSubmatchIndex(tc.input)
			}
		})
		b.Run(tc.name+"/fast", func(b *testing.B) {
			re := MustCompile(tc.expr)
			dst := make([]int, 0, 2*(re.NumSubexp()+1))
			b.ReportAllocs()
			b.SetBytes(int64(len(tc.input)))
			for b.Loop() {
				re.FindStringSubmatchIndex(tc.input, dst)
			}
		})
	}
}
