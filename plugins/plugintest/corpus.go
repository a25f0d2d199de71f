package plugintest

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// Garbage is one malformed input of the conformance suite.
type Garbage struct {
	Name string
	Data []byte
}

// randomBytes returns n bytes from a generator seeded with seed, so a
// failure can be reproduced.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// GarbageCorpus returns the malformed inputs the suite feeds to inputs,
// splitters and decoders, in the style of the fuzzers' seed corpora: random
// bytes, Heka framing gone wrong (a separator storm, a header that claims
// more than the limit, a truncated frame, a well-framed record whose
// message is not protobuf), protobuf with bad lengths and wire types, text
// with invalid UTF-8, NUL bytes and an over-long line. good is a
// well-formed record of the kind under test; cases cut from it are
// included when it is not empty.
func GarbageCorpus(good []byte) []Garbage {
	framedJunk, _ := message.AppendFrame(nil, []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2}, nil, 0)
	cases := []Garbage{
		{"empty", nil},
		{"one NUL", []byte{0}},
		{"random 64KiB", randomBytes(1, 64<<10)},
		{"random short", randomBytes(2, 37)},
		{"separator storm", bytes.Repeat([]byte{message.RecordSeparator}, 4096)},
		{"header claims too much", []byte{message.RecordSeparator, 0xff, 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f, message.UnitSeparator}},
		{"header length zero", []byte{message.RecordSeparator, 0, message.UnitSeparator, message.RecordSeparator, 2, 0x08, 0x05, message.UnitSeparator, 'x'}},
		{"frame of non-protobuf", framedJunk},
		{"protobuf bad length", []byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 'a'}},
		{"protobuf bad wire type", []byte{0x0f, 0x0e, 0x0d, 0x07}},
		{"protobuf field flood", bytes.Repeat([]byte{0x52, 0x02, 0x0a, 0x00}, 2048)},
		{"invalid utf8", []byte("\xff\xfe\xfd bad \xc3\x28 text \xe2\x82\n")},
		{"NULs and newlines", []byte("\x00\n\x00\x00\n\n\n\x00")},
		{"long line", bytes.Repeat([]byte{'A'}, 2<<20)},
		{"regexp bait", []byte(strings.Repeat("- - [", 2000) + "\n")},
	}
	if len(good) > 1 {
		cases = append(cases,
			Garbage{"good truncated", bytes.Clone(good[:len(good)/2])},
			Garbage{"good bit-flipped", flip(good)},
			Garbage{"good twice glued", append(bytes.Clone(good[:len(good)-1]), good...)},
		)
	}
	return cases
}

// flip returns a copy of b with every fifth byte inverted.
func flip(b []byte) []byte {
	c := bytes.Clone(b)
	for i := 0; i < len(c); i += 5 {
		c[i] = ^c[i]
	}
	return c
}

// OddMessage is one unusual message the suite gives filters, encoders and
// outputs.
type OddMessage struct {
	Name string
	// Pack returns a new pack holding the message.
	Pack func() *pipeline.Pack
}

// OddMessages returns the unusual messages of the suite: an empty message,
// one with only a payload of 8 MiB, one with every header set to an
// extreme, fields of every type with empty names, empty and NaN values, a
// pack whose trusted bytes are the encoding of a huge message, and a pack
// whose message bytes were never checked (a decoder's bug the rest of the
// pipeline must survive).
func OddMessages() []OddMessage {
	msg := func(fill func(m *message.Message)) func() *pipeline.Pack {
		return func() *pipeline.Pack {
			p := pipeline.NewPack()
			fill(p.MutableMessage())
			return p
		}
	}
	return []OddMessage{
		{"empty", msg(func(*message.Message) {})},
		{"huge payload", msg(func(m *message.Message) {
			m.SetPayload(strings.Repeat("x", 8<<20))
		})},
		{"extreme headers", msg(func(m *message.Message) {
			m.SetUuid([]byte{1, 2, 3})
			m.SetTimestamp(math.MinInt64)
			m.SetSeverity(math.MaxInt32)
			m.SetPid(-1)
			m.SetType("\xff\xfe")
			m.SetLogger(strings.Repeat("%", 300))
			m.SetHostname("")
			m.SetEnvVersion("\x00")
			m.SetPayload("%{payload} %s %v %Type% \x00\xff\n")
		})},
		{"odd fields", msg(func(m *message.Message) {
			m.SetNewUUID()
			m.SetTimestamp(math.MaxInt64)
			m.AppendField("", message.ValueString, "")
			m.AppendField("empty string", message.ValueString, "").AddString("")
			m.AppendField("bytes", message.ValueBytes, "\xff").AddBytes([]byte{0, 0xff})
			m.AppendField("nil bytes", message.ValueBytes, "").AddBytes(nil)
			f := m.AppendField("ints", message.ValueInteger, "count")
			f.AddInteger(math.MinInt64)
			f.AddInteger(math.MaxInt64)
			d := m.AppendField("doubles", message.ValueDouble, "")
			d.AddDouble(math.NaN())
			d.AddDouble(math.Inf(-1))
			m.AppendField("bool", message.ValueBool, "").AddBool(true)
			m.AppendField("no values", message.ValueDouble, "ms")
			m.AppendField("Payload", message.ValueInteger, "").AddInteger(7)
			for i := range 200 {
				m.AppendField("many", message.ValueString, "").AddString(strings.Repeat("v", i))
			}
		})},
		{"trusted huge bytes", func() *pipeline.Pack {
			var m message.Message
			m.SetNewUUID()
			m.SetPayload(strings.Repeat("y", 4<<20))
			p := pipeline.NewPack()
			p.MsgBytes = m.Marshal()
			p.TrustBytes()
			return p
		}},
		{"untrusted garbage bytes", func() *pipeline.Pack {
			p := pipeline.NewPack()
			p.MsgBytes = randomBytes(3, 512)
			p.TrustBytes()
			return p
		}},
	}
}
