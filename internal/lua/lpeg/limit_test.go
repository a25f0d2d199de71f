package lpeg

import (
	"strings"
	"testing"
	"time"
)

// exponential is a grammar whose matches backtrack exponentially in the
// subject's length while its backtrack stack stays small.
const exponential = `
	local P, V = lpeg.P, lpeg.V
	g = P{"S", S = V"A" * "x" + V"A" * "y" + V"A" * "z", A = "a" * V"S" + "a"}
`

func TestSetMatchLimit(t *testing.T) {
	tests := []struct {
		name    string
		limit   int
		subject string
		want    string // what print(pcall(lpeg.match, g, subject)) shows
	}{
		{"matches under the limit", 1000, "ax", "true\t3\n"},
		{"no limit, small subject", 0, strings.Repeat("a", 6), "true\tnil\n"},
		{"limit stops an exponential match", 10000, strings.Repeat("a", 40), "false\tmatch limit exceeded (10000 failures)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			L := testState(&out)
			defer L.Close()
			SetMatchLimit(L, tc.limit)
			start := time.Now()
			err := L.DoString(`lpeg = require "lpeg"` + exponential + `print(pcall(lpeg.match, g, "` + tc.subject + `"))`)
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got %q, want %q", out.String(), tc.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
