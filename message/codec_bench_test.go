package message_test

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/messagetest"
	"github.com/hekad-go/hekad/message/pb"
)

// TestBenchmarkMessageCodecAllocs guards the allocation budget of the hot
// path on the benchmark message: none to encode into a buffer with room, at
// most 2 (in practice one, the string shared by all values) to decode into a
// reused Message.
func TestBenchmarkMessageCodecAllocs(t *testing.T) {
	m := messagetest.BenchmarkMessage()
	data := m.Marshal()
	buf := make([]byte, 0, 2*len(data))
	if n := testing.AllocsPerRun(100, func() { buf = m.AppendMarshal(buf[:0]) }); n != 0 {
		t.Errorf("AppendMarshal: %v allocs/op, want 0", n)
	}
	var d message.Message
	if err := d.Unmarshal(data); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if err := d.Unmarshal(data); err != nil {
			t.Fatal(err)
		}
	}); n > 2 {
		t.Errorf("Unmarshal into a reused Message: %v allocs/op, want <= 2", n)
	}
	if !d.Equal(m) {
		t.Error("decoded benchmark message differs from the original")
	}
	var c message.Message
	m.CopyTo(&c)
	if n := testing.AllocsPerRun(100, func() { m.CopyTo(&c) }); n != 0 {
		t.Errorf("CopyTo a reused Message: %v allocs/op, want 0", n)
	}
	if !c.Equal(m) {
		t.Error("copy of the benchmark message differs from the original")
	}
}

// TestBenchmarkMessageShape keeps the benchmark message what its doc says.
func TestBenchmarkMessageShape(t *testing.T) {
	m := messagetest.BenchmarkMessage()
	if n := m.Size(); n < 900 || n > 1100 {
		t.Errorf("benchmark message encodes to %d bytes, want about 1 KiB", n)
	}
	if n := len(m.GetFields()); n != 10 {
		t.Errorf("benchmark message has %d fields, want 10", n)
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	data := messagetest.BenchmarkMessage().Marshal()
	var m message.Message
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Unmarshal(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendMarshal(b *testing.B) {
	m := messagetest.BenchmarkMessage()
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(m.Size()))
	b.ReportAllocs()
	for b.Loop() {
		buf = m.AppendMarshal(buf[:0])
	}
}

func BenchmarkCopyTo(b *testing.B) {
	m := messagetest.BenchmarkMessage()
	var c message.Message
	b.ReportAllocs()
	for b.Loop() {
		m.CopyTo(&c)
	}
}

// BenchmarkPBUnmarshal is the generated code's decode of the same message
// into a reused pb.Message, for comparison.
func BenchmarkPBUnmarshal(b *testing.B) {
	data := messagetest.BenchmarkMessage().Marshal()
	var p pb.Message
	opts := proto.UnmarshalOptions{Merge: false}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p.Reset()
		if err := opts.Unmarshal(data, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPBAppendMarshal is the generated code's encode of the same message
// into a reused buffer, for comparison.
func BenchmarkPBAppendMarshal(b *testing.B) {
	var p pb.Message
	if err := proto.Unmarshal(messagetest.BenchmarkMessage().Marshal(), &p); err != nil {
		b.Fatal(err)
	}
	opts := proto.MarshalOptions{Deterministic: true}
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(opts.Size(&p)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = opts.MarshalAppend(buf[:0], &p); err != nil {
			b.Fatal(err)
		}
	}
}
