package protobuf

import (
	"bytes"
	_ "embed"
	"errors"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/messagetest"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "ProtobufDecoder", "ProtobufEncoder")
}

func TestInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "ProtobufDecoder", map[string]string{
		"[ProtobufDecoder]\nstrict = true\n": "strict",
	})
	plugintest.CheckInvalid(t, "ProtobufEncoder", map[string]string{
		"[ProtobufEncoder]\nappend_newlines = true\n": "append_newlines",
	})
}

// build makes a plugin through the registry, as the engine does.
func build[T any](t testing.TB, typeName string) T {
	t.Helper()
	reg, ok := pipeline.Lookup(typeName)
	if !ok {
		t.Fatalf("%s is not registered", typeName)
	}
	v, err := reg.Build(reg.NewConfig(), pipeline.NewEnv("test", typeName, nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	return v.(T)
}

func testMessages() map[string]*message.Message {
	small := new(message.Message)
	small.SetType("t")
	small.SetPayload("hello")
	neg := new(message.Message)
	neg.SetSeverity(-1)
	neg.SetPid(-42)
	bin := new(message.Message)
	bin.SetNewUUID()
	f := bin.AppendField("blob", message.ValueBytes, "")
	if err := f.AddBytes([]byte{0, 1, 2, 0xff}); err != nil {
		panic(err)
	}
	return map[string]*message.Message{
		"empty":     new(message.Message),
		"small":     small,
		"negatives": neg,
		"bytes":     bin,
		"benchmark": messagetest.BenchmarkMessage(),
	}
}

func TestDecoder(t *testing.T) {
	dec := build[pipeline.Decoder](t, "ProtobufDecoder")
	for name, want := range testMessages() {
		t.Run(name, func(t *testing.T) {
			p := pipeline.NewPack()
			p.MutableMessage().SetPayload("left over from an earlier message")
			p.MutableMessage().Reset()
			p.MsgBytes = want.Marshal()
			out, err := dec.Decode(t.Context(), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != 1 || out[0] != p {
				t.Fatalf("Decode returned %d packs, want p", len(out))
			}
			if !p.Message().Equal(want) {
				t.Errorf("decoded %+v, want %+v", p.Message(), want)
			}
			if !p.BytesTrusted() {
				t.Error("bytes not trusted")
			}
			if !bytes.Equal(p.MsgBytes, want.Marshal()) {
				t.Error("MsgBytes changed")
			}
		})
	}
}

// TestDecoderTextMode decodes a record that a text-mode splitter put in
// the payload.
func TestDecoderTextMode(t *testing.T) {
	dec := build[pipeline.Decoder](t, "ProtobufDecoder")
	want := messagetest.BenchmarkMessage()
	p := pipeline.NewPack()
	p.MutableMessage().SetNewUUID()
	p.MutableMessage().SetLogger("input")
	p.MutableMessage().SetPayload(string(want.Marshal()))
	out, err := dec.Decode(t.Context(), p, nil)
	if err != nil || len(out) != 1 {
		t.Fatalf("Decode: %d packs, %v", len(out), err)
	}
	if !p.Message().Equal(want) {
		t.Errorf("decoded %+v, want %+v", p.Message(), want)
	}
	if !p.BytesTrusted() || !bytes.Equal(p.MsgBytes, want.Marshal()) {
		t.Error("MsgBytes is not the trusted encoding")
	}
}

// TestDecoderLazy: Decode accepts and rejects what message.Unmarshal does,
// marks accepted bytes trusted and leaves the message to be decoded on
// first read, in message-bytes and in text mode.
func TestDecoderLazy(t *testing.T) {
	good := messagetest.BenchmarkMessage().Marshal()
	tests := []struct {
		name  string
		data  []byte
		text  bool
		valid bool
	}{
		{"message bytes", good, false, true},
		{"text mode", good, true, true},
		{"truncated", good[:len(good)/2], false, false},
		{"text", []byte("not a protobuf message\n"), true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dec := build[pipeline.Decoder](t, "ProtobufDecoder")
			p := pipeline.NewPack()
			if tc.text {
				p.MutableMessage().SetLogger("input")
				p.MutableMessage().SetPayload(string(tc.data))
			} else {
				p.MsgBytes = bytes.Clone(tc.data)
			}
			_, err := dec.Decode(t.Context(), p, nil)
			if tc.valid != (err == nil) {
				t.Fatalf("Decode = %v, want valid %v", err, tc.valid)
			}
			if !tc.valid {
				if !pipeline.IsDrop(err) || !errors.Is(err, message.ErrBadMessage) {
					t.Errorf("error %v is not a Drop wrapping message.ErrBadMessage", err)
				}
				if p.BytesTrusted() {
					t.Error("TrustMsgBytes set for a bad record")
				}
				return
			}
			if !p.BytesTrusted() || !bytes.Equal(p.MsgBytes, tc.data) {
				t.Error("MsgBytes is not the trusted record")
			}
			if p.Decoded() {
				t.Error("message decoded before anything read it")
			}
			var want message.Message
			if err := want.Unmarshal(tc.data); err != nil {
				t.Fatal(err)
			}
			if !p.Message().Equal(&want) {
				t.Errorf("lazily decoded %+v, want %+v", p.Message(), &want)
			}
		})
	}
}

func TestDecoderGarbage(t *testing.T) {
	dec := build[pipeline.Decoder](t, "ProtobufDecoder")
	good := messagetest.BenchmarkMessage().Marshal()
	tests := map[string][]byte{
		"text":           []byte("this is not a protobuf message\n"),
		"truncated":      good[:len(good)/2],
		"bad tag":        {0x00, 0x01},
		"bad wire type":  {0x12, 0x01}, // timestamp as a string
		"long varint":    bytes.Repeat([]byte{0xff}, 11),
		"length overrun": {0x1a, 0x7f, 'a'},
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			p := pipeline.NewPack()
			p.MsgBytes = data
			out, err := dec.Decode(t.Context(), p, nil)
			if err == nil {
				t.Fatalf("accepted %q", data)
			}
			if !pipeline.IsDrop(err) {
				t.Errorf("error %v is not a Drop error", err)
			}
			if !errors.Is(err, message.ErrBadMessage) {
				t.Errorf("error %v does not wrap message.ErrBadMessage", err)
			}
			if len(out) != 0 {
				t.Errorf("returned %d packs for a bad record", len(out))
			}
			if p.BytesTrusted() {
				t.Error("TrustMsgBytes set for a bad record")
			}
		})
	}
}

