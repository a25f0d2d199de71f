package message

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// Wire tags (field number << 3 | wire type) of the Message and Field
// messages of message.proto.
const (
	tagUuid       = 1<<3 | 2
	tagTimestamp  = 2<<3 | 0
	tagType       = 3<<3 | 2
	tagLogger     = 4<<3 | 2
	tagSeverity   = 5<<3 | 0
	tagPayload    = 6<<3 | 2
	tagEnvVersion = 7<<3 | 2
	tagPid        = 8<<3 | 0
	tagHostname   = 9<<3 | 2
	tagField      = 10<<3 | 2

	tagName           = 1<<3 | 2
	tagValueType      = 2<<3 | 0
	tagRepresentation = 3<<3 | 2
	tagValueString    = 4<<3 | 2
	tagValueBytes     = 5<<3 | 2
	tagValueInteger   = 6<<3 | 2 // packed
	tagValueDouble    = 7<<3 | 2 // packed
	tagValueBool      = 8<<3 | 2 // packed
	tagIntegerVarint  = 6<<3 | 0 // unpacked element
	tagDoubleFixed64  = 7<<3 | 1 // unpacked element
	tagBoolVarint     = 8<<3 | 0 // unpacked element
)

// ErrBadMessage is wrapped by every error Unmarshal returns.
var ErrBadMessage = errors.New("malformed message")

// Reasons wrapped next to ErrBadMessage.
var (
	errTruncated   = errors.New("truncated input")
	errVarint      = errors.New("varint overflows 64 bits")
	errLength      = errors.New("length prefix exceeds the remaining input")
	errFieldNumber = errors.New("invalid field number")
	errWireType    = errors.New("wrong wire type")
	errSkip        = errors.New("cannot skip unknown field")
	errPacked      = errors.New("packed array length is not a multiple of 8")
)

func decodeError(offset int, err error) error {
	return fmt.Errorf("%w at byte %d: %w", ErrBadMessage, offset, err)
}

func wireTypeError(offset int, msg string, tag uint64) error {
	return fmt.Errorf("%w at byte %d: %w %d for %s field %d",
		ErrBadMessage, offset, errWireType, tag&7, msg, tag>>3)
}

// sizeVarint returns the length of the varint encoding of v.
func sizeVarint(v uint64) int {
	// (bits*9 + 64) / 64 is ceil(bits/7) for 1..64 bits, and 1 for v == 0.
	return int(9*uint32(bits.Len64(v))+64) / 64
}

// sizeLen returns the length of a length-delimited value of n bytes, its
// length prefix included (the tag excluded).
func sizeLen(n int) int { return sizeVarint(uint64(n)) + n }

func appendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// appendString appends tag, the length of v and v. The length prefix of a
// string shorter than 128 bytes is a single byte, appended with the tag.
func appendString(b []byte, tag byte, v string) []byte {
	if len(v) >= 0x80 {
		return appendLongString(b, tag, v)
	}
	return append(append(b, tag, byte(len(v))), v...)
}

// appendLongString is appendString for a string of 128 bytes or more.
//
//go:noinline
func appendLongString(b []byte, tag byte, v string) []byte {
	return append(appendVarint(append(b, tag), uint64(len(v))), v...)
}

// appendTagVarint appends tag and the varint v. It is kept out of line so
// that its callers stay small enough to be inlined.
//
//go:noinline
func appendTagVarint(b []byte, tag byte, v uint64) []byte {
	return appendVarint(append(b, tag), v)
}

// endLongLength ends a length-delimited value of 128 bytes or more that
// was appended from b[start:] after a one-byte placeholder for its length
// at b[start-1]: it moves the value up to make room for the length's
// varint and writes it. (The encoder writes a length below 128, the common
// case, into the placeholder itself.)
//
//go:noinline
func endLongLength(b []byte, start int) []byte {
	l := len(b) - start
	extra := sizeVarint(uint64(l)) - 1
	b = append(b, make([]byte, extra)...)
	copy(b[start+extra:], b[start:start+l])
	appendVarint(b[:start-1], uint64(l))
	return b
}

