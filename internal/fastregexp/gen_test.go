package fastregexp

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// Pieces of generated patterns, all inside the fast subset.
var (
	genAtoms = []string{
		`a`, `b`, `ab`, `é`, `日`, `\x{FFFD}`, `K`, ` `, `"`,
		`.`, `(?s:.)`, `\S`, `\s`, `\d`, `\w`, `[^"]`, `[ab]`, `\pL`, `[^a]`,
		`[é-ü]`, `(?i:k)`, `(?i:é)`, `[\x{FFFD}]`, `[^\x{FFFD}]`, `[\x80-\x{10FFFF}]`,
	}
	genAsserts = []string{`^`, `$`, `\b`, `\B`, `(?m:^)`, `(?m:$)`, `\A`, `\z`}
	genRepeats = []string{`*`, `+`, `?`, `*?`, `+?`, `??`, `{2}`, `{1,3}`, `{2,}?`, `{0,2}?`, `{1,}`}
	genInput   = []string{"a", "b", " ", "\n", "é", "\xff", "\xc3", "\xa9", "日", "K", "k", "\u212a", `"`, "1", "\ufffd", "\xe2\x82", "ab"}
)

// genPattern turns bytes into a pattern of the fast subset, of at most 64
// pieces so that it stays within the fast matcher's limits.
func genPattern(data []byte) string {
	data = data[:min(len(data), 128)]
	var b strings.Builder
	open := 0
	for len(data) >= 2 {
		op, arg := int(data[0]), int(data[1])
		data = data[2:]
		switch op % 6 {
		case 0, 1:
			b.WriteString(genAtoms[arg%len(genAtoms)])
		case 2:
			atom := genAtoms[arg%len(genAtoms)]
			if len([]rune(atom)) > 1 && !strings.HasPrefix(atom, `\`) && !strings.HasPrefix(atom, `[`) && !strings.HasPrefix(atom, `(`) {
				atom = string([]rune(atom)[:1])
			}
			b.WriteString(atom + genRepeats[(arg/len(genAtoms))%len(genRepeats)])
		case 3:
			b.WriteString(genAsserts[arg%len(genAsserts)])
		case 4:
			if arg%2 == 0 {
				b.WriteString("(")
			} else {
				b.WriteString("(?:")
			}
			open++
		case 5:
			if open > 0 {
				b.WriteString(")")
				open--
			}
		}
	}
	b.WriteString(strings.Repeat(")", open))
	return b.String()
}

// genString turns bytes into an input over a small, awkward alphabet.
func genString(data []byte) string {
	var b strings.Builder
	for _, c := range data {
		b.WriteString(genInput[int(c)%len(genInput)])
	}
	return b.String()
}

// FuzzSubset compares the matchers on patterns built to be in the fast
// subset, which FuzzEquivalence's free-form patterns seldom are.
func FuzzSubset(f *testing.F) {
	f.Add([]byte{0, 1, 2, 30, 4, 0, 2, 12, 5, 0, 3, 1}, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{3, 0, 4, 0, 2, 10, 5, 0, 0, 8, 2, 40, 3, 1}, []byte{10, 10, 12, 0, 8, 2, 2, 8, 3})
	f.Fuzz(func(t *testing.T, pat, in []byte) {
		expr := genPattern(pat)
		r, err := Compile(expr)
		if err != nil {
			return // e.g. too large
		}
		if !r.Fast() {
			t.Fatalf("%q is not on the fast path", expr)
		}
		check(t, r, genString(in))
	})
}

// TestGenerated compares the matchers on a fixed sample of generated
// patterns and inputs.
func TestGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for range n {
		pat := make([]byte, 2*(1+rng.IntN(8)))
		for i := range pat {
			pat[i] = byte(rng.UintN(256))
		}
		r, err := Compile(genPattern(pat))
		if err != nil {
			continue
		}
		if !r.Fast() {
			t.Fatalf("%q is not on the fast path", r)
		}
		for range 10 {
			in := make([]byte, rng.IntN(12))
			for i := range in {
				in[i] = byte(rng.UintN(256))
			}
			check(t, r, genString(in))
		}
	}
}
