package message

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"testing/iotest"

	"google.golang.org/protobuf/proto"

	"github.com/hekad-go/hekad/message/pb"
)

// chunkReader delivers its data in chunks of random size (1 to max bytes),
// sometimes with an empty read, from a seeded generator.
type chunkReader struct {
	data []byte
	rng  *rand.Rand
	max  int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	if c.rng.IntN(10) == 0 {
		return 0, nil
	}
	n := min(1+c.rng.IntN(c.max), len(p), len(c.data))
	n = copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

// readAll reads every frame of r, checking each against the stream, and
// checks that the Reader's buffer stays within MaxRecordSize.
func readAll(t testing.TB, stream []byte, src io.Reader, opts FrameOptions) (scanResult, error) {
	t.Helper()
	var res scanResult
	opts.OnSkip = recordSkips(t, &res.skips)
	r := NewReader(src, opts)
	limit := MaxRecordSize(opts.MaxMessageSize)
	for {
		f, err := r.Next()
		if cap(r.buf) > limit {
			t.Fatalf("reader buffer %d bytes, over MaxRecordSize %d", cap(r.buf), limit)
		}
		if err != nil {
			res.stats = r.Stats()
			return res, err
		}
		checkFrame(t, stream, f)
		res.frames = append(res.frames, gotFrame{f.Offset, string(f.Bytes), string(f.Message), f.Signer})
	}
}

// checkFrame checks that f is a well-formed frame found at f.Offset of
// stream (when stream is known).
func checkFrame(t testing.TB, stream []byte, f Frame) {
	t.Helper()
	b := f.Bytes
	if len(b) < HeaderFramingSize || b[0] != RecordSeparator {
		t.Fatalf("frame at %d: bad start % x", f.Offset, b[:min(len(b), 3)])
	}
	hl := int(b[1])
	if len(b) < HeaderFramingSize+hl || b[HeaderDelimiterSize+hl] != UnitSeparator {
		t.Fatalf("frame at %d: no unit separator after a %d-byte header", f.Offset, hl)
	}
	var h Header
	if err := h.Unmarshal(b[HeaderDelimiterSize : HeaderDelimiterSize+hl]); err != nil {
		t.Fatalf("frame at %d: header: %v", f.Offset, err)
	}
	if len(b) != HeaderFramingSize+hl+int(h.MessageLength) || !bytes.Equal(f.Message, b[HeaderFramingSize+hl:]) {
		t.Fatalf("frame at %d: %d bytes, header announces %d-byte message", f.Offset, len(b), h.MessageLength)
	}
	if f.Header.MessageLength != h.MessageLength || f.Header.Signer != h.Signer || !bytes.Equal(f.Header.Hmac, h.Hmac) {
		t.Fatalf("frame at %d: Header %+v, decoded %+v", f.Offset, f.Header, h)
	}
	if f.Signer != "" && (f.Signer != h.Signer || !h.HasHmac()) {
		t.Fatalf("frame at %d: Signer %q with header %+v", f.Offset, f.Signer, h)
	}
	if stream != nil && (f.Offset < 0 || f.Offset+int64(len(b)) > int64(len(stream)) ||
		!bytes.Equal(stream[f.Offset:f.Offset+int64(len(b))], b)) {
		t.Fatalf("frame at %d: bytes differ from the stream", f.Offset)
	}
}

func TestReaderChunked(t *testing.T) {
	readers := []struct {
		name string
		wrap func(data []byte, seed uint64) io.Reader
	}{
		{"whole", func(d []byte, _ uint64) io.Reader { return bytes.NewReader(d) }},
		{"one byte", func(d []byte, _ uint64) io.Reader { return iotest.OneByteReader(bytes.NewReader(d)) }},
		{"half", func(d []byte, _ uint64) io.Reader { return iotest.HalfReader(bytes.NewReader(d)) }},
		{"data with EOF", func(d []byte, _ uint64) io.Reader { return iotest.DataErrReader(bytes.NewReader(d)) }},
		{"random chunks up to 7", func(d []byte, s uint64) io.Reader {
			return &chunkReader{d, rand.New(rand.NewPCG(s, 1)), 7}
		}},
		{"random chunks up to 300", func(d []byte, s uint64) io.Reader {
			return &chunkReader{d, rand.New(rand.NewPCG(s, 2)), 300}
		}},
		{"random chunks up to 70000", func(d []byte, s uint64) io.Reader {
			return &chunkReader{d, rand.New(rand.NewPCG(s, 3)), 70000}
		}},
	}
	for _, tc := range scanCases(t) {
		stream, want := expect(tc.parts)
		for _, rd := range readers {
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				for seed := range uint64(3) {
					got, err := readAll(t, stream, rd.wrap(stream, seed), tc.opts)
					if err != io.EOF {
						t.Fatalf("Next error %v, want io.EOF", err)
					}
					if d := got.diff(want); d != "" {
						t.Fatalf("seed %d:\n%s", seed, d)
					}
				}
			})
		}
	}
}

