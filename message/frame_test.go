package message

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"google.golang.org/protobuf/proto"

	"github.com/hekad-go/hekad/message/pb"
)

// seqBytes returns n bytes counting up from 0 (so 0x1E and 0x1F appear in
// messages longer than 31 bytes, which the scanner must not mistake for
// framing).
func seqBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMaxRecordSize(t *testing.T) {
	tests := []struct{ max, want int }{
		{0, 65794},
		{-1, 65794},
		{DefaultMaxMessageSize, 65794},
		{100, 358},
	}
	for _, tc := range tests {
		if got := MaxRecordSize(tc.max); got != tc.want {
			t.Errorf("MaxRecordSize(%d) = %d, want %d", tc.max, got, tc.want)
		}
	}
}

// TestAppendFrameGolden checks the framing byte for byte. The signed headers
// are written out by hand from Heka's rules (fields 1, [3 for SHA1], 4, 5, 6
// in that order); the HMAC values were computed independently with Python's
// hmac module over seqBytes(100).
func TestAppendFrameGolden(t *testing.T) {
	msg100 := seqBytes(100)
	tests := []struct {
		name   string
		msg    []byte
		signer *SigningConfig
		want   string // framing and header, hex; the message follows
	}{
		{"unsigned 100", msg100, nil, "1E 02 08 64 1F"},
		{"unsigned empty", nil, nil, "1E 02 08 00 1F"},
		{"unsigned 200", seqBytes(200), nil, "1E 03 08 C801 1F"},
		{"unsigned max", seqBytes(DefaultMaxMessageSize), nil, "1E 04 08 808004 1F"},
		{
			"md5", msg100,
			&SigningConfig{Name: "test", Hash: "md5", Key: "testkey", Version: 1},
			"1E 1C 08 64 22 04 74657374 28 01 32 10 b7f9969ad5c75b045e07d1c368e08e10 1F",
		},
		{
			"md5 by default", msg100,
			&SigningConfig{Name: "test", Key: "testkey", Version: 1},
			"1E 1C 08 64 22 04 74657374 28 01 32 10 b7f9969ad5c75b045e07d1c368e08e10 1F",
		},
		{
			"sha1", msg100,
			&SigningConfig{Name: "test", Hash: "sha1", Key: "testkey", Version: 1},
			"1E 22 08 64 18 01 22 04 74657374 28 01 32 14 a942eca92dc784fdeb345b45f0198a82e990bd9f 1F",
		},
		{
			"SHA1 upper case", msg100,
			&SigningConfig{Name: "test", Hash: "SHA1", Key: "testkey", Version: 1},
			"1E 22 08 64 18 01 22 04 74657374 28 01 32 14 a942eca92dc784fdeb345b45f0198a82e990bd9f 1F",
		},
		{
			// Heka's client always writes the signer and key version.
			"empty signer, version 0, empty key", msg100,
			&SigningConfig{},
			"1E 18 08 64 22 00 28 00 32 10 7ccb1f813d5fdea645f6f1c62a30c15f 1F",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := []byte("keep")
			got, err := AppendFrame(prefix, tc.msg, tc.signer, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := append(append([]byte("keep"), unhex(t, tc.want)...), tc.msg...)
			if !bytes.Equal(got, want) {
				t.Fatalf("AppendFrame =\n% x\nwant\n% x", got, want)
			}
			// The header agrees with the generated protobuf code.
			frame := got[len(prefix):]
			hlen := int(frame[1])
			var ph pb.Header
			if err := proto.Unmarshal(frame[2:2+hlen], &ph); err != nil {
				t.Fatal(err)
			}
			if ph.GetMessageLength() != uint32(len(tc.msg)) {
				t.Errorf("pb message_length = %d, want %d", ph.GetMessageLength(), len(tc.msg))
			}
			if tc.signer != nil && ph.GetHmacSigner() != tc.signer.Name {
				t.Errorf("pb signer = %q, want %q", ph.GetHmacSigner(), tc.signer.Name)
			}
		})
	}
}

func TestAppendFrameErrors(t *testing.T) {
	tests := []struct {
		name    string
		msg     []byte
		signer  *SigningConfig
		max     int
		wantErr error
	}{
		{"message over max", seqBytes(11), nil, 10, ErrMessageTooLarge},
		{"message over default max", seqBytes(DefaultMaxMessageSize + 1), nil, 0, ErrMessageTooLarge},
		{"signed message over max", seqBytes(11), &SigningConfig{Name: "a"}, 10, ErrMessageTooLarge},
		{"header over 255", seqBytes(10), &SigningConfig{Name: strings.Repeat("n", 231)}, 0, ErrHeaderTooLarge},
		{"unknown hash", seqBytes(10), &SigningConfig{Name: "a", Hash: "sha256"}, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := []byte("abc")
			got, err := AppendFrame(dst, tc.msg, tc.signer, tc.max)
			if err == nil {
				t.Fatal("AppendFrame succeeded, want an error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if string(got) != "abc" {
				t.Errorf("dst changed to %q", got)
			}
		})
	}
	// The largest signer name that fits: 2 (length field) + 3 (signer tag
	// and two-byte length) + name + 2 (version) + 18 (md5 hmac) = 255.
	name := strings.Repeat("n", 255-2-3-2-18)
	f, err := AppendFrame(nil, seqBytes(10), &SigningConfig{Name: name}, 0)
	if err != nil {
		t.Fatalf("header of exactly 255 bytes: %v", err)
	}
	if f[1] != 255 || f[2+255] != UnitSeparator {
		t.Errorf("header length byte %d, want 255", f[1])
	}
	if _, err := AppendFrame(nil, seqBytes(10), &SigningConfig{Name: name + "n"}, 0); !errors.Is(err, ErrHeaderTooLarge) {
		t.Errorf("header of 256 bytes: error %v, want ErrHeaderTooLarge", err)
	}
}

