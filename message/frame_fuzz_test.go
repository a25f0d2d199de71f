package message

import (
	"bufio"
	"bytes"
	"cmp"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/hekad-go/hekad/message/pb"
)

// FuzzFrameScanner feeds arbitrary bytes, in random chunks, to a Reader and
// to Split under bufio.Scanner. Neither may fail or panic; every frame must
// be well formed and found where the stream holds it; the frames and skipped
// regions must tile the stream exactly; the result must not depend on the
// chunking; and the Reader's buffer must stay within MaxRecordSize.
func FuzzFrameScanner(f *testing.F) {
	for _, tc := range scanCases(f) {
		if tc.opts.MaxMessageSize == 1000 {
			stream, _ := expect(tc.parts)
			f.Add(stream, uint64(len(stream)), uint16(3))
		}
	}
	f.Add([]byte{RecordSeparator, 0, UnitSeparator, RecordSeparator, 2, 0x08, 0x01, UnitSeparator, 'x'}, uint64(1), uint16(1))
	f.Fuzz(func(t *testing.T, stream []byte, seed uint64, maxChunk uint16) {
		opts := FrameOptions{MaxMessageSize: 1000, Keys: testKeys}
		whole := splitAll(t, stream, opts)
		chunk := 1 + int(maxChunk)%2000
		got, err := readAll(t, stream, &chunkReader{stream, rand.New(rand.NewPCG(seed, 0)), chunk}, opts)
		if err != io.EOF {
			t.Fatalf("Next error %v, want io.EOF", err)
		}
		if d := got.diff(whole); d != "" {
			t.Fatalf("chunks up to %d differ from the whole stream:\n%s", chunk, d)
		}
		sc := bufio.NewScanner(&chunkReader{stream, rand.New(rand.NewPCG(seed, 1)), chunk})
		if d := scanBufio(t, sc, opts).diff(whole); d != "" {
			t.Fatalf("bufio.Scanner differs from the whole stream:\n%s", d)
		}
		checkTiling(t, stream, got)
	})
}

// checkTiling checks that the frames and skipped regions cover the stream
// exactly once, and that the stats agree with them.
func checkTiling(t *testing.T, stream []byte, res scanResult) {
	type region struct {
		off int64
		n   int
	}
	var regions []region
	var st FrameStats
	for _, f := range res.frames {
		regions = append(regions, region{f.Offset, len(f.Bytes)})
		st.Records++
	}
	for _, k := range res.skips {
		regions = append(regions, region{k.Offset, k.Len})
		switch k.Reason {
		case SkipUnknownSigner:
			st.UnknownSigner++
		case SkipBadSignature:
			st.BadSignature++
		default:
			st.Garbage += int64(k.Len)
			switch k.Reason {
			case SkipBadHeader:
				st.BadHeaders++
			case SkipOversize:
				st.Oversize++
			case SkipTruncated:
				st.Truncated++
			}
		}
	}
	slices.SortFunc(regions, func(a, b region) int { return cmp.Compare(a.off, b.off) })
	var pos int64
	for _, r := range regions {
		if r.off != pos || r.n <= 0 {
			t.Fatalf("region at %d (%d bytes), expected one at %d", r.off, r.n, pos)
		}
		pos += int64(r.n)
	}
	if pos != int64(len(stream)) {
		t.Fatalf("regions end at %d, stream has %d bytes", pos, len(stream))
	}
	if st != res.stats {
		t.Fatalf("stats %+v, regions say %+v", res.stats, st)
	}
}

// FuzzHeaderUnmarshal checks Header.Unmarshal against the generated protobuf
// code: whatever Unmarshal accepts, proto accepts and re-encodes to the same
// bytes as AppendMarshal; whatever it rejects, proto rejects too or keeps as
// unknown fields (a known field with the wrong wire type, which Heka
// rejects). Encoding a decoded header and decoding it again is stable.
func FuzzHeaderUnmarshal(f *testing.F) {
	for _, s := range []string{
		"", "0864", "08641801", "086422047465737428013210b7f9969ad5c75b045e07d1c368e08e10",
		"08011003", "3b08013c", "0a0100", "08ffffffffffffffffff01", "3201", "2200", "18ffffffffffffffffff01",
	} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var h Header
		err := h.Unmarshal(b)
		var ph pb.Header
		perr := proto.UnmarshalOptions{AllowPartial: true}.Unmarshal(b, &ph)
		unknown := len(ph.ProtoReflect().GetUnknown()) > 0
		if err != nil {
			if perr == nil && !unknown {
				t.Fatalf("Unmarshal(% x): %v; proto accepts it as %v", b, err, &ph)
			}
			return
		}
		if perr != nil {
			t.Fatalf("Unmarshal(% x) accepted %+v; proto: %v", b, h, perr)
		}
		enc := h.AppendMarshal(nil)
		if len(enc) != h.Size() {
			t.Fatalf("Size %d, AppendMarshal wrote %d bytes", h.Size(), len(enc))
		}
		if !unknown {
			penc, err := proto.MarshalOptions{AllowPartial: true, Deterministic: true}.Marshal(&ph)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(enc, penc) {
				t.Fatalf("Unmarshal(% x) = %+v, encodes as % x; proto encodes % x", b, h, enc, penc)
			}
		}
		var h2 Header
		if err := h2.Unmarshal(enc); err != nil {
			t.Fatalf("decoding AppendMarshal output % x: %v", enc, err)
		}
		if enc2 := h2.AppendMarshal(nil); !bytes.Equal(enc, enc2) {
			t.Fatalf("re-encoding % x gives % x", enc, enc2)
		}
	})
}