// TestReaderManyRecords reads a long mixed stream (records of every size up
// to the maximum, signed and unsigned, with garbage) in random chunks.
func TestReaderManyRecords(t *testing.T) {
	const max = 2000
	rng := rand.New(rand.NewPCG(42, 42))
	var parts []streamPart
	signers := []*SigningConfig{nil, signerMD5, signerSHA1}
	wantSigner := []string{"", "test", "sha"}
	for range 500 {
		switch rng.IntN(6) {
		case 0:
			g := make([]byte, 1+rng.IntN(50))
			for i := range g {
				g[i] = byte('a' + rng.IntN(26))
			}
			if len(parts) > 0 && parts[len(parts)-1].kind != partFrame {
				parts = append(parts, moreP(g))
			} else {
				parts = append(parts, skipP(g, SkipGarbage))
			}
		default:
			k := rng.IntN(3)
			msg := make([]byte, rng.IntN(max+1))
			for i := range msg {
				msg[i] = byte(rng.Uint32())
			}
			parts = append(parts, frameP(t, msg, signers[k], wantSigner[k]))
		}
	}
	stream, want := expect(parts)
	opts := FrameOptions{MaxMessageSize: max, Keys: testKeys}
	for _, chunk := range []int{1, 100, 5000, 1 << 20} {
		got, err := readAll(t, stream, &chunkReader{stream, rand.New(rand.NewPCG(7, uint64(chunk))), chunk}, opts)
		if err != io.EOF {
			t.Fatalf("Next error %v", err)
		}
		if d := got.diff(want); d != "" {
			t.Fatalf("chunks up to %d:\n%s", chunk, d)
		}
	}
}

// TestReaderBufferBound feeds a header that announces the largest message
// followed by endless garbage without separators, then checks the buffer
// never exceeds MaxRecordSize.
func TestReaderBufferBound(t *testing.T) {
	const max = 1000
	hdr := []byte{RecordSeparator, 3, 0x08, 0xe8, 0x07, UnitSeparator} // 1000 bytes follow
	src := io.MultiReader(
		bytes.NewReader(hdr),
		io.LimitReader(repeatByte('x'), 10*max),
		bytes.NewReader(hdr),
		io.LimitReader(repeatByte('y'), max-1),
	)
	var skips []gotSkip
	r := NewReader(src, FrameOptions{MaxMessageSize: max, OnSkip: recordSkips(t, &skips)})
	f, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if f.Offset != 0 || len(f.Message) != max {
		t.Errorf("frame at %d with %d-byte message", f.Offset, len(f.Message))
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next error %v, want io.EOF", err)
	}
	if cap(r.buf) > MaxRecordSize(max) {
		t.Errorf("buffer %d bytes, over %d", cap(r.buf), MaxRecordSize(max))
	}
	wantSkips := []gotSkip{
		{int64(len(hdr) + max), 9 * max, SkipGarbage},
		{int64(len(hdr) + 10*max), len(hdr) + max - 1, SkipTruncated},
	}
	if !slices.Equal(skips, wantSkips) {
		t.Errorf("skips %v, want %v", skips, wantSkips)
	}
}

type repeatByte byte