// int32Wire is how Heka (gogo protobuf) writes an int32 header field:
// zero-extended from 32 bits, so that a negative value takes 5 bytes rather
// than the 10 bytes of standard protobuf's sign extension. Both forms decode
// to the same int32, and hekad writes Heka's so that re-encoded messages stay
// byte-identical to Heka's.
func int32Wire(v int32) uint64 { return uint64(uint32(v)) }

// Size returns the length of the message's protobuf encoding.
func (m *Message) Size() int {
	n := 0
	if m.present != 0 {
		if m.Has(HeaderUuid) {
			n += 1 + sizeLen(len(m.uuid))
		}
		if m.Has(HeaderTimestamp) {
			n += 1 + sizeVarint(uint64(m.timestamp))
		}
		if m.Has(HeaderType) {
			n += 1 + sizeLen(len(m.typ))
		}
		if m.Has(HeaderLogger) {
			n += 1 + sizeLen(len(m.logger))
		}
		if m.Has(HeaderSeverity) {
			n += 1 + sizeVarint(int32Wire(m.severity))
		}
		if m.Has(HeaderPayload) {
			n += 1 + sizeLen(len(m.payload))
		}
		if m.Has(HeaderEnvVersion) {
			n += 1 + sizeLen(len(m.envVersion))
		}
		if m.Has(HeaderPid) {
			n += 1 + sizeVarint(int32Wire(m.pid))
		}
		if m.Has(HeaderHostname) {
			n += 1 + sizeLen(len(m.hostname))
		}
	}
	for _, f := range m.fields {
		n += 1 + sizeLen(f.size())
	}
	return n
}

// size returns the length of the field's encoding (without tag and length).
func (f *Field) size() int {
	n := 1 + sizeLen(len(f.name))
	if f.present&fieldHasValueType != 0 {
		n += 1 + sizeVarint(uint64(int64(f.valueType)))
	}
	if f.present&fieldHasRepresentation != 0 {
		n += 1 + sizeLen(len(f.representation))
	}
	for _, s := range f.valueString {
		n += 1 + sizeLen(len(s))
	}
	for _, b := range f.valueBytes {
		n += 1 + sizeLen(len(b))
	}
	if len(f.valueInteger) > 0 {
		n += 1 + sizeLen(f.packedIntegerLen())
	}
	if len(f.valueDouble) > 0 {
		n += 1 + sizeLen(8*len(f.valueDouble))
	}
	if len(f.valueBool) > 0 {
		n += 1 + sizeLen(len(f.valueBool))
	}
	return n
}

func (f *Field) packedIntegerLen() int {
	l := 0
	for _, v := range f.valueInteger {
		l += sizeVarint(uint64(v))
	}
	return l
}

// Marshal returns the protobuf encoding of the message in a new slice of
// exactly the right size.
func (m *Message) Marshal() []byte {
	return m.AppendMarshal(make([]byte, 0, m.Size()))
}

