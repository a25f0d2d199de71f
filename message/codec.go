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

func appendString(b []byte, tag byte, s string) []byte {
	b = appendVarint(append(b, tag), uint64(len(s)))
	return append(b, s...)
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
			dst = appendVarint(append(dst, tagUuid), uint64(len(m.uuid)))
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
		// fields shorter than 128 bytes; move longer ones up to make room
		// for their length. This spares computing each field's size.
		dst = append(dst, tagField, 0)
		start := len(dst)
		dst = f.appendMarshal(dst)
		l := len(dst) - start
		if l < 0x80 {
			dst[start-1] = byte(l)
			continue
		}
		extra := sizeVarint(uint64(l)) - 1
		dst = append(dst, make([]byte, extra)...)
		copy(dst[start+extra:], dst[start:start+l])
		appendVarint(dst[:start-1], uint64(l))
	}
	return dst
}

func (f *Field) appendMarshal(dst []byte) []byte {
	dst = appendString(dst, tagName, f.name)
	if f.present&fieldHasValueType != 0 {
		dst = appendVarint(append(dst, tagValueType), uint64(int64(f.valueType)))
	}
	if f.present&fieldHasRepresentation != 0 {
		dst = appendString(dst, tagRepresentation, f.representation)
	}
	for _, s := range f.valueString {
		dst = appendString(dst, tagValueString, s)
	}
	for _, b := range f.valueBytes {
		dst = appendVarint(append(dst, tagValueBytes), uint64(len(b)))
		dst = append(dst, b...)
	}
	if len(f.valueInteger) > 0 {
		dst = appendVarint(append(dst, tagValueInteger), uint64(f.packedIntegerLen()))
		for _, v := range f.valueInteger {
			dst = appendVarint(dst, uint64(v))
		}
	}
	if len(f.valueDouble) > 0 {
		dst = appendVarint(append(dst, tagValueDouble), uint64(8*len(f.valueDouble)))
		for _, v := range f.valueDouble {
			dst = protowire.AppendFixed64(dst, math.Float64bits(v))
		}
	}
	if len(f.valueBool) > 0 {
		dst = appendVarint(append(dst, tagValueBool), uint64(len(f.valueBool)))
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

// varint decodes the varint at b[i:] and returns it with the offset just
// past it, or -1.
func varint(b []byte, i int) (uint64, int) {
	if i < len(b) && b[i] < 0x80 {
		return uint64(b[i]), i + 1
	}
	return varintSlow(b, i)
}

func varintSlow(b []byte, i int) (uint64, int) {
	v, n := protowire.ConsumeVarint(b[i:])
	if n < 0 {
		return 0, -1
	}
	return v, i + n
}

func varintError(b []byte, i int) error {
	if _, n := protowire.ConsumeVarint(b[i:]); n == -1 { // protowire's "truncated"
		return decodeError(i, errTruncated)
	}
	return decodeError(i, errVarint)
}

// length decodes the length prefix at b[i:] and returns the offsets of the
// value it announces, or -1.
func length(b []byte, i int) (int, int) {
	if i < len(b) && b[i] < 0x80 {
		if j := i + 1 + int(b[i]); j <= len(b) {
			return i + 1, j
		}
		return -1, -1
	}
	return lengthSlow(b, i)
}

func lengthSlow(b []byte, i int) (int, int) {
	l, j := varintSlow(b, i)
	if j < 0 || l > uint64(len(b)-j) {
		return -1, -1
	}
	return j, j + int(l)
}

func lengthError(b []byte, i int) error {
	if _, j := varint(b, i); j < 0 {
		return varintError(b, i)
	}
	return decodeError(i, errLength)
}

// tag decodes the field tag at b[i:] (i < len(b)) and returns it with the
// offset past it, or -1 when it is truncated or its field number invalid.
func tag(b []byte, i int) (uint64, int) {
	t, j := varintSlow(b, i)
	if n := t >> 3; j < 0 || n < uint64(protowire.MinValidNumber) || n > uint64(protowire.MaxValidNumber) {
		return 0, -1
	}
	return t, j
}

func tagError(b []byte, i int) error {
	if _, j := varint(b, i); j < 0 {
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
	m.Reset()
	if len(data) == 0 {
		return nil
	}
	s := string(data) // every string value is a substring of s
	b := data
	for i := 0; i < len(b); {
		tagAt := i
		t := uint64(b[i])
		if t < 0x80 && t >= 8 { // one-byte tag, valid field number
			i++
		} else if t, i = tag(b, i); i < 0 {
			return tagError(b, tagAt)
		}
		switch t {
		case tagTimestamp, tagSeverity, tagPid:
			v, j := varint(b, i)
			if j < 0 {
				return varintError(b, i)
			}
			i = j
			switch t {
			case tagTimestamp:
				m.timestamp = int64(v)
				m.set(HeaderTimestamp)
			case tagSeverity:
				m.severity = int32(v)
				m.set(HeaderSeverity)
			default:
				m.pid = int32(v)
				m.set(HeaderPid)
			}
		case tagUuid, tagType, tagLogger, tagPayload, tagEnvVersion, tagHostname, tagField:
			var lo, hi int
			if i < len(b) && b[i] < 0x80 && i+1+int(b[i]) <= len(b) { // one-byte length
				lo, hi = i+1, i+1+int(b[i])
			} else if lo, hi = length(b, i); lo < 0 {
				return lengthError(b, i)
			}
			i = hi
			switch t {
			case tagField:
				if err := m.newField().unmarshal(m, b[:hi], s, lo); err != nil {
					return err
				}
			case tagUuid:
				if hi-lo <= UUIDSize {
					m.uuid = m.uuidBuf[:hi-lo]
					copy(m.uuid, b[lo:hi])
				} else {
					m.uuid = m.arenaCopy(b[lo:hi], len(b))
				}
				m.set(HeaderUuid)
			case tagType:
				m.typ = s[lo:hi]
				m.set(HeaderType)
			case tagLogger:
				m.logger = s[lo:hi]
				m.set(HeaderLogger)
			case tagPayload:
				m.payload = s[lo:hi]
				m.set(HeaderPayload)
			case tagEnvVersion:
				m.envVersion = s[lo:hi]
				m.set(HeaderEnvVersion)
			default:
				m.hostname = s[lo:hi]
				m.set(HeaderHostname)
			}
		default:
			if t>>3 <= 10 {
				return wireTypeError(tagAt, "message", t)
			}
			var err error
			if i, err = skip(b, t, tagAt, i); err != nil {
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

// unmarshal decodes the field encoded at b[start:] into f, which is empty.
// s holds the same bytes as the whole input b belongs to.
func (f *Field) unmarshal(m *Message, b []byte, s string, start int) error {
	for i := start; i < len(b); {
		tagAt := i
		t := uint64(b[i])
		if t < 0x80 && t >= 8 { // one-byte tag, valid field number
			i++
		} else if t, i = tag(b, i); i < 0 {
			return tagError(b, tagAt)
		}
		switch t {
		case tagName, tagRepresentation, tagValueString, tagValueBytes:
			var lo, hi int
			if i < len(b) && b[i] < 0x80 && i+1+int(b[i]) <= len(b) { // one-byte length
				lo, hi = i+1, i+1+int(b[i])
			} else if lo, hi = length(b, i); lo < 0 {
				return lengthError(b, i)
			}
			i = hi
			switch t {
			case tagValueString:
				f.valueString = append(f.valueString, s[lo:hi])
			case tagName:
				f.name = s[lo:hi]
			case tagRepresentation:
				f.representation = s[lo:hi]
				f.present |= fieldHasRepresentation
			default:
				// The input length bounds what one decode copies.
				f.valueBytes = append(f.valueBytes, m.arenaCopy(b[lo:hi], len(s)))
			}
		case tagValueType, tagIntegerVarint, tagBoolVarint:
			v, j := varint(b, i)
			if j < 0 {
				return varintError(b, i)
			}
			i = j
			switch t {
			case tagValueType:
				f.valueType = ValueType(int32(v))
				f.present |= fieldHasValueType
			case tagIntegerVarint:
				f.valueInteger = append(f.valueInteger, int64(v))
			default:
				f.valueBool = append(f.valueBool, v != 0)
			}
		case tagValueInteger, tagValueBool:
			var lo, hi int
			if i < len(b) && b[i] < 0x80 && i+1+int(b[i]) <= len(b) { // one-byte length
				lo, hi = i+1, i+1+int(b[i])
			} else if lo, hi = length(b, i); lo < 0 {
				return lengthError(b, i)
			}
			i = hi
			packed := b[:hi]
			// Every varint ends with exactly one byte below 0x80, so this
			// counts the elements (a truncated last one fails below).
			n := 0
			for _, c := range packed[lo:] {
				if c < 0x80 {
					n++
				}
			}
			if t == tagValueInteger {
				f.valueInteger = slices.Grow(f.valueInteger, n)
				for k := lo; k < hi; {
					v, next := varint(packed, k)
					if next < 0 {
						return varintError(packed, k)
					}
					f.valueInteger = append(f.valueInteger, int64(v))
					k = next
				}
			} else {
				f.valueBool = slices.Grow(f.valueBool, n)
				for k := lo; k < hi; {
					v, next := varint(packed, k)
					if next < 0 {
						return varintError(packed, k)
					}
					f.valueBool = append(f.valueBool, v != 0)
					k = next
				}
			}
		case tagValueDouble:
			var lo, hi int
			if i < len(b) && b[i] < 0x80 && i+1+int(b[i]) <= len(b) { // one-byte length
				lo, hi = i+1, i+1+int(b[i])
			} else if lo, hi = length(b, i); lo < 0 {
				return lengthError(b, i)
			}
			i = hi
			if (hi-lo)%8 != 0 {
				return decodeError(lo, errPacked)
			}
			f.valueDouble = slices.Grow(f.valueDouble, (hi-lo)/8)
			for k := lo; k < hi; k += 8 {
				f.valueDouble = append(f.valueDouble, math.Float64frombits(binary.LittleEndian.Uint64(b[k:])))
			}
		case tagDoubleFixed64:
			if len(b)-i < 8 {
				return decodeError(i, errTruncated)
			}
			f.valueDouble = append(f.valueDouble, math.Float64frombits(binary.LittleEndian.Uint64(b[i:])))
			i += 8
		default:
			if t>>3 <= 8 {
				return wireTypeError(tagAt, "field", t)
			}
			var err error
			if i, err = skip(b, t, tagAt, i); err != nil {
				return err
			}
		}
	}
	return nil
}
