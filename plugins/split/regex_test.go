package split

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestRegexSplitter(t *testing.T) {
	checkSplits(t, "RegexSplitter", []splitCase{
		{"default drops the newline", "", "a\nbb\n\nccc\nd", []string{"a", "bb", "ccc"}, "d"},
		{"no group drops the delimiter", `delimiter = '\|\|'`, "x||y||||z", []string{"x", "y"}, "z"},
		{"group at the end of the record", `delimiter = '(;)\n'`, "a;\nb;\nc", []string{"a;", "b;"}, "c"},
		{"group at the start of the next record", "delimiter = '\\n(\\d{4}-\\d\\d-\\d\\d)'\ndelimiter_eol = false",
			"2026-01-01 one\n  more\n2026-01-02 two\n2026-01-03 three",
			[]string{"2026-01-01 one\n  more", "2026-01-02 two"}, "2026-01-03 three"},
		{"next record keeps what follows the group", "delimiter = '\\n(\\d)x'\ndelimiter_eol = false",
			"a\n1xb\n2xc", []string{"a", "1xb"}, "2xc"},
		{"group that does not take part", `delimiter = '\n|(;)'`, "a\nb;c\n", []string{"a", "b;", "c"}, ""},
	})
}

func FuzzRegexSplitter(f *testing.F) {
	f.Add([]byte("a\nb\n\nc"), false, uint64(1))
	f.Add([]byte("2026-01-01 x\n2026-01-02 y\nz"), true, uint64(9))
	f.Fuzz(func(t *testing.T, data []byte, carry bool, seed uint64) {
		body := "delimiter = '\\n(\\d{4}-\\d\\d-\\d\\d)'\ndelimiter_eol = false"
		if !carry {
			body = `delimiter = '(;)\n'`
		}
		recs, _, rest := feed(build(t, "RegexSplitter", body), data, rand.New(rand.NewPCG(seed, 3)), 1+int(seed%17))
		// What the splitter drops is exactly the delimiters' uncaptured
		// parts: the records and the rest never hold more than the input.
		if n := len(strings.Join(recs, "")) + len(rest); n > len(data) {
			t.Fatalf("records and rest hold %d bytes of %d", n, len(data))
		}
		for _, r := range recs {
			if r == "" {
				t.Fatal("empty record")
			}
		}
	})
}

func BenchmarkRegexSplitter(b *testing.B) {
	var data []byte
	for i := 0; len(data) < 1<<20; i++ {
		data = append(data, "2026-11-25T08:00:00Z host app[123]: request served in 42 ms\n"...)
	}
	for _, bc := range []struct{ name, body string }{
		{"newline", ""},
		{"date-carried", "delimiter = '\\n(\\d{4}-\\d\\d-\\d\\d)'\ndelimiter_eol = false"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := build(b, "RegexSplitter", bc.body)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				buf := data
				for {
					adv, rec, _ := s.Split(buf, true)
					if rec == nil {
						break
					}
					buf = buf[adv:]
				}
			}
		})
	}
}
