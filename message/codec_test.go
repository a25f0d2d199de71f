package message

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"
)

// hexBytes decodes a hex string in which spaces separate bytes for reading.
func hexBytes(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustField(t testing.TB, name string, value any, rep string) *Field {
	t.Helper()
	f, err := NewField(name, value, rep)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// goldenVectors are encodings worked out by hand from the protobuf wire
// format and Heka's marshalling rules.
func goldenVectors(t testing.TB) []struct {
	name string
	msg  func() *Message
	hex  string
} {
	return []struct {
		name string
		msg  func() *Message
		hex  string
	}{
		{"empty", func() *Message { return new(Message) }, ""},
		{"every header field", func() *Message {
			m := new(Message)
			m.SetUuid([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
			m.SetTimestamp(300)
			m.SetType("t")
			m.SetLogger("lg")
			m.SetSeverity(3)
			m.SetPayload("hi")
			m.SetEnvVersion("1")
			m.SetPid(12345)
			m.SetHostname("h")
			return m
		}, "0a 10 000102030405060708090a0b0c0d0e0f 10 ac02 1a 01 74 22 02 6c67 28 03" +
			" 32 02 6869 3a 01 31 40 b960 4a 01 68"},
		{"headers set to zero values are written", func() *Message {
			m := new(Message)
			m.SetUuid(nil)
			m.SetTimestamp(0)
			m.SetType("")
			m.SetSeverity(0)
			m.SetPid(0)
			return m
		}, "0a 00 10 00 1a 00 28 00 40 00"},
		{"header order is field-number order", func() *Message {
			m := new(Message)
			m.SetHostname("h")
			m.SetPayload("p")
			m.SetTimestamp(1)
			return m
		}, "10 01 32 01 70 4a 01 68"},
		{"negative severity and pid are 5 bytes (Heka)", func() *Message {
			m := new(Message)
			m.SetSeverity(-1)
			m.SetPid(math.MinInt32)
			return m
		}, "28 ffffffff0f 40 8080808008"},
		{"negative timestamp is 10 bytes", func() *Message {
			m := new(Message)
			m.SetTimestamp(-2)
			return m
		}, "10 feffffffffffffffff01"},
		{"string field, empty representation", func() *Message {
			m := new(Message)
			m.AddField(mustField(t, "s", "ab", ""))
			return m
		}, "52 0b 0a0173 1000 1a00 2202 6162"},
		{"bytes field with representation", func() *Message {
			m := new(Message)
			m.AddField(mustField(t, "b", []byte{0x00, 0xff}, "raw"))
			return m
		}, "52 0e 0a0162 1001 1a03 726177 2a02 00ff"},
		{"integer array, packed", func() *Message {
			m := new(Message)
			m.AddField(mustField(t, "i", []int64{1, 300, -1}, "count"))
			return m
		}, "52 1b 0a0169 1002 1a05 636f756e74 320d 01 ac02 ffffffffffffffffff01"},
		{"double", func() *Message {
			m := new(Message)
			m.AddField(mustField(t, "d", 1.5, ""))
			return m
		}, "52 11 0a0164 1003 1a00 3a08 000000000000f83f"},
		{"bool array", func() *Message {
			m := new(Message)
			m.AddField(mustField(t, "f", []bool{true, false, true}, ""))
			return m
		}, "52 0c 0a0166 1004 1a00 4203 010001"},
		{"field without values", func() *Message {
			m := new(Message)
			m.AddField(NewFieldInit("e", ValueInteger, ""))
			return m
		}, "52 07 0a0165 1002 1a00"},
		{"string array, one tag per element", func() *Message {
			m := new(Message)
			m.AddField(mustField(t, "a", []string{"x", "y"}, ""))
			return m
		}, "52 0d 0a0161 1000 1a00 2201 78 2201 79"},
		{"duplicate field names keep their order", func() *Message {
			m := new(Message)
			m.AddField(mustField(t, "n", "1", ""))
			m.AddField(mustField(t, "n", 2, ""))
			return m
		}, "52 0a 0a016e 1000 1a00 2201 31 52 0a 0a016e 1002 1a00 3201 02"},
		{"field without value_type and representation", func() *Message {
			m := new(Message)
			m.AddField(&Field{name: "p", valueString: []string{"v"}})
			return m
		}, "52 06 0a0170 2201 76"},
		{"field name is written even when empty", func() *Message {
			m := new(Message)
			m.AddField(&Field{})
			return m
		}, "52 02 0a00"},
		{"header and fields", func() *Message {
			m := new(Message)
			m.SetType("t")
			m.AddField(mustField(t, "s", "ab", ""))
			m.SetSeverity(1)
			return m
		}, "1a 01 74 28 01 52 0b 0a0173 1000 1a00 2202 6162"},
	}
}

func TestGoldenVectors(t *testing.T) {
	for _, tc := range goldenVectors(t) {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.msg()
			want := hexBytes(t, tc.hex)
			if got := m.Marshal(); !bytes.Equal(got, want) {
				t.Errorf("Marshal = % x\n            want % x", got, want)
			}
			if got := m.Size(); got != len(want) {
				t.Errorf("Size = %d, want %d", got, len(want))
			}
			prefix := []byte("prefix")
			if got := m.AppendMarshal(prefix); !bytes.Equal(got, append(prefix, want...)) {
				t.Errorf("AppendMarshal(prefix) = % x", got)
			}
			var d Message
			if err := d.Unmarshal(want); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !d.Equal(m) {
				t.Errorf("Unmarshal = %s\nwant %s", dump(&d), dump(m))
			}
		})
	}
}

// TestDecodeAlternativeForms checks encodings Heka's decoder accepts but
// does not write: they decode to the expected message, which re-encodes in
// the canonical form.
func TestDecodeAlternativeForms(t *testing.T) {
	tests := []struct {
		name      string
		hex       string
		want      func() *Message
		canonical string
	}{
		{"unpacked integers", "52 09 0a0175 1002 3001 3002", func() *Message {
			m := new(Message)
			m.AddField(&Field{name: "u", valueType: ValueInteger, present: fieldHasValueType,
				valueInteger: []int64{1, 2}})
			return m
		}, "52 09 0a0175 1002 3202 0102"},
		{"unpacked and packed integers mix", "52 08 3001 3202 0203 3004", func() *Message {
			m := new(Message)
			m.AddField(&Field{valueInteger: []int64{1, 2, 3, 4}})
			return m
		}, "52 08 0a00 3204 01020304"},
		{"unpacked doubles and bools", "52 0d 39 000000000000f03f 4001 4000", func() *Message {
			m := new(Message)
			m.AddField(&Field{valueDouble: []float64{1}, valueBool: []bool{true, false}})
			return m
		}, "52 10 0a00 3a08 000000000000f03f 4202 0100"},
		{"bool varints other than 1 are true", "52 06 4204 00 02 8001", func() *Message {
			m := new(Message)
			m.AddField(&Field{valueBool: []bool{false, true, true}})
			return m
		}, "52 07 0a00 4203 000101"},
		{"negative severity, standard 10-byte form", "28 ffffffffffffffffff01", func() *Message {
			m := new(Message)
			m.SetSeverity(-1)
			return m
		}, "28 ffffffff0f"},
		{"int32 keeps the low 32 bits", "40 ffffffff1f", func() *Message {
			m := new(Message)
			m.SetPid(-1)
			return m
		}, "40 ffffffff0f"},
		{"last header value wins", "1a 01 61 1a 01 62", func() *Message {
			m := new(Message)
			m.SetType("b")
			return m
		}, "1a 01 62"},
		{"unknown fields are skipped", "58 05 1a 01 74 7d 01020304 62 02 0000" +
			" 52 0a 0a0166 4a03 000000 5801 6b 6c", func() *Message {
			m := new(Message)
			m.SetType("t")
			m.AddField(&Field{name: "f"})
			return m
		}, "1a 01 74 52 03 0a0166"},
		{"unknown group is skipped", "5b 0801 5801 5c 1a 01 74", func() *Message {
			m := new(Message)
			m.SetType("t")
			return m
		}, "1a 01 74"},
		{"long uuid", "0a 11 000102030405060708090a0b0c0d0e0f10", func() *Message {
			m := new(Message)
			m.SetUuid([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
			return m
		}, "0a 11 000102030405060708090a0b0c0d0e0f10"},
		{"out-of-range value type is kept", "52 04 0a00 1009", func() *Message {
			m := new(Message)
			m.AddField(&Field{valueType: 9, present: fieldHasValueType})
			return m
		}, "52 04 0a00 1009"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			if err := m.Unmarshal(hexBytes(t, tc.hex)); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			want := tc.want()
			if !m.Equal(want) {
				t.Errorf("Unmarshal = %s\nwant %s", dump(&m), dump(want))
			}
			if got, canon := m.Marshal(), hexBytes(t, tc.canonical); !bytes.Equal(got, canon) {
				t.Errorf("re-encoded as % x, want % x", got, canon)
			}
		})
	}
}

func TestDecodeGarbage(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		want error
		at   string // "at byte N" expected in the message
	}{
		{"truncated tag", "80", errTruncated, "at byte 0"},
		{"tag only", "0a", errTruncated, "at byte 1"},
		{"truncated varint", "10 8080", errTruncated, "at byte 1"},
		{"varint longer than 10 bytes", "10 8080808080808080808001", errVarint, "at byte 1"},
		{"varint overflows 64 bits", "10 ffffffffffffffffff7f", errVarint, "at byte 1"},
		{"length beyond input", "0a 05 01", errLength, "at byte 1"},
		{"huge length prefix", "52 ffffffff0f 00", errLength, "at byte 1"},
		{"maximal length prefix", "0a ffffffffffffffffff01", errLength, "at byte 1"},
		{"field number 0", "00 00", errFieldNumber, "at byte 0"},
		{"field number too large", "808080801000", errFieldNumber, "at byte 0"},
		{"uuid as varint", "08 01", errWireType, "at byte 0"},
		{"uuid as fixed32", "0d 00000000", errWireType, "at byte 0"},
		{"timestamp as bytes", "1a 01 74 12 00", errWireType, "at byte 3"},
		{"fields as varint", "50 01", errWireType, "at byte 0"},
		{"wire type 7 on a known field", "0f", errWireType, "at byte 0"},
		{"wire type 7 on an unknown field", "5f", errSkip, "at byte 0"},
		{"end group at top level", "5c", errSkip, "at byte 0"},
		{"unterminated group", "5b 0801", errSkip, "at byte 0"},
		{"truncated unknown fixed64", "59 000000", errSkip, "at byte 0"},
		{"field name beyond field", "52 02 0a05 00000000", errLength, "at byte 3"},
		{"field name as varint", "52 02 0801", errWireType, "at byte 2"},
		{"field value type as bytes", "52 02 1200", errWireType, "at byte 2"},
		{"packed doubles not a multiple of 8", "52 09 3a07 00000000000000", errPacked, "at byte 4"},
		{"truncated varint in packed integers", "52 05 3203 018080", errTruncated, "at byte 5"},
		{"truncated unpacked double", "52 03 39 0000", errTruncated, "at byte 3"},
		{"packed length beyond field", "52 03 3205 01 0102030405", errLength, "at byte 3"},
		{"bad field after a good one", "52 03 0a0166 52 01 80", errTruncated, "at byte 7"},
		{"field number 0 inside field", "52 02 0000", errFieldNumber, "at byte 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			err := m.Unmarshal(hexBytes(t, tc.hex))
			if err == nil {
				t.Fatalf("Unmarshal accepted it: %+v", &m)
			}
			if !errors.Is(err, ErrBadMessage) || !errors.Is(err, tc.want) {
				t.Errorf("error %q does not wrap ErrBadMessage and %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.at+":") {
				t.Errorf("error %q does not say %q", err, tc.at)
			}
		})
	}
}

// TestUnmarshalResetsAndReuses decodes messages of different shapes into one
// Message: nothing of an earlier message survives in a later one.
func TestUnmarshalResetsAndReuses(t *testing.T) {
	big := new(Message)
	big.SetUuid(bytes.Repeat([]byte{0xaa}, 16))
	big.SetType("big")
	big.SetSeverity(2)
	big.AddField(mustField(t, "a", []string{"x", "y", "z"}, "r"))
	big.AddField(mustField(t, "b", [][]byte{{1, 2}, {3}}, ""))
	big.AddField(mustField(t, "c", []int64{1, 2, 3}, ""))
	big.AddField(mustField(t, "d", []float64{1, 2}, ""))
	big.AddField(mustField(t, "e", []bool{true}, ""))

	small := new(Message)
	small.SetPayload("p")
	small.AddField(mustField(t, "c", []byte{9}, ""))
	small.AddField(&Field{name: "x"})

	var m Message
	for i, want := range []*Message{big, small, big, new(Message), small} {
		if err := m.Unmarshal(want.Marshal()); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if !m.Equal(want) {
			t.Fatalf("step %d: decoded %s\nwant %s", i, dump(&m), dump(want))
		}
	}
}

// TestDecodedValuesDoNotAliasInput checks that the decoded message does not
// change when the input buffer is overwritten.
func TestDecodedValuesDoNotAliasInput(t *testing.T) {
	src := new(Message)
	src.SetUuid([]byte("0123456789abcdef"))
	src.SetType("type")
	src.AddField(mustField(t, "b", []byte("bytes"), "rep"))
	buf := src.Marshal()
	var m Message
	if err := m.Unmarshal(buf); err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 0
	}
	if !m.Equal(src) {
		t.Fatalf("decoded message changed with its input: %+v", &m)
	}
}

// TestBytesValuesAreIndependent checks that appending to one decoded bytes
// value cannot overwrite the next one in the arena.
func TestBytesValuesAreIndependent(t *testing.T) {
	src := new(Message)
	src.AddField(mustField(t, "b", [][]byte{[]byte("ab"), []byte("cd")}, ""))
	var m Message
	if err := m.Unmarshal(src.Marshal()); err != nil {
		t.Fatal(err)
	}
	vals := m.GetFields()[0].GetValueBytes()
	_ = append(vals[0], 'X')
	if string(vals[1]) != "cd" {
		t.Fatalf("second value = %q after appending to the first", vals[1])
	}
}

func TestAppendMarshalAllocs(t *testing.T) {
	m := new(Message)
	m.SetNewUUID()
	m.SetTimestamp(1)
	m.SetPayload(strings.Repeat("p", 300))
	m.AddField(mustField(t, "s", []string{"a", "b"}, "r"))
	m.AddField(mustField(t, "i", []int64{1, -1, 1 << 40}, ""))
	m.AddField(mustField(t, "d", []float64{1, 2}, ""))
	m.AddField(mustField(t, "b", [][]byte{{1}}, ""))
	m.AddField(mustField(t, "t", []bool{true}, ""))
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() { buf = m.AppendMarshal(buf[:0]) }); n != 0 {
		t.Errorf("AppendMarshal into a buffer with capacity: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = m.Marshal() }); n != 1 {
		t.Errorf("Marshal: %v allocs, want 1", n)
	}
}
