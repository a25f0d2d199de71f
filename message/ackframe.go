package message

import "encoding/binary"

// AckFrameLen is the length of an acknowledgement frame: the type byte
// 'A' and a big-endian uint64 offset. A receiver that answered AckHello
// writes these back on the connection; the offset is the number of stream
// bytes after the hello that it has made durable (plugins/tcp,
// "Acknowledged shipping").
const AckFrameLen = 9

// ackFrameType is the first byte of an acknowledgement frame.
const ackFrameType = 'A'

// AppendAckFrame appends the acknowledgement frame for offset off to dst.
func AppendAckFrame(dst []byte, off int64) []byte {
	return binary.BigEndian.AppendUint64(append(dst, ackFrameType), uint64(off))
}

// ParseAckFrame returns the offset of an acknowledgement frame (AckFrameLen
// bytes), or false when frame is not one.
func ParseAckFrame(frame []byte) (int64, bool) {
	if len(frame) != AckFrameLen || frame[0] != ackFrameType {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(frame[1:])), true
}
