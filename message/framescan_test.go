package message

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/iotest"
)

// Keys and signers shared by the framing tests.
var (
	testKeys = map[string]string{
		"test_1": "testkey",
		"test_2": "testkey2",
		"sha_2":  "shakey",
	}
	signerMD5   = &SigningConfig{Name: "test", Key: "testkey", Version: 1}
	signerMD5v2 = &SigningConfig{Name: "test", Key: "testkey2", Version: 2}
	signerSHA1  = &SigningConfig{Name: "sha", Hash: "sha1", Key: "shakey", Version: 2}
)

// streamPart is a piece of a test stream with what the scanner must make of
// it. Offsets and stats are derived from the parts, so each case states only
// the meaning of its bytes.
type streamPart struct {
	b      []byte
	kind   partKind
	msgLen int        // partFrame: length of the message at the end of b
	signer string     // partFrame: expected verified signer
	reason SkipReason // partSkip, partDrop
}

type partKind int

const (
	partFrame partKind = iota // delivered as a frame
	partSkip                  // starts a skip region
	partMore                  // extends the previous skip region
	partDrop                  // a whole record dropped (signature)
)

func mkFrame(t testing.TB, msg []byte, signer *SigningConfig) []byte {
	t.Helper()
	f, err := AppendFrame(nil, msg, signer, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func frameP(t testing.TB, msg []byte, signer *SigningConfig, wantSigner string) streamPart {
	return streamPart{b: mkFrame(t, msg, signer), kind: partFrame, msgLen: len(msg), signer: wantSigner}
}

func rawFrameP(b []byte, msgLen int) streamPart {
	return streamPart{b: b, kind: partFrame, msgLen: msgLen}
}

func skipP(b []byte, reason SkipReason) streamPart {
	return streamPart{b: b, kind: partSkip, reason: reason}
}

func moreP(b []byte) streamPart { return streamPart{b: b, kind: partMore} }

func dropP(b []byte, reason SkipReason) streamPart {
	return streamPart{b: b, kind: partDrop, reason: reason}
}

// gotFrame is a frame as observed by a test, copied out of the buffer.
type gotFrame struct {
	Offset  int64
	Bytes   string
	Message string
	Signer  string
}

// gotSkip is a Skip without its error, which is checked separately.
type gotSkip struct {
	Offset int64
	Len    int
	Reason SkipReason
}

type scanResult struct {
	frames []gotFrame
	skips  []gotSkip
	stats  FrameStats
}

// expect derives the stream and the expected result from parts.
func expect(parts []streamPart) ([]byte, scanResult) {
	var stream []byte
	var want scanResult
	for _, p := range parts {
		off := int64(len(stream))
		stream = append(stream, p.b...)
		switch p.kind {
		case partFrame:
			want.stats.Records++
			want.frames = append(want.frames, gotFrame{
				Offset: off, Bytes: string(p.b), Message: string(p.b[len(p.b)-p.msgLen:]), Signer: p.signer,
			})
		case partSkip:
			want.stats.Garbage += int64(len(p.b))
			want.skips = append(want.skips, gotSkip{Offset: off, Len: len(p.b), Reason: p.reason})
			switch p.reason {
			case SkipBadHeader:
				want.stats.BadHeaders++
			case SkipOversize:
				want.stats.Oversize++
			case SkipTruncated:
				want.stats.Truncated++
			}
		case partMore:
			want.stats.Garbage += int64(len(p.b))
			want.skips[len(want.skips)-1].Len += len(p.b)
		case partDrop:
			want.skips = append(want.skips, gotSkip{Offset: off, Len: len(p.b), Reason: p.reason})
			if p.reason == SkipUnknownSigner {
				want.stats.UnknownSigner++
			} else {
				want.stats.BadSignature++
			}
		}
	}
	return stream, want
}

// recordSkips returns an OnSkip function that appends to *skips and checks
// that each skip carries the error its reason implies.
func recordSkips(t testing.TB, skips *[]gotSkip) func(Skip) {
	return func(k Skip) {
		wantErr := map[SkipReason]error{
			SkipBadHeader:     ErrBadHeader,
			SkipOversize:      ErrMessageTooLarge,
			SkipUnknownSigner: ErrUnknownSigner,
			SkipBadSignature:  ErrBadSignature,
			SkipTruncated:     ErrFrameTruncated,
		}[k.Reason]
		if wantErr == nil && k.Err != nil || wantErr != nil && !errors.Is(k.Err, wantErr) {
			t.Errorf("skip %v: error %v, want %v", k, k.Err, wantErr)
		}
		if k.Len <= 0 {
			t.Errorf("skip %v: empty", k)
		}
		*skips = append(*skips, gotSkip{k.Offset, k.Len, k.Reason})
	}
}

func (r scanResult) diff(want scanResult) string {
	var b bytes.Buffer
	if !slices.Equal(r.frames, want.frames) {
		fmt.Fprintf(&b, "frames:\n")
		for _, f := range r.frames {
			fmt.Fprintf(&b, "  got  off %d len %d msg %d signer %q\n", f.Offset, len(f.Bytes), len(f.Message), f.Signer)
		}
		for _, f := range want.frames {
			fmt.Fprintf(&b, "  want off %d len %d msg %d signer %q\n", f.Offset, len(f.Bytes), len(f.Message), f.Signer)
		}
	}
	if !slices.Equal(r.skips, want.skips) {
		fmt.Fprintf(&b, "skips:\n  got  %v\n  want %v\n", r.skips, want.skips)
	}
	if r.stats != want.stats {
		fmt.Fprintf(&b, "stats:\n  got  %+v\n  want %+v\n", r.stats, want.stats)
	}
	return b.String()
}

type scanCase struct {
	name  string
	opts  FrameOptions
	parts []streamPart
}

// scanCases is shared by the FrameScanner and Reader tests.
func scanCases(t testing.TB) []scanCase {
	msg100 := seqBytes(100)
	keyed := FrameOptions{Keys: testKeys, MaxMessageSize: 1000}
	md5Frame := mkFrame(t, msg100, signerMD5)
	badHmac := bytes.Clone(md5Frame)
	badHmac[len(badHmac)-1] ^= 1 // message changed after signing
	// A header claiming a signer but carrying no hmac.
	claim := Header{MessageLength: 100, Signer: "test", KeyVersion: 1}
	claimFrame := append(append([]byte{RecordSeparator, byte(claim.Size())}, claim.AppendMarshal(nil)...), UnitSeparator)
	claimFrame = append(claimFrame, msg100...)
	// A signed header naming hash function 2, which Heka does not define.
	unknownHash := Header{MessageLength: 100, HashFunction: 2, Signer: "test", KeyVersion: 1, Hmac: make([]byte, 16)}
	unknownHashFrame := append(append([]byte{RecordSeparator, byte(unknownHash.Size())}, unknownHash.AppendMarshal(nil)...), UnitSeparator)
	unknownHashFrame = append(unknownHashFrame, msg100...)
	emptyHmac := Header{MessageLength: 100, Signer: "test", KeyVersion: 1, Hmac: []byte{}}
	emptyHmacFrame := append(append([]byte{RecordSeparator, byte(emptyHmac.Size())}, emptyHmac.AppendMarshal(nil)...), UnitSeparator)
	emptyHmacFrame = append(emptyHmacFrame, msg100...)

	a := func(n int) []byte { return bytes.Repeat([]byte("a"), n) }
	return []scanCase{
		{"empty stream", keyed, nil},
		{"one unsigned", keyed, []streamPart{frameP(t, msg100, nil, "")}},
		{"only garbage", keyed, []streamPart{skipP([]byte("hello world\n"), SkipGarbage)}},
		{"garbage before, between and after", keyed, []streamPart{
			skipP([]byte("hello"), SkipGarbage),
			frameP(t, msg100, nil, ""),
			skipP([]byte("xx\n"), SkipGarbage),
			frameP(t, seqBytes(3), nil, ""),
			frameP(t, nil, nil, ""),
			skipP([]byte("tail"), SkipGarbage),
		}},
		{"empty header", keyed, []streamPart{
			rawFrameP([]byte{RecordSeparator, 0, UnitSeparator}, 0),
			frameP(t, msg100, nil, ""),
		}},
		{"oversize then record", keyed, []streamPart{
			frameP(t, msg100, nil, ""),
			skipP([]byte{RecordSeparator, 3, 0x08, 0xe9, 0x07, UnitSeparator}, SkipOversize), // 1001 > 1000
			moreP(a(1001)),
			frameP(t, msg100, nil, ""),
		}},
		{"oversize body scanned byte-wise", keyed, []streamPart{
			skipP([]byte{RecordSeparator, 3, 0x08, 0xe9, 0x07, UnitSeparator}, SkipOversize),
			moreP(a(10)),
			skipP([]byte{RecordSeparator}, SkipBadHeader), // H = 'a': byte 2+H is not 0x1F
			moreP(a(200)),
			frameP(t, msg100, nil, ""),
		}},
		{"message of exactly the maximum size", keyed, []streamPart{frameP(t, seqBytes(1000), nil, "")}},
		{"default maximum", FrameOptions{}, []streamPart{
			frameP(t, seqBytes(DefaultMaxMessageSize), nil, ""),
			skipP([]byte{RecordSeparator, 4, 0x08, 0x81, 0x80, 0x04, UnitSeparator}, SkipOversize),
			frameP(t, msg100, nil, ""),
		}},
		{"no unit separator after header", keyed, []streamPart{
			skipP([]byte{RecordSeparator}, SkipBadHeader),
			moreP([]byte{2, 0x08, 5, 0x20, 'a', 'b', 'c', 'd', 'e'}),
			frameP(t, msg100, nil, ""),
		}},
		{"undecodable header", keyed, []streamPart{
			skipP([]byte{RecordSeparator}, SkipBadHeader),
			moreP([]byte{2, 0x0a, 5, UnitSeparator, 'a', 'b', 'c', 'd', 'e'}),
			frameP(t, msg100, nil, ""),
		}},
		{"bad header right before a record", keyed, []streamPart{
			// H = 0x1E: byte 32 falls in the next frame's message.
			skipP([]byte{RecordSeparator}, SkipBadHeader),
			frameP(t, msg100, nil, ""),
		}},
		{"md5 signed", keyed, []streamPart{frameP(t, msg100, signerMD5, "test")}},
		{"sha1 signed", keyed, []streamPart{frameP(t, msg100, signerSHA1, "sha")}},
		{"key rollover", keyed, []streamPart{
			frameP(t, msg100, signerMD5, "test"),
			frameP(t, msg100, signerMD5v2, "test"),
		}},
		{"bad hmac", keyed, []streamPart{
			dropP(badHmac, SkipBadSignature),
			frameP(t, msg100, signerMD5, "test"),
		}},
		{"wrong key", keyed, []streamPart{
			dropP(mkFrame(t, msg100, &SigningConfig{Name: "test", Key: "other", Version: 1}), SkipBadSignature),
			frameP(t, msg100, nil, ""),
		}},
		{"unknown key version", keyed, []streamPart{
			dropP(mkFrame(t, msg100, &SigningConfig{Name: "test", Key: "testkey", Version: 9}), SkipUnknownSigner),
			frameP(t, msg100, signerMD5, "test"),
		}},
		{"unknown signer", keyed, []streamPart{
			dropP(mkFrame(t, msg100, &SigningConfig{Name: "nobody", Key: "testkey", Version: 1}), SkipUnknownSigner),
		}},
		{"no keys configured", FrameOptions{}, []streamPart{
			dropP(mkFrame(t, msg100, signerMD5), SkipUnknownSigner),
			frameP(t, msg100, nil, ""),
		}},
		{"signer claimed without hmac", keyed, []streamPart{rawFrameP(claimFrame, 100)}},
		{"unsupported hash function", keyed, []streamPart{dropP(unknownHashFrame, SkipBadSignature)}},
		{"empty hmac", keyed, []streamPart{dropP(emptyHmacFrame, SkipBadSignature)}},
		{"skip authentication", FrameOptions{SkipAuthentication: true}, []streamPart{
			rawFrameP(badHmac, 100),
			frameP(t, msg100, signerMD5, ""),
			rawFrameP(unknownHashFrame, 100),
		}},
		{"lone separator at end", keyed, []streamPart{
			frameP(t, msg100, nil, ""),
			skipP([]byte{RecordSeparator}, SkipTruncated),
		}},
		{"truncated header at end", keyed, []streamPart{
			frameP(t, msg100, nil, ""),
			skipP(mkFrame(t, msg100, signerMD5)[:10], SkipTruncated),
		}},
		{"truncated message at end", keyed, []streamPart{
			skipP([]byte("junk"), SkipGarbage),
			skipP(mkFrame(t, msg100, nil)[:104], SkipTruncated),
		}},
		{"long header announced at end", keyed, []streamPart{
			// Heka waits for the 255-byte header, so the record inside is lost.
			skipP(append([]byte{RecordSeparator, 255}, mkFrame(t, seqBytes(5), nil)...), SkipTruncated),
		}},
	}
}

// splitAll runs Split over the whole stream at once, as a caller with all
// the data in memory would.
func splitAll(t testing.TB, stream []byte, opts FrameOptions) scanResult {
	var res scanResult
	opts.OnSkip = recordSkips(t, &res.skips)
	s := NewFrameScanner(opts)
	data := stream
	for {
		adv, frame, err := s.Split(data, true)
		if err != nil {
			t.Fatalf("Split error: %v", err)
		}
		if adv < 0 || adv > len(data) {
			t.Fatalf("Split advance %d of %d bytes", adv, len(data))
		}
		if frame != nil {
			res.frames = append(res.frames, gotFrame{s.Offset(), string(frame), string(s.Message()), s.Signer()})
		}
		data = data[adv:]
		if adv == 0 && frame == nil {
			break
		}
	}
	if len(data) != 0 {
		t.Fatalf("Split left %d bytes at EOF", len(data))
	}
	res.stats = s.Stats()
	return res
}

// scanBufio runs Split under bufio.Scanner, whose buffer is limited to
// MaxRecordSize: the scanner must never need more.
func scanBufio(t testing.TB, r *bufio.Scanner, opts FrameOptions) scanResult {
	var res scanResult
	opts.OnSkip = recordSkips(t, &res.skips)
	s := NewFrameScanner(opts)
	r.Buffer(make([]byte, 16), MaxRecordSize(opts.MaxMessageSize))
	r.Split(s.Split)
	for r.Scan() {
		res.frames = append(res.frames, gotFrame{s.Offset(), string(r.Bytes()), string(s.Message()), s.Signer()})
	}
	if err := r.Err(); err != nil {
		t.Fatalf("bufio.Scanner: %v", err)
	}
	res.stats = s.Stats()
	return res
}

func TestFrameScannerSplit(t *testing.T) {
	for _, tc := range scanCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			stream, want := expect(tc.parts)
			if d := splitAll(t, stream, tc.opts).diff(want); d != "" {
				t.Errorf("whole stream:\n%s", d)
			}
			sc := bufio.NewScanner(iotest.OneByteReader(bytes.NewReader(stream)))
			if d := scanBufio(t, sc, tc.opts).diff(want); d != "" {
				t.Errorf("bufio.Scanner, one byte at a time:\n%s", d)
			}
		})
	}
}

