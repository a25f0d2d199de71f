package message_test

import (
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/messagetest"
)

func TestCheckerAgreesWithUnmarshal(t *testing.T) {
	good := messagetest.BenchmarkMessage()
	valid := good.Marshal()
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"benchmark message", valid},
		{"truncated", valid[:len(valid)/2]},
		{"bad tag", []byte{0x00, 0x01}},
		{"length past the end", []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f}},
		{"known field, wrong wire type", []byte{0x18, 0x01}},
		{"field with bad value", []byte("\x52\x05\x32\x03\x01\x80\x80")},
	}
	var c message.Checker // one Checker for every case, as a decoder reuses it
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m message.Message
			want := m.Unmarshal(tc.data)
			got := c.Check(tc.data)
			if (got == nil) != (want == nil) || (got != nil && got.Error() != want.Error()) {
				t.Fatalf("Check = %v, Unmarshal = %v", got, want)
			}
		})
	}
}

func TestCheckerDoesNotAllocate(t *testing.T) {
	data := messagetest.BenchmarkMessage().Marshal()
	var c message.Checker
	if err := c.Check(data); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = c.Check(data) }); n != 0 {
		t.Fatalf("Check allocates %.0f times per call", n)
	}
}

func BenchmarkCheck(b *testing.B) {
	data := messagetest.BenchmarkMessage().Marshal()
	var c message.Checker
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Check(data); err != nil {
			b.Fatal(err)
		}
	}
}