func TestAppendFrameAllocs(t *testing.T) {
	msg := seqBytes(1000)
	buf := make([]byte, 0, 2048)
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		if buf, err = AppendFrame(buf[:0], msg, nil, 0); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("unsigned AppendFrame into a buffer with capacity: %v allocs, want 0", allocs)
	}
}

func TestSigningConfigTOML(t *testing.T) {
	const doc = `
[signer]
name = "test"
hmac_hash = "sha1"
hmac_key = "secret"
version = 3
`
	var cfg struct{ Signer SigningConfig }
	md, err := toml.Decode(doc, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(md.Undecoded()) != 0 {
		t.Errorf("undecoded keys %v", md.Undecoded())
	}
	want := SigningConfig{Name: "test", Hash: "sha1", Key: "secret", Version: 3}
	if cfg.Signer != want {
		t.Errorf("decoded %+v, want %+v", cfg.Signer, want)
	}
	if err := cfg.Signer.Validate(); err != nil {
		t.Error(err)
	}
	bad := SigningConfig{Name: "x", Hash: "sha256"}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "hmac_hash") {
		t.Errorf("Validate of hmac_hash sha256 = %v, want an error naming hmac_hash", err)
	}
}

func TestHashFunctionString(t *testing.T) {
	tests := []struct {
		f    HashFunction
		want string
	}{{HashMD5, "MD5"}, {HashSHA1, "SHA1"}, {7, "HashFunction(7)"}}
	for _, tc := range tests {
		if got := tc.f.String(); got != tc.want {
			t.Errorf("%d.String() = %q, want %q", int32(tc.f), got, tc.want)
		}
	}
}

// TestHeaderRoundTrip decodes canonical header encodings and checks the
// decoded values and that encoding them again gives the same bytes.
func TestHeaderRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Header // compared without the presence bits
	}{
		{"length only", "08 64", Header{MessageLength: 100}},
		{"length 0", "08 00", Header{}},
		{"empty (no length)", "", Header{}},
		{"max uint32 length", "08 ffffffff0f", Header{MessageLength: 1<<32 - 1}},
		{"explicit md5", "08 64 18 00", Header{MessageLength: 100}},
		{"sha1", "08 64 18 01", Header{MessageLength: 100, HashFunction: HashSHA1}},
		{"negative hash function", "08 01 18 ffffffffffffffffff01", Header{MessageLength: 1, HashFunction: -1}},
		{"empty signer", "08 01 22 00", Header{MessageLength: 1}},
		{"version 0", "08 01 28 00", Header{MessageLength: 1}},
		{"empty hmac", "08 01 32 00", Header{MessageLength: 1, Hmac: []byte{}}},
		{
			"signed md5", "08 64 22 04 74657374 28 01 32 10 b7f9969ad5c75b045e07d1c368e08e10",
			Header{MessageLength: 100, Signer: "test", KeyVersion: 1,
				Hmac: unhex(t, "b7f9969ad5c75b045e07d1c368e08e10")},
		},
		{"signer without length", "22 01 61", Header{Signer: "a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := unhex(t, tc.in)
			var h Header
			if err := h.Unmarshal(in); err != nil {
				t.Fatal(err)
			}
			if h.MessageLength != tc.want.MessageLength || h.HashFunction != tc.want.HashFunction ||
				h.Signer != tc.want.Signer || h.KeyVersion != tc.want.KeyVersion ||
				!bytes.Equal(h.Hmac, tc.want.Hmac) || h.HasHmac() != (tc.want.Hmac != nil) {
				t.Errorf("Unmarshal = %+v, want %+v", h, tc.want)
			}
			if got := h.AppendMarshal(nil); !bytes.Equal(got, in) {
				t.Errorf("AppendMarshal = % x, want % x", got, in)
			}
			if h.Size() != len(in) {
				t.Errorf("Size = %d, want %d", h.Size(), len(in))
			}
		})
	}
}