func TestFrameScannerHeader(t *testing.T) {
	stream := mkFrame(t, seqBytes(100), signerSHA1)
	s := NewFrameScanner(FrameOptions{Keys: testKeys})
	adv, frame, _ := s.Split(stream, false)
	if adv != len(stream) || !bytes.Equal(frame, stream) {
		t.Fatalf("Split = %d, % x", adv, frame)
	}
	h := s.Header()
	if h.MessageLength != 100 || h.HashFunction != HashSHA1 || h.Signer != "sha" || h.KeyVersion != 2 || len(h.Hmac) != 20 {
		t.Errorf("Header = %+v", h)
	}
	if s.Signer() != "sha" || !bytes.Equal(s.Message(), seqBytes(100)) || s.Offset() != 0 {
		t.Errorf("Signer %q, Offset %d, Message % x", s.Signer(), s.Offset(), s.Message())
	}
}

// TestFrameScannerWaits checks that Split asks for more data (advancing only
// over garbage) while a record is incomplete, and does not report the
// incomplete record before EOF.
func TestFrameScannerWaits(t *testing.T) {
	frame := mkFrame(t, seqBytes(100), nil)
	stream := append([]byte("junk"), frame...)
	var skips []gotSkip
	s := NewFrameScanner(FrameOptions{OnSkip: recordSkips(t, &skips)})
	for n := 4; n < len(stream); n++ {
		adv, tok, _ := s.Split(stream[4:n], false)
		if n == 4 {
			continue
		}
		if adv != 0 || tok != nil {
			t.Fatalf("Split of %d bytes = %d, %v; want 0, nil", n, adv, tok)
		}
	}
	s = NewFrameScanner(FrameOptions{OnSkip: recordSkips(t, &skips)})
	adv, tok, _ := s.Split(stream[:10], false)
	if adv != 4 || tok != nil {
		t.Fatalf("Split = %d, %v; want 4 (the garbage), nil", adv, tok)
	}
	if want := []gotSkip{{0, 4, SkipGarbage}}; !slices.Equal(skips, want) {
		t.Errorf("skips %v, want %v", skips, want)
	}
	adv, tok, _ = s.Split(stream[4:], false)
	if adv != len(frame) || !bytes.Equal(tok, frame) || s.Offset() != 4 {
		t.Fatalf("Split = %d, offset %d", adv, s.Offset())
	}
}

