package message

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/hekad-go/hekad/message/pb"
)

// The tests of this file prove the hand-written codec equal to the code
// generated from message.proto (package pb).

var (
	pbMarshal   = proto.MarshalOptions{AllowPartial: true, Deterministic: true}
	pbUnmarshal = proto.UnmarshalOptions{AllowPartial: true}
)

// ToProto converts m to the generated type, presence included.
func ToProto(m *Message) *pb.Message {
	p := new(pb.Message)
	if m.Has(HeaderUuid) {
		p.Uuid = append([]byte{}, m.uuid...)
	}
	if m.Has(HeaderTimestamp) {
		p.Timestamp = proto.Int64(m.timestamp)
	}
	if m.Has(HeaderType) {
		p.Type = proto.String(m.typ)
	}
	if m.Has(HeaderLogger) {
		p.Logger = proto.String(m.logger)
	}
	if m.Has(HeaderSeverity) {
		p.Severity = proto.Int32(m.severity)
	}
	if m.Has(HeaderPayload) {
		p.Payload = proto.String(m.payload)
	}
	if m.Has(HeaderEnvVersion) {
		p.EnvVersion = proto.String(m.envVersion)
	}
	if m.Has(HeaderPid) {
		p.Pid = proto.Int32(m.pid)
	}
	if m.Has(HeaderHostname) {
		p.Hostname = proto.String(m.hostname)
	}
	for _, f := range m.fields {
		pf := &pb.Field{
			Name:         proto.String(f.name),
			ValueString:  f.valueString,
			ValueBytes:   f.valueBytes,
			ValueInteger: f.valueInteger,
			ValueDouble:  f.valueDouble,
			ValueBool:    f.valueBool,
		}
		if f.present&fieldHasValueType != 0 {
			pf.ValueType = pb.Field_ValueType(f.valueType).Enum()
		}
		if f.present&fieldHasRepresentation != 0 {
			pf.Representation = proto.String(f.representation)
		}
		p.Fields = append(p.Fields, pf)
	}
	return p
}

// FromProto converts a generated message to a Message, presence included.
// Unknown fields are ignored.
func FromProto(p *pb.Message) *Message {
	m := new(Message)
	if p.Uuid != nil {
		m.SetUuid(p.Uuid)
	}
	if p.Timestamp != nil {
		m.SetTimestamp(*p.Timestamp)
	}
	if p.Type != nil {
		m.SetType(*p.Type)
	}
	if p.Logger != nil {
		m.SetLogger(*p.Logger)
	}
	if p.Severity != nil {
		m.SetSeverity(*p.Severity)
	}
	if p.Payload != nil {
		m.SetPayload(*p.Payload)
	}
	if p.EnvVersion != nil {
		m.SetEnvVersion(*p.EnvVersion)
	}
	if p.Pid != nil {
		m.SetPid(*p.Pid)
	}
	if p.Hostname != nil {
		m.SetHostname(*p.Hostname)
	}
	for _, pf := range p.Fields {
		f := &Field{
			name:         pf.GetName(),
			valueString:  pf.ValueString,
			valueBytes:   pf.ValueBytes,
			valueInteger: pf.ValueInteger,
			valueDouble:  pf.ValueDouble,
			valueBool:    pf.ValueBool,
		}
		if pf.ValueType != nil {
			f.valueType = ValueType(*pf.ValueType)
			f.present |= fieldHasValueType
		}
		if pf.Representation != nil {
			f.representation = *pf.Representation
			f.present |= fieldHasRepresentation
		}
		m.AddField(f)
	}
	return m
}

// dump renders m for test failure messages.
func dump(m *Message) string {
	return prototext.Format(ToProto(m))
}

// hekaForm rewrites a standard protobuf encoding of a Message into Heka's:
// negative severity and pid become 5-byte varints (see int32Wire). It
// reports whether anything changed.
func hekaForm(t testing.TB, b []byte) ([]byte, bool) {
	var out []byte
	changed := false
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			t.Fatalf("hekaForm: bad tag: %v", protowire.ParseError(n))
		}
		if (num == 5 || num == 8) && typ == protowire.VarintType {
			v, vn := protowire.ConsumeVarint(b[n:])
			if vn < 0 {
				t.Fatalf("hekaForm: bad varint: %v", protowire.ParseError(vn))
			}
			out = append(out, b[:n]...)
			out = protowire.AppendVarint(out, uint64(uint32(v)))
			changed = changed || vn != protowire.SizeVarint(uint64(uint32(v)))
			b = b[n+vn:]
			continue
		}
		vn := protowire.ConsumeFieldValue(num, typ, b[n:])
		if vn < 0 {
			t.Fatalf("hekaForm: bad value: %v", protowire.ParseError(vn))
		}
		out = append(out, b[:n+vn]...)
		b = b[n+vn:]
	}
	return out, changed
}

