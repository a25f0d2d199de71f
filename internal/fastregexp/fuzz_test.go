package fastregexp

import (
	"regexp"
	"slices"
	"testing"
)

// FuzzEquivalence checks that every pattern regexp accepts gives regexp's
// results on every input, on the fast path or not.
func FuzzEquivalence(f *testing.F) {
	for _, tc := range patternTests {
		for _, s := range inputs {
			f.Add(tc.expr, s)
		}
	}
	f.Fuzz(func(t *testing.T, expr, s string) {
		std, err := regexp.Compile(expr)
		if err != nil {
			return
		}
		r, err := Compile(expr)
		if err != nil {
			t.Fatalf("Compile(%q): %v, regexp accepts it", expr, err)
		}
		want := std.FindStringSubmatchIndex(s)
		if got := r.FindStringSubmatchIndex(s, nil); !slices.Equal(got, want) {
			t.Fatalf("FindStringSubmatchIndex(%q) on %q = %v, regexp gives %v (fast %v)", expr, s, got, want, r.Fast())
		}
		if got := r.MatchString(s); got != (want != nil) {
			t.Fatalf("MatchString(%q) on %q = %v, regexp gives %v", expr, s, got, want != nil)
		}
	})
}
