package diskqueue

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/hekad-go/hekad/message"
)

// A record is one Heka stream frame:
//
//	0x1E | H (1 byte) | header (H bytes, protobuf) | 0x1F | message
//
// The header this package writes holds two fields:
//
//	field 1  message_length  varint   (Heka's Header.message_length)
//	field 15 crc32c          fixed32  (CRC32-C of the message bytes, little endian)
//
// Field 15 is unknown to Heka, whose header decoder skips it, so the segment
// files stay readable by Heka's tools. Records without field 15 (written by
// Heka) are accepted without a check.
const (
	hdrTagLength = 1<<3 | 0  // message_length, varint
	hdrTagCRC    = 15<<3 | 5 // crc32c, fixed32 (0x7d)
	crcFieldSize = 1 + 4     // tag byte and the fixed32 value
)

// crcTable is the CRC32-C (Castagnoli) table; read-only after init.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

// checksum returns the CRC32-C of msg.
func checksum(msg []byte) uint32 {
	return crc32.Checksum(msg, crcTable)
}

// headerSize returns the size of the header this package writes for a
// message of n bytes.
func headerSize(n int) int {
	return 1 + uvarintLen(uint64(n)) + crcFieldSize
}

// recordSize returns the framed size of a message of n bytes.
func recordSize(n int) int {
	return message.HeaderFramingSize + headerSize(n) + n
}

// maxRecordSize is the largest record holding a message of at most
// maxMessage bytes, whoever wrote it.
func maxRecordSize(maxMessage int) int {
	return message.HeaderFramingSize + message.MaxHeaderSize + maxMessage
}

// appendRecord appends msg to dst as one framed record with a CRC32-C and
// returns the extended slice. It allocates only when dst lacks capacity.
func appendRecord(dst, msg []byte) []byte {
	dst = append(dst, message.RecordSeparator, byte(headerSize(len(msg))), hdrTagLength)
	dst = binary.AppendUvarint(dst, uint64(len(msg)))
	dst = append(dst, hdrTagCRC)
	dst = binary.LittleEndian.AppendUint32(dst, checksum(msg))
	dst = append(dst, message.UnitSeparator)
	return append(dst, msg...)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// frameHeader is what the reader needs from a record header.
type frameHeader struct {
	length uint32 // message_length
	crc    uint32 // CRC32-C of the message, when hasCRC
	hasCRC bool
}

// parseHeader decodes the protobuf header h (the H bytes between the length
// byte and the unit separator). It is a minimal decoder, stricter than
// message.Header.Unmarshal (a test holds that every header it accepts,
// Unmarshal accepts with the same message length): message_length must be
// present and at most maxMessage; fields 1 and 3 to 6 must have Heka's wire
// types; groups are refused; other fields are skipped, and field 15 with
// wire type fixed32 is the CRC. It returns a short reason on failure.
func parseHeader(h []byte, maxMessage int) (frameHeader, string) {
	var fh frameHeader
	// Fast path: the exact header appendRecord writes.
	if len(h) >= 1+1+crcFieldSize && h[0] == hdrTagLength {
		v, n := binary.Uvarint(h[1:])
		if n > 0 && len(h) == 1+n+crcFieldSize && h[1+n] == hdrTagCRC {
			if v > uint64(maxMessage) {
				return fh, "message length past the maximum"
			}
			fh.length = uint32(v)
			fh.crc = binary.LittleEndian.Uint32(h[2+n:])
			fh.hasCRC = true
			return fh, ""
		}
	}
	hasLength := false
	for len(h) > 0 {
		tag, n := binary.Uvarint(h)
		if n <= 0 {
			return fh, "bad header field tag"
		}
		h = h[n:]
		num, typ := tag>>3, tag&7
		if num == 0 || num > 1<<29-1 {
			return fh, "bad header field number"
		}
		switch {
		case num == 15 && typ == 5:
			if len(h) < 4 {
				return fh, "truncated header"
			}
			fh.crc = binary.LittleEndian.Uint32(h)
			fh.hasCRC = true
			h = h[4:]
			continue
		case num == 1 && typ == 0:
			v, n := binary.Uvarint(h)
			if n <= 0 {
				return fh, "bad header varint"
			}
			if v > uint64(maxMessage) {
				return fh, "message length past the maximum"
			}
			fh.length = uint32(v)
			hasLength = true
			h = h[n:]
			continue
		case num == 1, num == 3 && typ != 0, num == 4 && typ != 2,
			num == 5 && typ != 0, num == 6 && typ != 2:
			return fh, "header field with the wrong wire type"
		}
		switch typ {
		case 0:
			_, n := binary.Uvarint(h)
			if n <= 0 {
				return fh, "bad header varint"
			}
			h = h[n:]
		case 1:
			if len(h) < 8 {
				return fh, "truncated header"
			}
			h = h[8:]
		case 2:
			v, n := binary.Uvarint(h)
			if n <= 0 || v > uint64(len(h)-n) {
				return fh, "truncated header"
			}
			h = h[n+int(v):]
		case 5:
			if len(h) < 4 {
				return fh, "truncated header"
			}
			h = h[4:]
		default:
			return fh, "bad header wire type"
		}
	}
	if !hasLength {
		return fh, "header without message length"
	}
	return fh, ""
}

// frameResult classifies the bytes at the start of a buffer.
type frameResult int

const (
	frameOK    frameResult = iota // a complete, valid record
	frameShort                    // a valid prefix: more bytes are needed to decide
	frameBad                      // not a valid record
)

// decodeFrame examines b, which starts with a record separator. It returns
// frameOK with the message and the record's total size, frameShort with the
// number of bytes needed to go on, or frameBad with a reason. requireCRC
// refuses records without a CRC.
func decodeFrame(b []byte, maxMessage int, requireCRC bool) (res frameResult, msg []byte, size int, hasCRC bool, reason string) {
	if len(b) < message.HeaderDelimiterSize {
		return frameShort, nil, message.HeaderDelimiterSize, false, ""
	}
	hlen := int(b[1])
	end := message.HeaderDelimiterSize + hlen
	if len(b) < end+1 {
		return frameShort, nil, end + 1, false, ""
	}
	if b[end] != message.UnitSeparator {
		return frameBad, nil, 0, false, "no unit separator after the header"
	}
	fh, why := parseHeader(b[message.HeaderDelimiterSize:end], maxMessage)
	if why != "" {
		return frameBad, nil, 0, false, why
	}
	if requireCRC && !fh.hasCRC {
		return frameBad, nil, 0, false, "record without crc in a segment with crcs"
	}
	size = end + 1 + int(fh.length)
	if len(b) < size {
		return frameShort, nil, size, false, ""
	}
	msg = b[end+1 : size]
	if fh.hasCRC && checksum(msg) != fh.crc {
		return frameBad, nil, 0, false, "crc mismatch"
	}
	return frameOK, msg, size, fh.hasCRC, ""
}
