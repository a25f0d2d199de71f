package split

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// build makes a splitter of type typ from a TOML section body.
func build(t testing.TB, typ, body string) pipeline.Splitter {
	t.Helper()
	reg, ok := pipeline.Lookup(typ)
	if !ok {
		t.Fatalf("%s not registered", typ)
	}
	cfg := reg.NewConfig()
	if body != "" {
		var err error
		if cfg, err = decodeConfig(typ, body); err != nil {
			t.Fatal(err)
		}
	}
	s, err := reg.Build(cfg, pipeline.NewEnv("test", typ, nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	return s.(pipeline.Splitter)
}

// feed runs s over data delivered in chunks of the sizes rng picks (1 to
// maxChunk bytes), the way the engine does, and returns the records, the
// signers and the bytes left over at EOF.
func feed(s pipeline.Splitter, data []byte, rng *rand.Rand, maxChunk int) (recs []string, signers []string, rest []byte) {
	var buf []byte
	for off := 0; ; {
		eof := off >= len(data)
		if !eof {
			n := min(1+rng.IntN(maxChunk), len(data)-off)
			buf = append(buf, data[off:off+n]...)
			off += n
		}
		for {
			adv, rec, err := s.Split(buf, eof)
			if err != nil {
				panic(err)
			}
			if adv == 0 && rec == nil {
				break
			}
			if rec != nil {
				recs = append(recs, string(rec))
				if ss, ok := s.(pipeline.SignedSplitter); ok {
					signers = append(signers, ss.Signer())
				}
			}
			buf = buf[adv:]
		}
		if eof {
			return recs, signers, buf
		}
	}
}

// splitCase is a splitter config body, an input, the records it makes
// and the bytes left over at EOF.
type splitCase struct {
	name, body, input string
	want              []string
	rest              string
}

// checkSplits runs each case through a fresh splitter of type typ, fed in
// chunks of several sizes.
func checkSplits(t *testing.T, typ string, tests []splitCase) {
	t.Helper()
	for _, tc := range tests {
		for _, chunk := range []int{1, 2, 3, 7, 1 << 20} {
			rng := rand.New(rand.NewPCG(1, uint64(chunk)))
			recs, _, rest := feed(build(t, typ, tc.body), []byte(tc.input), rng, chunk)
			if strings.Join(recs, "·") != strings.Join(tc.want, "·") || string(rest) != tc.rest {
				t.Errorf("%s (chunks ≤ %d): records %q rest %q, want %q rest %q", tc.name, chunk, recs, rest, tc.want, tc.rest)
			}
		}
	}
}

func TestTokenSplitter(t *testing.T) {
	checkSplits(t, "TokenSplitter", []splitCase{
		{"lines keep newline", "", "a\nbb\n\nccc\n", []string{"a\n", "bb\n", "\n", "ccc\n"}, ""},
		{"partial final record left over", "", "a\nb", []string{"a\n"}, "b"},
		{"count 2", "count = 2", "1\n2\n3\n4\n5\n", []string{"1\n2\n", "3\n4\n"}, "5\n"},
		{"other delimiter", "delimiter = \"|\"", "x|y|z", []string{"x|", "y|"}, "z"},
		{"count 3 with empty records", "count = 3\ndelimiter = \";\"", ";;;a;b;c;", []string{";;;", "a;b;c;"}, ""},
	})
}

// TestTokenSplitterDroppedData checks the splitter recovers when the engine
// discards data it had already scanned (the end of an oversize record).
func TestTokenSplitterDroppedData(t *testing.T) {
	s := build(t, "TokenSplitter", "count = 2")
	if adv, rec, _ := s.Split([]byte("aaaa\nbbbbbbbbbb"), false); adv != 0 || rec != nil {
		t.Fatalf("got a record from one delimiter")
	}
	adv, rec, _ := s.Split([]byte("x\ny\n"), false)
	if string(rec) != "x\ny\n" || adv != 4 {
		t.Fatalf("after dropped data: %d %q", adv, rec)
	}
}

func TestNullSplitter(t *testing.T) {
	s := build(t, "NullSplitter", "")
	if adv, rec, _ := s.Split(nil, false); adv != 0 || rec != nil {
		t.Fatal("empty data gave a record")
	}
	adv, rec, _ := s.Split([]byte("whole read"), false)
	if adv != 10 || string(rec) != "whole read" {
		t.Fatalf("got %d %q", adv, rec)
	}
}

func frame(t testing.TB, payload string, sc *message.SigningConfig) []byte {
	t.Helper()
	var m message.Message
	m.SetNewUUID()
	m.SetTimestamp(1)
	m.SetPayload(payload)
	b, err := message.AppendFrame(nil, m.Marshal(), sc, message.DefaultMaxMessageSize)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHekaFramingSplitter(t *testing.T) {
	ops1 := &message.SigningConfig{Name: "ops", Key: "k1", Version: 1}
	ops1sha := &message.SigningConfig{Name: "ops", Key: "k1", Version: 1, Hash: "sha1"}
	badKey := &message.SigningConfig{Name: "ops", Key: "wrong", Version: 1}
	unknownVersion := &message.SigningConfig{Name: "ops", Key: "k1", Version: 7}
	var stream []byte
	stream = append(stream, "garbage"...)
	stream = append(stream, frame(t, "unsigned", nil)...)
	stream = append(stream, frame(t, "md5", ops1)...)
	stream = append(stream, 0x1e, 0x02, 0xff) // a broken header
	stream = append(stream, frame(t, "bad key", badKey)...)
	stream = append(stream, frame(t, "sha1", ops1sha)...)
	stream = append(stream, frame(t, "unknown version", unknownVersion)...)
	stream = append(stream, frame(t, "last", nil)...)

	for _, chunk := range []int{1, 5, 64, 1 << 20} {
		rng := rand.New(rand.NewPCG(2, uint64(chunk)))
		s := build(t, "HekaFramingSplitter", "[s.signer.ops_1]\nhmac_key = \"k1\"\n")
		recs, signers, _ := feed(s, stream, rng, chunk)
		var payloads []string
		for _, r := range recs {
			var m message.Message
			if err := m.Unmarshal([]byte(r)); err != nil {
				t.Fatalf("record is not the unframed message: %v", err)
			}
			payloads = append(payloads, m.GetPayload())
		}
		want := "unsigned,md5,sha1,last"
		if strings.Join(payloads, ",") != want || strings.Join(signers, ",") != ",ops,ops," {
			t.Errorf("chunks ≤ %d: payloads %q signers %q", chunk, payloads, signers)
		}
		st := s.(*FramingSplitter).Stats()
		if st.BadSignature != 1 || st.UnknownSigner != 1 {
			t.Errorf("stats %+v: want one bad signature and one unknown signer", st)
		}
	}
}

func TestHekaFramingSplitterSkipAuthentication(t *testing.T) {
	s := build(t, "HekaFramingSplitter", "skip_authentication = true")
	bad := &message.SigningConfig{Name: "ops", Key: "whatever", Version: 1}
	recs, signers, _ := feed(s, frame(t, "x", bad), rand.New(rand.NewPCG(3, 3)), 100)
	if len(recs) != 1 || signers[0] != "" {
		t.Fatalf("records %d signers %q", len(recs), signers)
	}
}

func FuzzTokenSplitter(f *testing.F) {
	f.Add([]byte("a\nb\n\nc"), uint8(1), uint64(1))
	f.Add([]byte("xx\nyy\nzz\n"), uint8(2), uint64(9))
	f.Fuzz(func(t *testing.T, data []byte, count uint8, seed uint64) {
		body := "count = " + string(rune('1'+count%5))
		recs, _, rest := feed(build(t, "TokenSplitter", body), data, rand.New(rand.NewPCG(seed, 1)), 1+int(seed%17))
		if got := strings.Join(recs, "") + string(rest); got != string(data) {
			t.Fatalf("records and rest do not add up to the input")
		}
		for _, r := range recs {
			if bytes.Count([]byte(r), []byte("\n")) != int(1+count%5) || r[len(r)-1] != '\n' {
				t.Fatalf("record %q has the wrong number of delimiters", r)
			}
		}
	})
}

func FuzzHekaFramingSplitter(f *testing.F) {
	f.Add(frame(f, "x", nil), uint64(1))
	f.Add(append([]byte{0x1e, 0, 0x1f, 0x1e}, frame(f, "y", nil)...), uint64(2))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		s := build(t, "HekaFramingSplitter", "[signer.a_0]\nhmac_key = \"k\"\n")
		recs, _, _ := feed(s, data, rand.New(rand.NewPCG(seed, 2)), 1+int(seed%300))
		for _, r := range recs {
			if len(r) > message.DefaultMaxMessageSize {
				t.Fatalf("record of %d bytes exceeds the maximum", len(r))
			}
		}
	})
}

func BenchmarkTokenSplitter(b *testing.B) {
	var data []byte
	for i := 0; len(data) < 1<<20; i++ {
		data = append(data, "2026-11-25T08:00:00Z host app[123]: request served in 42 ms\n"...)
	}
	s := build(b, "TokenSplitter", "")
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
}

func BenchmarkHekaFramingSplitter(b *testing.B) {
	one := frame(b, strings.Repeat("p", 1000), nil)
	var data []byte
	for len(data) < 1<<20 {
		data = append(data, one...)
	}
	s := build(b, "HekaFramingSplitter", "")
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
}