// AppendMarshal appends the protobuf encoding of the message to dst and
// returns the extended slice; it allocates only when dst lacks capacity (and
// then grows it as append does: use Marshal, or grow dst by Size, to get
// the encoding in a single allocation).
//
// The bytes are those Heka 0.10 writes: header fields in field-number order,
// each written if and only if it is present (set or decoded); then each
// Field, with its name always, its value_type and representation when
// present, one value_string / value_bytes entry per element and the integer,
// double and bool arrays packed, when not empty. Negative severity and pid
// are written zero-extended from 32 bits (5 bytes), as Heka does, where
// standard protobuf sign-extends them to 10 bytes; both decode alike.
func (m *Message) AppendMarshal(dst []byte) []byte {
	if m.present != 0 {
		if m.Has(HeaderUuid) {
			if len(m.uuid) < 0x80 {
				dst = append(dst, tagUuid, byte(len(m.uuid)))
			} else {
				dst = appendTagVarint(dst, tagUuid, uint64(len(m.uuid)))
			}
			dst = append(dst, m.uuid...)
		}
		if m.Has(HeaderTimestamp) {
			dst = appendVarint(append(dst, tagTimestamp), uint64(m.timestamp))
		}
		if m.Has(HeaderType) {
			dst = appendString(dst, tagType, m.typ)
		}
		if m.Has(HeaderLogger) {
			dst = appendString(dst, tagLogger, m.logger)
		}
		if m.Has(HeaderSeverity) {
			dst = appendVarint(append(dst, tagSeverity), int32Wire(m.severity))
		}
		if m.Has(HeaderPayload) {
			dst = appendString(dst, tagPayload, m.payload)
		}
		if m.Has(HeaderEnvVersion) {
			dst = appendString(dst, tagEnvVersion, m.envVersion)
		}
		if m.Has(HeaderPid) {
			dst = appendVarint(append(dst, tagPid), int32Wire(m.pid))
		}
		if m.Has(HeaderHostname) {
			dst = appendString(dst, tagHostname, m.hostname)
		}
	}
	for _, f := range m.fields {
		// Write the field after a one-byte length, which is right for
		// fields shorter than 128 bytes (endLongLength moves longer ones up
		// to make room for their length). This spares computing each
		// field's size.
		dst = append(dst, tagField, 0)
		start := len(dst)
		dst = f.appendMarshal(dst)
		if l := len(dst) - start; l < 0x80 {
			dst[start-1] = byte(l)
		} else {
			dst = endLongLength(dst, start)
		}
	}
	return dst
}

func (f *Field) appendMarshal(dst []byte) []byte {
	dst = appendString(dst, tagName, f.name)
	if f.present&fieldHasValueType != 0 {
		if uint32(f.valueType) < 0x80 {
			dst = append(dst, tagValueType, byte(f.valueType))
		} else {
			dst = appendTagVarint(dst, tagValueType, uint64(int64(f.valueType)))
		}
	}
	if f.present&fieldHasRepresentation != 0 {
		dst = appendString(dst, tagRepresentation, f.representation)
	}
	for _, s := range f.valueString {
		dst = appendString(dst, tagValueString, s)
	}
	for _, b := range f.valueBytes {
		if len(b) < 0x80 {
			dst = append(dst, tagValueBytes, byte(len(b)))
		} else {
			dst = appendTagVarint(dst, tagValueBytes, uint64(len(b)))
		}
		dst = append(dst, b...)
	}
	if len(f.valueInteger) > 0 {
		// The packed length goes in a placeholder, as for a Field.
		dst = append(dst, tagValueInteger, 0)
		start := len(dst)
		for _, v := range f.valueInteger {
			if uint64(v) < 0x80 {
				dst = append(dst, byte(v))
			} else {
				dst = appendVarint(dst, uint64(v))
			}
		}
		if l := len(dst) - start; l < 0x80 {
			dst[start-1] = byte(l)
		} else {
			dst = endLongLength(dst, start)
		}
	}
	if n := len(f.valueDouble); n > 0 {
		if n < 0x80/8 {
			dst = append(dst, tagValueDouble, byte(8*n))
		} else {
			dst = appendTagVarint(dst, tagValueDouble, uint64(8*n))
		}
		for _, v := range f.valueDouble {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
		}
	}
	if n := len(f.valueBool); n > 0 {
		if n < 0x80 {
			dst = append(dst, tagValueBool, byte(n))
		} else {
			dst = appendTagVarint(dst, tagValueBool, uint64(n))
		}
		for _, v := range f.valueBool {
			b := byte(0)
			if v {
				b = 1
			}
			dst = append(dst, b)
		}
	}
	return dst
}

// The decoding helpers below take the input b and an absolute offset i, and
// report an error by returning a negative offset; the caller then asks the
// matching ...Error function why, off the hot path. A Field is decoded from
// b[:end] of the message's input, so offsets stay absolute.

// uvarint decodes a one- or two-byte varint at b[i:], the common case
// (lengths, small integers), and returns it with the offset just past it.
// It returns -1 for anything else, for the caller to call varintSlow; it
// makes no call itself, so that it is inlined.
func uvarint(b []byte, i int) (uint64, int) {
	if uint(i) < uint(len(b)) {
		v := b[i]
		if v < 0x80 {
			return uint64(v), i + 1
		}
		if uint(i+1) < uint(len(b)) {
			if w := b[i+1]; w < 0x80 {
				return uint64(v&0x7f) | uint64(w)<<7, i + 2
			}
		}
	}
	return 0, -1
}