func TestSkipReasonString(t *testing.T) {
	tests := []struct {
		r    SkipReason
		want string
	}{
		{SkipGarbage, "garbage"},
		{SkipBadHeader, "bad header"},
		{SkipOversize, "oversize"},
		{SkipUnknownSigner, "unknown signer"},
		{SkipBadSignature, "bad signature"},
		{SkipTruncated, "truncated"},
		{0, "SkipReason(0)"},
		{99, "SkipReason(99)"},
	}
	for _, tc := range tests {
		if got := tc.r.String(); got != tc.want {
			t.Errorf("SkipReason(%d).String() = %q, want %q", int(tc.r), got, tc.want)
		}
	}
	k := Skip{Offset: 7, Len: 3, Reason: SkipBadHeader, Err: ErrBadHeader}
	if got, want := k.String(), "bad header: 3 bytes at offset 7: bad frame header"; got != want {
		t.Errorf("Skip.String() = %q, want %q", got, want)
	}
}

// TestFrameScannerAllocs checks that finding unsigned and signed records in
// a stream does not allocate once the scanner is warm.
func TestFrameScannerAllocs(t *testing.T) {
	tests := []struct {
		name   string
		signer *SigningConfig
	}{{"unsigned", nil}, {"md5", signerMD5}, {"sha1", signerSHA1}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			frame := mkFrame(t, seqBytes(1000), tc.signer)
			s := NewFrameScanner(FrameOptions{Keys: testKeys})
			allocs := testing.AllocsPerRun(100, func() {
				if _, tok, _ := s.Split(frame, false); tok == nil {
					t.Fatal("no frame")
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocs per record, want 0", allocs)
			}
			if s.Stats().Records != 101 {
				t.Errorf("Records = %d, want 101", s.Stats().Records)
			}
		})
	}
}