// fuzzSource turns fuzz input into values; it yields zeros once exhausted.
type fuzzSource struct{ b []byte }

func (s *fuzzSource) byte() byte {
	if len(s.b) == 0 {
		return 0
	}
	c := s.b[0]
	s.b = s.b[1:]
	return c
}

func (s *fuzzSource) uint64() uint64 {
	var buf [8]byte
	n := copy(buf[:], s.b)
	s.b = s.b[n:]
	return binary.LittleEndian.Uint64(buf[:])
}

// int64 returns small and large, positive and negative values.
func (s *fuzzSource) int64() int64 {
	switch c := s.byte(); c % 4 {
	case 0:
		return int64(c >> 2)
	case 1:
		return -int64(c >> 2)
	default:
		return int64(s.uint64())
	}
}

func (s *fuzzSource) bytes() []byte {
	n := int(s.byte())
	if n >= 200 {
		n = (n - 199) * 50 // up to 2800 bytes: two-byte length prefixes
	}
	n = min(n, len(s.b))
	b := s.b[:n:n]
	s.b = s.b[n:]
	return b
}

func (s *fuzzSource) string() string { return string(s.bytes()) }

// randomMessage builds a message from fuzz input, with every kind of
// content the encoding distinguishes (presence, value types out of range,
// values in arrays that do not match the value type, and so on).
func randomMessage(data []byte) *Message {
	s := &fuzzSource{b: data}
	m := new(Message)
	present := uint16(s.byte()) | uint16(s.byte())<<8
	for h := HeaderUuid; h <= HeaderHostname; h++ {
		if present&(1<<h) == 0 {
			continue
		}
		switch h {
		case HeaderUuid:
			m.SetUuid(s.bytes())
		case HeaderTimestamp:
			m.SetTimestamp(s.int64())
		case HeaderType:
			m.SetType(s.string())
		case HeaderLogger:
			m.SetLogger(s.string())
		case HeaderSeverity:
			m.SetSeverity(int32(s.int64()))
		case HeaderPayload:
			m.SetPayload(s.string())
		case HeaderEnvVersion:
			m.SetEnvVersion(s.string())
		case HeaderPid:
			m.SetPid(int32(s.int64()))
		case HeaderHostname:
			m.SetHostname(s.string())
		}
	}
	for n := s.byte() % 8; n > 0; n-- {
		f := &Field{name: s.string()}
		flags := s.byte()
		f.present = flags & (fieldHasValueType | fieldHasRepresentation)
		if f.present&fieldHasValueType != 0 {
			f.valueType = ValueType(flags>>2) % 5
			if flags&0x80 != 0 {
				f.valueType = ValueType(int32(s.int64())) // often out of range
			}
		}
		if f.present&fieldHasRepresentation != 0 {
			f.representation = s.string()
		}
		// Values go in the array of the value type, or in any array.
		kinds := uint8(1) << (uint8(f.valueType) % 5)
		if flags&0x40 != 0 {
			kinds = s.byte()
		}
		for k := range 5 {
			if kinds&(1<<k) == 0 {
				continue
			}
			for range s.byte() % 6 {
				switch ValueType(k) {
				case ValueString:
					f.valueString = append(f.valueString, s.string())
				case ValueBytes:
					f.valueBytes = append(f.valueBytes, s.bytes())
				case ValueInteger:
					f.valueInteger = append(f.valueInteger, s.int64())
				case ValueDouble:
					f.valueDouble = append(f.valueDouble, math.Float64frombits(s.uint64()))
				case ValueBool:
					f.valueBool = append(f.valueBool, s.byte()&1 != 0)
				}
			}
		}
		m.AddField(f)
	}
	return m
}

func checkEquivalence(t *testing.T, m *Message) {
	t.Helper()
	ours := m.Marshal()
	if len(ours) != m.Size() {
		t.Fatalf("Size = %d, Marshal wrote %d bytes", m.Size(), len(ours))
	}
	theirs, err := pbMarshal.Marshal(ToProto(m))
	if err != nil {
		t.Fatalf("proto.Marshal: %v", err)
	}
	heka, changed := hekaForm(t, theirs)
	negative := m.Has(HeaderSeverity) && m.severity < 0 || m.Has(HeaderPid) && m.pid < 0
	if changed != negative {
		t.Fatalf("standard and Heka forms differ: %v; negative severity or pid: %v", changed, negative)
	}
	if !bytes.Equal(ours, heka) {
		t.Fatalf("encodings differ\nmessage %s\nours  % x\nproto % x (Heka form % x)", dump(m), ours, theirs, heka)
	}

	// Each codec decodes the other's bytes to the original message.
	var d Message
	if err := d.Unmarshal(theirs); err != nil {
		t.Fatalf("Unmarshal(proto bytes % x): %v", theirs, err)
	}
	if !d.Equal(m) {
		t.Fatalf("Unmarshal(proto bytes) = %s\nwant %s", dump(&d), dump(m))
	}
	var p pb.Message
	if err := pbUnmarshal.Unmarshal(ours, &p); err != nil {
		t.Fatalf("proto.Unmarshal(% x): %v", ours, err)
	}
	// Out-of-range value types are kept: protobuf-go treats the closed
	// proto2 enum as open, like Heka's gogo code.
	if got := FromProto(&p); !got.Equal(m) {
		t.Fatalf("proto.Unmarshal(ours) = %s\nwant %s", dump(got), dump(m))
	}
}