func varintSlow(b []byte, i int) (uint64, int) {
	if i >= len(b) {
		return 0, -1
	}
	v, n := protowire.ConsumeVarint(b[i:])
	if n < 0 {
		return 0, -1
	}
	return v, i + n
}

func varintError(b []byte, i int) error {
	if i >= len(b) {
		return decodeError(i, errTruncated)
	}
	if _, n := protowire.ConsumeVarint(b[i:]); n == -1 { // protowire's "truncated"
		return decodeError(i, errTruncated)
	}
	return decodeError(i, errVarint)
}

// span decodes a one-byte length prefix at b[i:] (i <= len(b)) and returns
// the offsets of the value it announces. hi is past len(b) when the prefix
// is longer or the value overruns b: the caller then calls spanSlow, which
// decodes any prefix and reports errors. span makes no call, so that it is
// inlined.
func span(b []byte, i int) (lo, hi int) {
	if uint(i) < uint(len(b)) && b[i] < 0x80 {
		return i + 1, i + 1 + int(b[i])
	}
	return 0, -1
}

// spanSlow decodes the length prefix at b[i:] (i <= len(b)) and returns the
// offsets of the value it announces, or -1.
func spanSlow(b []byte, i int) (int, int) {
	l, j := varintSlow(b, i)
	if j < 0 || l > uint64(len(b)-j) {
		return -1, -1
	}
	return j, j + int(l)
}

func lengthError(b []byte, i int) error {
	if _, j := varintSlow(b, i); j < 0 {
		return varintError(b, i)
	}
	return decodeError(i, errLength)
}

// tag decodes the field tag at b[i:] (i < len(b)) and returns it with the
// offset past it, or -1 when it is truncated or its field number invalid.
// Decoders call it only for tags that are not one valid byte.
func tag(b []byte, i int) (uint64, int) {
	t, j := varintSlow(b, i)
	if n := t >> 3; j < 0 || n < uint64(protowire.MinValidNumber) || n > uint64(protowire.MaxValidNumber) {
		return 0, -1
	}
	return t, j
}

func tagError(b []byte, i int) error {
	if _, j := varintSlow(b, i); j < 0 {
		return varintError(b, i)
	}
	return decodeError(i, errFieldNumber)
}

// skip skips the value of an unknown field whose tag t ran from tagAt to i.
func skip(b []byte, t uint64, tagAt, i int) (int, error) {
	n := protowire.ConsumeFieldValue(protowire.Number(t>>3), protowire.Type(t&7), b[i:])
	if n < 0 {
		return 0, fmt.Errorf("%w at byte %d: %w (field %d, wire type %d): %w",
			ErrBadMessage, tagAt, errSkip, t>>3, t&7, protowire.ParseError(n))
	}
	return i + n, nil
}

// Unmarshal replaces the contents of m with the message decoded from data.
// It accepts what Heka accepts: a missing uuid or timestamp, unknown fields
// (skipped) and repeated scalars both packed and unpacked; on an invalid
// encoding, including a known field with the wrong wire type, it returns an
// error wrapping ErrBadMessage that names the byte offset, and m then holds
// what was decoded before it. Two deliberate differences from Heka, which
// reads these as valid: a malformed Field makes the whole message invalid
// (Heka kept the part of the field it had decoded), and so does field
// number 0 (Heka skipped it; the generated code rejects it too).
//
// m does not retain data. The decode reuses m's memory: all string values
// share one copy of data (a single allocation), the uuid lives in m, bytes
// values in an arena owned by m, and Fields and their value slices left by
// an earlier message are recycled. Values obtained from m before the call
// must therefore not be used after it.
func (m *Message) Unmarshal(data []byte) error {
	return m.unmarshalData(data, false)
}