func TestEncoder(t *testing.T) {
	enc := build[pipeline.Encoder](t, "ProtobufEncoder")
	for name, m := range testMessages() {
		t.Run(name, func(t *testing.T) {
			want := m.Marshal()
			p := pipeline.NewPack()
			m.CopyTo(p.MutableMessage())
			got, err := enc.Encode([]byte("prefix"), p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, append([]byte("prefix"), want...)) {
				t.Errorf("Encode = %x, want prefix + %x", got, want)
			}
			// The encoding is made once and kept as the pack's bytes.
			if !p.BytesTrusted() || !bytes.Equal(p.MsgBytes, want) || !p.Message().Equal(m) {
				t.Error("Encode did not keep the encoding, or changed the message")
			}
		})
	}
}

// TestEncoderForwardsBytes checks that trusted message bytes are written
// as they are, even when they are not what encoding the message gives
// (unknown fields, non-canonical varints from another implementation).
func TestEncoderForwardsBytes(t *testing.T) {
	enc := build[pipeline.Encoder](t, "ProtobufEncoder")
	dec := build[pipeline.Decoder](t, "ProtobufDecoder")
	m := new(message.Message)
	m.SetType("forwarded")
	// Field 99 (unknown, skipped on decode) makes the bytes differ from a
	// re-encoding of the decoded message.
	raw := append(m.Marshal(), 0x98, 0x06, 0x01)
	p := pipeline.NewPack()
	p.MsgBytes = raw
	if _, err := dec.Decode(t.Context(), p, nil); err != nil {
		t.Fatal(err)
	}
	got, err := enc.Encode(nil, p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, raw) {
		t.Errorf("Encode = %x, want the received bytes %x", got, raw)
	}
	// Once the message is changed the bytes are no longer trusted.
	p.MutableMessage().SetType("changed")
	got, _ = enc.Encode(got[:0], p)
	if !bytes.Equal(got, p.Message().Marshal()) {
		t.Errorf("Encode of a changed message = %x, want %x", got, p.Message().Marshal())
	}
}