func TestGoldenVectorsMatchProto(t *testing.T) {
	for _, tc := range goldenVectors(t) {
		t.Run(tc.name, func(t *testing.T) { checkEquivalence(t, tc.msg()) })
	}
}

// TestLongFieldsMatchProto covers fields whose length prefix takes 2 and 3
// bytes, next to short ones.
func TestLongFieldsMatchProto(t *testing.T) {
	for _, n := range []int{100, 123, 124, 125, 126, 127, 128, 200, 16370, 16380, 16384, 20000} {
		m := new(Message)
		m.SetPayload("p")
		m.AddField(mustField(t, "short", "v", ""))
		m.AddField(mustField(t, "long", strings.Repeat("x", n), "r"))
		m.AddField(mustField(t, "ints", []int64{1, 2, 3}, ""))
		checkEquivalence(t, m)
		buf := make([]byte, 3, 3+m.Size())
		if got := m.AppendMarshal(buf); !bytes.Equal(got[3:], m.Marshal()) || cap(got) != cap(buf) {
			t.Errorf("%d: AppendMarshal after a prefix differs from Marshal or reallocated", n)
		}
	}
}

// FuzzCodecEquivalence builds a random message from the input and checks
// that the hand-written codec and the generated one encode it to the same
// bytes (modulo Heka's form of negative int32s) and decode each other's
// bytes back to it.
func FuzzCodecEquivalence(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0xff, 0x01, 16, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 2, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{0x10, 0x01, 0x05, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87})
	f.Add([]byte{0, 0, 3, 1, 'a', 0x43, 0x1f, 3, 'x', 'y', 'z', 2})
	f.Add([]byte{0, 0, 1, 1, 'n', 0xc1, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add(bytes.Repeat([]byte{0xf7, 0x23, 0x05, 0xff}, 64))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkEquivalence(t, randomMessage(data))
	})
}

// FuzzUnmarshal feeds arbitrary bytes to Unmarshal: it never panics, and it
// agrees with the generated code on what is valid and on the values, except
// that it rejects a known field with the wrong wire type (as Heka does)
// where the generated code keeps it as an unknown field. A Checker gives
// the same error as Unmarshal.
func FuzzUnmarshal(f *testing.F) {
	for _, tc := range goldenVectors(f) {
		f.Add(tc.msg().Marshal())
	}
	f.Add([]byte("\x58\x05\x1a\x01\x74\x7d\x01\x02\x03\x04\x5b\x08\x01\x5c\x52\x04\x0a\x00\x10\x09"))
	f.Add([]byte("\x52\x08\x30\x01\x32\x02\x02\x03\x30\x04\x28\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"))
	f.Add([]byte("\x52\x0d\x39\x00\x00\x00\x00\x00\x00\xf0\x3f\x40\x01\x40\x00"))
	f.Add([]byte("\x52\x05\x32\x03\x01\x80\x80"))
	f.Add([]byte("\x0a\xff\xff\xff\xff\x0f"))
	var c Checker // reused, as a decoder reuses it
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		err := m.Unmarshal(b)
		if cerr := c.Check(b); (cerr == nil) != (err == nil) || (err != nil && cerr.Error() != err.Error()) {
			t.Fatalf("Check(% x) = %v, Unmarshal: %v", b, cerr, err)
		}
		var p pb.Message
		perr := pbUnmarshal.Unmarshal(b, &p)
		switch {
		case err != nil && perr != nil:
			if !errors.Is(err, ErrBadMessage) {
				t.Fatalf("error %v does not wrap ErrBadMessage", err)
			}
			return
		case err != nil:
			if !errors.Is(err, errWireType) {
				t.Fatalf("Unmarshal(% x): %v; proto accepts it as %v", b, err, &p)
			}
			return
		case perr != nil:
			t.Fatalf("Unmarshal(% x) accepted %s; proto: %v", b, dump(&m), perr)
		}
		want := FromProto(&p)
		if !m.Equal(want) {
			t.Fatalf("Unmarshal(% x) = %s\nproto %s", b, dump(&m), dump(want))
		}
		// Re-encoding keeps the values.
		var m2 Message
		if err := m2.Unmarshal(m.Marshal()); err != nil || !m2.Equal(&m) {
			t.Fatalf("re-decoding % x: %v, %s", m.Marshal(), err, dump(&m2))
		}
	})
}