// UnmarshalHeaders is Unmarshal without the Fields: it decodes the header
// fields (Uuid, Timestamp, Type, ... Hostname) and leaves m without
// Fields. It checks only what it decodes, so it may accept bytes that
// Unmarshal rejects; use it on bytes already checked (a Checker, a trusted
// pack). It is what a matcher that reads no Fields needs.
func (m *Message) UnmarshalHeaders(data []byte) error {
	return m.unmarshalData(data, true)
}

func (m *Message) unmarshalData(data []byte, headersOnly bool) error {
	// Storing a pointer costs a write barrier while the garbage collector
	// marks, and decoding stores many, so the decoder avoids storing any
	// twice: it overwrites the header strings and uuid without clearing
	// them first, and clears those it did not decode afterwards.
	m.resetScalars()
	var err error
	if len(data) > 0 {
		err = m.unmarshal(data, string(data), headersOnly) // every string value is a substring of this copy
	}
	if m.present&headerPointers != headerPointers {
		m.clearAbsentPointers()
	}
	return err
}

// headerPointers are the header fields that hold a pointer.
const headerPointers = 1<<HeaderUuid | 1<<HeaderType | 1<<HeaderLogger |
	1<<HeaderPayload | 1<<HeaderEnvVersion | 1<<HeaderHostname

// resetScalars is Reset without the header strings and uuid.
func (m *Message) resetScalars() {
	m.timestamp = 0
	m.severity = 0
	m.pid = 0
	m.present = 0
	m.fields = m.fields[:0]
	m.arena = m.arena[:0]
}

// clearAbsentPointers clears the header strings and uuid that are absent.
func (m *Message) clearAbsentPointers() {
	for h := range HeaderHostname + 1 {
		if headerPointers&(1<<h) != 0 && !m.Has(h) {
			m.Clear(h)
		}
	}
}

// unmarshal is Unmarshal of the input b after resetScalars; s holds the
// same bytes as b. With headersOnly, Fields are skipped.
func (m *Message) unmarshal(b []byte, s string, headersOnly bool) error {
	for i := 0; i < len(b); {
		// One switch on the tag, with a case per known tag: a tag is one
		// byte for every field of message.proto, and only a tag that is
		// not (a multi-byte or non-minimal encoding, field number 0) takes
		// the slow path.
		t := uint64(b[i])
		j := i + 1
		if t-8 >= 0x80-8 {
			if t, j = tag(b, i); j < 0 {
				return tagError(b, i)
			}
		}
		switch t {
		case tagField:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return lengthError(b, j)
				}
			}
			if headersOnly {
				i = hi
				continue
			}
			f := m.reuseField()
			if f == nil {
				f = m.newField()
			} else {
				f.resetScalars()
			}
			// The name and representation come back in registers, to be
			// stored once (see Unmarshal).
			name, rep, err := f.unmarshal(m, b[:hi], s, lo)
			f.name, f.representation = name, rep
			if err != nil {
				return err
			}
			i = hi
		case tagUuid:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return lengthError(b, j)
				}
			}
			if n := hi - lo; n <= UUIDSize {
				if cap(m.uuid) == UUIDSize && &m.uuid[:1][0] == &m.uuidBuf[0] {
					m.uuid = m.uuid[:n] // no pointer store
				} else {
					m.uuid = m.uuidBuf[:n]
				}
				copy(m.uuid, b[lo:hi])
			} else {
				m.uuid = m.arenaCopy(b[lo:hi], len(b))
			}
			m.set(HeaderUuid)
			i = hi
		case tagTimestamp:
			v, k := uvarint(b, j)
			if k < 0 {
				if v, k = varintSlow(b, j); k < 0 {
					return varintError(b, j)
				}
			}
			m.timestamp = int64(v)
			m.set(HeaderTimestamp)
			i = k
		case tagType:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return lengthError(b, j)
				}
			}
			m.typ = s[lo:hi]
			m.set(HeaderType)
			i = hi
		case tagLogger:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return lengthError(b, j)
				}
			}
			m.logger = s[lo:hi]
			m.set(HeaderLogger)
			i = hi
		case tagSeverity:
			v, k := uvarint(b, j)
			if k < 0 {
				if v, k = varintSlow(b, j); k < 0 {
					return varintError(b, j)
				}
			}
			m.severity = int32(v)
			m.set(HeaderSeverity)
			i = k
		case tagPayload:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return lengthError(b, j)
				}
			}
			m.payload = s[lo:hi]
			m.set(HeaderPayload)
			i = hi
		case tagEnvVersion:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return lengthError(b, j)
				}
			}
			m.envVersion = s[lo:hi]
			m.set(HeaderEnvVersion)
			i = hi
		case tagPid:
			v, k := uvarint(b, j)
			if k < 0 {
				if v, k = varintSlow(b, j); k < 0 {
					return varintError(b, j)
				}
			}
			m.pid = int32(v)
			m.set(HeaderPid)
			i = k
		case tagHostname:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return lengthError(b, j)
				}
			}
			m.hostname = s[lo:hi]
			m.set(HeaderHostname)
			i = hi
		default:
			if t>>3 <= 10 {
				return wireTypeError(i, "message", t)
			}
			var err error
			if i, err = skip(b, t, i, j); err != nil {
				return err
			}
		}
	}
	return nil
}