func TestEncodeNoAlloc(t *testing.T) {
	enc := build[pipeline.Encoder](t, "ProtobufEncoder")
	dec := build[pipeline.Decoder](t, "ProtobufDecoder")
	p := pipeline.NewPack()
	messagetest.FillBenchmarkMessage(p.MutableMessage())
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf, _ = enc.Encode(buf[:0], p) }); n != 0 {
		t.Errorf("Encode of a message: %v allocs, want 0", n)
	}
	p.MsgBytes = p.Message().Marshal()
	if _, err := dec.Decode(t.Context(), p, nil); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { buf, _ = enc.Encode(buf[:0], p) }); n != 0 {
		t.Errorf("Encode of trusted bytes: %v allocs, want 0", n)
	}
}

func FuzzProtobufDecoder(f *testing.F) {
	for _, m := range testMessages() {
		f.Add(m.Marshal())
	}
	f.Add([]byte{0x1a, 0x7f, 'a'})
	dec := new(Decoder)
	enc := Encoder{}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := pipeline.NewPack()
		p.MsgBytes = bytes.Clone(data)
		out, err := dec.Decode(t.Context(), p, nil)
		var m message.Message
		if uerr := m.Unmarshal(data); (uerr == nil) != (err == nil) {
			t.Fatalf("Unmarshal: %v, Decode: %v", uerr, err)
		}
		if err != nil {
			if !pipeline.IsDrop(err) || len(out) != 0 {
				t.Fatalf("bad failure: %d packs, %v", len(out), err)
			}
			return
		}
		// A decoded message re-encodes to bytes that decode to it again.
		p.MutableMessage()
		b, err := enc.Encode(nil, p)
		if err != nil {
			t.Fatal(err)
		}
		q := pipeline.NewPack()
		q.MsgBytes = b
		if _, err := dec.Decode(t.Context(), q, nil); err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if !q.Message().Equal(p.Message()) {
			t.Fatalf("round trip changed the message")
		}
	})
}

// BenchmarkProtobufDecoder checks a 1 KiB message (Decode: what a relay
// pays) and also decodes it (Decode+Message: what reading it costs).
func BenchmarkProtobufDecoder(b *testing.B) {
	raw := messagetest.BenchmarkMessage().Marshal()
	dec := new(Decoder)
	p := pipeline.NewPack()
	out := make([]*pipeline.Pack, 0, 1)
	ctx := b.Context()
	b.Run("Decode", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			p.MsgBytes = append(p.MsgBytes[:0], raw...)
			var err error
			if out, err = dec.Decode(ctx, p, out[:0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decode+Message", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			p.MsgBytes = append(p.MsgBytes[:0], raw...)
			var err error
			if out, err = dec.Decode(ctx, p, out[:0]); err != nil {
				b.Fatal(err)
			}
			p.Message()
		}
	})
}

func BenchmarkProtobufEncoder(b *testing.B) {
	enc := Encoder{}
	p := pipeline.NewPack()
	messagetest.FillBenchmarkMessage(p.MutableMessage())
	buf := make([]byte, 0, 4096)
	b.Run("Trusted", func(b *testing.B) {
		p.MsgBytes = p.Message().Marshal()
		p.TrustBytes()
		b.SetBytes(int64(len(p.MsgBytes)))
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = enc.Encode(buf[:0], p)
		}
	})
	b.Run("Encode", func(b *testing.B) {
		p.MutableMessage()
		b.SetBytes(int64(p.Message().Size()))
		b.ReportAllocs()
		for b.Loop() {
			p.MutableMessage() // the encoding is made again
			buf, _ = enc.Encode(buf[:0], p)
		}
	})
}