func (c repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

func TestReaderErrors(t *testing.T) {
	frame := mkFrame(t, seqBytes(100), nil)
	errBoom := errors.New("boom")

	t.Run("read error after frames", func(t *testing.T) {
		stream := append(bytes.Clone(frame), frame[:50]...)
		r := NewReader(io.MultiReader(bytes.NewReader(stream), iotest.ErrReader(errBoom)), FrameOptions{})
		if f, err := r.Next(); err != nil || f.Offset != 0 {
			t.Fatalf("Next = %d, %v", f.Offset, err)
		}
		for range 2 {
			if _, err := r.Next(); !errors.Is(err, errBoom) {
				t.Fatalf("Next error %v, want %v", err, errBoom)
			}
		}
		if st := r.Stats(); st.Truncated != 0 || st.Records != 1 {
			t.Errorf("stats %+v: a read error is not the end of the stream", st)
		}
	})
	t.Run("empty reads", func(t *testing.T) {
		r := NewReader(iotest.ErrReader(nil), FrameOptions{})
		if _, err := r.Next(); !errors.Is(err, io.ErrNoProgress) {
			t.Fatalf("Next error %v, want io.ErrNoProgress", err)
		}
	})
	t.Run("empty stream", func(t *testing.T) {
		r := NewReader(bytes.NewReader(nil), FrameOptions{})
		for range 2 {
			if _, err := r.Next(); err != io.EOF {
				t.Fatalf("Next error %v, want io.EOF", err)
			}
		}
	})
}

// loopReader serves the same data forever.
type loopReader struct {
	data []byte
	off  int
}

func (l *loopReader) Read(p []byte) (int, error) {
	n := copy(p, l.data[l.off:])
	l.off = (l.off + n) % len(l.data)
	return n, nil
}

func TestReaderAllocs(t *testing.T) {
	tests := []struct {
		name   string
		signer *SigningConfig
	}{{"unsigned", nil}, {"md5", signerMD5}, {"sha1", signerSHA1}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stream []byte
			for range 10 {
				stream = append(stream, mkFrame(t, seqBytes(1000), tc.signer)...)
			}
			r := NewReader(&loopReader{data: stream}, FrameOptions{Keys: testKeys})
			for range 100 { // grow the buffer and make the HMAC states
				if _, err := r.Next(); err != nil {
					t.Fatal(err)
				}
			}
			allocs := testing.AllocsPerRun(1000, func() {
				if _, err := r.Next(); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocs per frame, want 0", allocs)
			}
		})
	}
}

// TestReaderHekaFile reads a framed protobuf file written by Heka itself, if
// present locally (it is not part of the repository).
func TestReaderHekaFile(t *testing.T) {
	const path = "/tmp/heka-multi.dat"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s not available: %v", path, err)
	}
	var skips []gotSkip
	r := NewReader(iotest.OneByteReader(bytes.NewReader(data)), FrameOptions{OnSkip: recordSkips(t, &skips)})
	n := 0
	for {
		f, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		checkFrame(t, data, f)
		var m pb.Message
		if err := proto.Unmarshal(f.Message, &m); err != nil {
			t.Fatalf("frame %d at %d: message: %v", n, f.Offset, err)
		}
		if len(m.GetUuid()) != 16 {
			t.Errorf("frame %d: uuid of %d bytes", n, len(m.GetUuid()))
		}
		// Heka wrote these frames unsigned; AppendFrame writes the same bytes.
		if again, err := AppendFrame(nil, f.Message, nil, 0); err != nil || !bytes.Equal(again, f.Bytes) {
			t.Errorf("frame %d: AppendFrame = % x, %v; Heka wrote % x", n, again[:min(len(again), 8)], err, f.Bytes[:8])
		}
		n++
	}
	if n == 0 || len(skips) != 0 {
		t.Errorf("%d frames, skips %v; want frames and no skips", n, skips)
	}
	if st := r.Stats(); st.Records != int64(n) || st.Garbage != 0 {
		t.Errorf("stats %+v", st)
	}
	t.Logf("%d frames from %s", n, path)
}
