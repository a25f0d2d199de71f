package cjson

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/internal/lua/compat"
	"github.com/hekad-go/hekad/internal/lua/oracle"
)

// randomJSON writes a random JSON value (sometimes not quite JSON: the
// mutations exercise the error paths).
func randomJSON(r *rand.Rand, b *strings.Builder, depth int) {
	switch k := r.IntN(10); {
	case k < 2 && depth < 4:
		b.WriteByte('[')
		for i := range r.IntN(4) {
			if i > 0 {
				b.WriteString([]string{",", " , ", ",\n"}[r.IntN(3)])
			}
			randomJSON(r, b, depth+1)
		}
		b.WriteByte(']')
	case k < 4 && depth < 4:
		b.WriteByte('{')
		for i := range r.IntN(4) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(b, `"k%d":`, i)
			randomJSON(r, b, depth+1)
		}
		b.WriteByte('}')
	case k < 6:
		b.WriteByte('"')
		for range r.IntN(8) {
			b.WriteString([]string{"a", "é", `\"`, `\\`, `\/`, `\n`, `\t`, `\u0041`, `\u00e9`, `\ud83d\ude00`, "/", "\x7f", " ", `\u0000`, `\b`, `\f`, `\r`}[r.IntN(17)])
		}
		b.WriteByte('"')
	case k < 8:
		b.WriteString([]string{"0", "-0", "1", "-12", "3.25", "1e5", "1E-3", "-2.5e+10", "123456789012345", "0.1", "1e300", "4.9e-324", "1.7976931348623157e308", "99999999999999999"}[r.IntN(14)])
	default:
		b.WriteString([]string{"true", "false", "null"}[r.IntN(3)])
	}
}

// TestRandomDifferential decodes random JSON texts (a tenth of them
// mutated into errors) and encodes what it decoded, under C Lua with
// Debian's lua-cjson and under hekad, and compares the outputs.
func TestRandomDifferential(t *testing.T) {
	prelude, err := os.ReadFile("testdata/prelude.lua")
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(10, uint64(len(prelude))))
	var script strings.Builder
	script.Write(prelude)
	script.WriteString("local docs = {\n")
	for range 400 {
		var b strings.Builder
		randomJSON(r, &b, 0)
		s := b.String()
		if r.IntN(10) == 0 && len(s) > 1 {
			i := r.IntN(len(s))
			s = s[:i] + []string{"", ",", "]", "}", "x", "\""}[r.IntN(6)] + s[i+1:]
		}
		script.WriteString(compat.Quote(s) + ",\n")
	}
	script.WriteString(`}
for i, s in ipairs(docs) do
    local ok, v = pcall(cjson.decode, s)
    if not ok then print(i, "error", v) else
        print(i, show(v))
        -- objects with several keys encode in a different order under
        -- hekad (insertion) and C Lua (hash): compare what decodes back
        local ok2, e = pcall(cjson.encode, v)
        if ok2 then print(i, show(cjson.decode(e))) else print(i, "encode error", e) end
    end
end
`)
	want := oracle.MustRun(t, script.String())
	if !want.OK {
		t.Fatalf("C Lua failed: %s", want.Stderr)
	}
	got, err := runGo(t, script.String(), Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	compareLines(t, got, want.Stdout)
	if n := strings.Count(want.Stdout, "\terror\t"); n < 10 {
		t.Errorf("only %d of the texts failed to decode", n)
	}
}