// arenaCopy copies b into m's arena and returns the copy. When the arena
// lacks room it is replaced by one of at least reserve bytes (the decoder
// passes the input length, which bounds everything one decode copies, so
// a decode grows the arena at most once). Earlier copies stay valid: they
// keep the old arena alive.
func (m *Message) arenaCopy(b []byte, reserve int) []byte {
	if cap(m.arena)-len(m.arena) < len(b) {
		m.arena = make([]byte, 0, max(reserve, len(b), 2*cap(m.arena)))
	}
	start := len(m.arena)
	m.arena = append(m.arena, b...)
	return m.arena[start:len(m.arena):len(m.arena)]
}

// unmarshal decodes the field encoded at b[i:] into f, whose values and
// flags are empty, and returns its name and representation for the caller
// to store. s holds the same bytes as the whole input b belongs to.
func (f *Field) unmarshal(m *Message, b []byte, s string, i int) (name, rep string, err error) {
	// Heka writes the name, value_type and representation first, in this
	// order, with one-byte lengths and type: read them in a straight line,
	// which spares the loop's branches, and leave anything else to it.
	if i < len(b) && b[i] == tagName {
		if lo, hi := span(b, i+1); uint(hi) <= uint(len(b)) {
			name, i = s[lo:hi], hi
		}
	}
	if i+1 < len(b) && b[i] == tagValueType && b[i+1] < 0x80 {
		f.valueType = ValueType(b[i+1])
		f.present |= fieldHasValueType
		i += 2
	}
	if i < len(b) && b[i] == tagRepresentation {
		if lo, hi := span(b, i+1); uint(hi) <= uint(len(b)) {
			rep, i = s[lo:hi], hi
			f.present |= fieldHasRepresentation
		}
	}
	for i < len(b) {
		t := uint64(b[i])
		j := i + 1
		if t-8 >= 0x80-8 { // see Message.Unmarshal
			if t, j = tag(b, i); j < 0 {
				return name, rep, tagError(b, i)
			}
		}
		switch t {
		case tagName:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return name, rep, lengthError(b, j)
				}
			}
			name = s[lo:hi]
			i = hi
		case tagValueType:
			v, k := uvarint(b, j)
			if k < 0 {
				if v, k = varintSlow(b, j); k < 0 {
					return name, rep, varintError(b, j)
				}
			}
			f.valueType = ValueType(int32(v))
			f.present |= fieldHasValueType
			i = k
		case tagRepresentation:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return name, rep, lengthError(b, j)
				}
			}
			rep = s[lo:hi]
			f.present |= fieldHasRepresentation
			i = hi
		case tagValueString:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return name, rep, lengthError(b, j)
				}
			}
			f.valueString = append(f.valueString, s[lo:hi])
			i = hi
		case tagValueBytes:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return name, rep, lengthError(b, j)
				}
			}
			// The input length bounds what one decode copies.
			f.valueBytes = append(f.valueBytes, m.arenaCopy(b[lo:hi], len(s)))
			i = hi
		case tagValueInteger:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return name, rep, lengthError(b, j)
				}
			}
			if bad := f.unpackIntegers(b[:hi], lo); bad >= 0 {
				return name, rep, varintError(b[:hi], bad)
			}
			i = hi
		case tagValueDouble:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return name, rep, lengthError(b, j)
				}
			}
			if (hi-lo)%8 != 0 {
				return name, rep, decodeError(lo, errPacked)
			}
			if n := (hi - lo) / 8; cap(f.valueDouble)-len(f.valueDouble) < n {
				f.valueDouble = slices.Grow(f.valueDouble, n)
			}
			for k := lo; k+8 <= hi; k += 8 {
				f.valueDouble = append(f.valueDouble, math.Float64frombits(binary.LittleEndian.Uint64(b[k:])))
			}
			i = hi
		case tagValueBool:
			lo, hi := span(b, j)
			if uint(hi) > uint(len(b)) {
				if lo, hi = spanSlow(b, j); lo < 0 {
					return name, rep, lengthError(b, j)
				}
			}
			if bad := f.unpackBools(b[:hi], lo); bad >= 0 {
				return name, rep, varintError(b[:hi], bad)
			}
			i = hi
		case tagIntegerVarint:
			v, k := uvarint(b, j)
			if k < 0 {
				if v, k = varintSlow(b, j); k < 0 {
					return name, rep, varintError(b, j)
				}
			}
			f.valueInteger = append(f.valueInteger, int64(v))
			i = k
		case tagDoubleFixed64:
			if len(b)-j < 8 {
				return name, rep, decodeError(j, errTruncated)
			}
			f.valueDouble = append(f.valueDouble, math.Float64frombits(binary.LittleEndian.Uint64(b[j:])))
			i = j + 8
		case tagBoolVarint:
			v, k := uvarint(b, j)
			if k < 0 {
				if v, k = varintSlow(b, j); k < 0 {
					return name, rep, varintError(b, j)
				}
			}
			f.valueBool = append(f.valueBool, v != 0)
			i = k
		default:
			if t>>3 <= 8 {
				return name, rep, wireTypeError(i, "field", t)
			}
			if i, err = skip(b, t, i, j); err != nil {
				return name, rep, err
			}
		}
	}
	return name, rep, nil
}