// TestHeaderMarshalZeroValues checks that a Header built in code writes only
// the required length and the non-zero fields.
func TestHeaderMarshalZeroValues(t *testing.T) {
	tests := []struct {
		name string
		h    Header
		want string
	}{
		{"zero", Header{}, "08 00"},
		{"md5 is not written", Header{MessageLength: 5, HashFunction: HashMD5}, "08 05"},
		{"all", Header{MessageLength: 5, HashFunction: HashSHA1, Signer: "s", KeyVersion: 2, Hmac: []byte{1}},
			"08 05 18 01 22 01 73 28 02 32 01 01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.h.AppendMarshal(nil); !bytes.Equal(got, unhex(t, tc.want)) {
				t.Errorf("AppendMarshal = % x, want %s", got, tc.want)
			}
		})
	}
}

func TestHeaderUnmarshalNonCanonical(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Header
	}{
		{"last length wins", "08 01 08 02", Header{MessageLength: 2}},
		{"fields out of order", "28 07 08 03", Header{MessageLength: 3, KeyVersion: 7}},
		{"unknown varint field", "08 03 10 05", Header{MessageLength: 3}},
		{"unknown fixed32 field", "08 03 3d 01020304", Header{MessageLength: 3}},
		{"unknown fixed64 field", "08 03 39 0102030405060708", Header{MessageLength: 3}},
		{"unknown bytes field", "08 03 3a 02 aabb", Header{MessageLength: 3}},
		{"unknown group", "08 03 3b 08 01 3c", Header{MessageLength: 3}},
		{"uint32 truncation", "08 8180808010", Header{MessageLength: 1}},
		{"non-minimal varint", "08 8100", Header{MessageLength: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h Header
			if err := h.Unmarshal(unhex(t, tc.in)); err != nil {
				t.Fatal(err)
			}
			if h.MessageLength != tc.want.MessageLength || h.KeyVersion != tc.want.KeyVersion {
				t.Errorf("Unmarshal = %+v, want %+v", h, tc.want)
			}
		})
	}
}

func TestHeaderUnmarshalErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"truncated varint", "08 80"},
		{"truncated tag", "80"},
		{"length as bytes", "0a 01 00"},
		{"signer as varint", "20 01"},
		{"hmac as fixed32", "35 00000000"},
		{"signer too long", "22 05 6162"},
		{"hmac too long", "32 7f"},
		{"field number 0", "00 01"},
		{"wire type 6", "0e"},
		{"wire type 7", "0f"},
		{"unmatched end group", "3c"},
		{"mismatched end group", "3b 44"},
		{"unterminated group", "3b 08 01"},
		{"varint over 10 bytes", "08 ffffffffffffffffffff01"},
		{"truncated fixed64", "39 01020304"},
		{"huge bytes length", "3a ffffffffffffffff7f"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h Header
			err := h.Unmarshal(unhex(t, tc.in))
			if !errors.Is(err, ErrBadHeader) {
				t.Errorf("Unmarshal(%s) error = %v, want ErrBadHeader", tc.in, err)
			}
		})
	}
}

func TestHeaderUnmarshalAllocs(t *testing.T) {
	frame, err := AppendFrame(nil, seqBytes(100), &SigningConfig{Name: "test", Key: "k", Version: 1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	hdr := frame[2 : 2+int(frame[1])]
	var h Header
	allocs := testing.AllocsPerRun(100, func() {
		if err := h.Unmarshal(hdr); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Unmarshal of a signed header into a reused Header: %v allocs, want 0", allocs)
	}
	if h.Signer != "test" || len(h.Hmac) != 16 {
		t.Errorf("decoded %+v", h)
	}
}

func TestHeaderReset(t *testing.T) {
	var h Header
	if err := h.Unmarshal(unhex(t, "08 01 22 00 32 00")); err != nil {
		t.Fatal(err)
	}
	h.Reset()
	if h.HasHmac() || h.Signer != "" {
		t.Errorf("after Reset: %+v", h)
	}
	if got := h.AppendMarshal(nil); !bytes.Equal(got, []byte{0x08, 0}) {
		t.Errorf("after Reset AppendMarshal = % x, want 08 00", got)
	}
}

// TestFrameSigner: a FrameSigner used for message after message frames
// each exactly as AppendFrame does with the same signer.
func TestFrameSigner(t *testing.T) {
	for _, signer := range []*SigningConfig{signerMD5, signerSHA1} {
		s, err := NewFrameSigner(signer)
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for _, msg := range [][]byte{seqBytes(10), nil, seqBytes(1000), seqBytes(10)} {
			want, err := AppendFrame(nil, msg, signer, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got, err = s.AppendFrame(got[:0], msg, 0); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: %d-byte message framed as %x (%v), want %x", signer.Hash, len(msg), got, err, want)
			}
		}
		if _, err := s.AppendFrame(nil, seqBytes(11), 10); !errors.Is(err, ErrMessageTooLarge) {
			t.Errorf("oversized message: %v", err)
		}
	}
	if _, err := NewFrameSigner(&SigningConfig{Hash: "sha256"}); err == nil {
		t.Error("sha256 accepted")
	}
}