// countVarints returns the number of varints in p: every varint ends with
// exactly one byte below 0x80 (a truncated last one is found by the
// decoding loop), so that a value slice can be grown once.
func countVarints(p []byte) int {
	n := 0
	for _, c := range p {
		if c < 0x80 {
			n++
		}
	}
	return n
}

// unpackIntegers appends the packed varints of b[lo:] to f's integers and
// returns -1, or the offset of the varint it could not decode. The slice
// header is stored only when the slice has to grow (a pointer store costs a
// write barrier while the garbage collector marks; appending in place
// stores only the length).
func (f *Field) unpackIntegers(b []byte, lo int) int {
	if n := countVarints(b[lo:]); cap(f.valueInteger)-len(f.valueInteger) < n {
		f.valueInteger = slices.Grow(f.valueInteger, n)
	}
	for k := lo; k < len(b); {
		v, next := uvarint(b, k)
		if next < 0 {
			if v, next = varintSlow(b, k); next < 0 {
				return k
			}
		}
		f.valueInteger = append(f.valueInteger, int64(v))
		k = next
	}
	return -1
}

// unpackBools is unpackIntegers for bools.
func (f *Field) unpackBools(b []byte, lo int) int {
	if n := countVarints(b[lo:]); cap(f.valueBool)-len(f.valueBool) < n {
		f.valueBool = slices.Grow(f.valueBool, n)
	}
	for k := lo; k < len(b); {
		v, next := uvarint(b, k)
		if next < 0 {
			if v, next = varintSlow(b, k); next < 0 {
				return k
			}
		}
		f.valueBool = append(f.valueBool, v != 0)
		k = next
	}
	return -1
}
