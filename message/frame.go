package message

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// Stream framing constants (Heka's wire format). A framed record is
//
//	0x1E | header length H (1 byte) | Header (H bytes) | 0x1F | message
//
// where the message is exactly Header.MessageLength bytes.
const (
	// RecordSeparator is the first byte of every framed record.
	RecordSeparator = 0x1e
	// UnitSeparator ends the header of a framed record.
	UnitSeparator = 0x1f
	// HeaderDelimiterSize is the number of framing bytes before the header:
	// the record separator and the header length byte.
	HeaderDelimiterSize = 2
	// HeaderFramingSize is the total number of framing bytes around the
	// header: HeaderDelimiterSize plus the unit separator.
	HeaderFramingSize = HeaderDelimiterSize + 1
	// MaxHeaderSize is the largest header a frame can carry: its length is
	// written in one byte.
	MaxHeaderSize = 255
	// DefaultMaxMessageSize is Heka's default limit on the size of a framed
	// message (64 KiB), used wherever a maximum of 0 is given.
	DefaultMaxMessageSize = 64 * 1024
)

// MaxRecordSize returns the largest framed record that can carry a message of
// at most maxMessageSize bytes (a maxMessageSize of 0 or less means
// DefaultMaxMessageSize).
func MaxRecordSize(maxMessageSize int) int {
	return HeaderFramingSize + MaxHeaderSize + maxMessageSizeOrDefault(maxMessageSize)
}

func maxMessageSizeOrDefault(n int) int {
	if n <= 0 {
		return DefaultMaxMessageSize
	}
	return n
}

// Framing errors. They are wrapped with details; test with errors.Is.
var (
	// ErrMessageTooLarge: a message exceeds the maximum message size (when
	// framing it, or as announced by a frame header).
	ErrMessageTooLarge = errors.New("message too large")
	// ErrHeaderTooLarge: a frame header would exceed MaxHeaderSize bytes.
	ErrHeaderTooLarge = errors.New("frame header too large")
	// ErrBadHeader: a frame header could not be decoded, or the byte after it
	// is not the unit separator.
	ErrBadHeader = errors.New("bad frame header")
	// ErrUnknownSigner: a signed frame names a signer and key version for
	// which no key is configured.
	ErrUnknownSigner = errors.New("unknown frame signer")
	// ErrBadSignature: a signed frame's HMAC does not match its message.
	ErrBadSignature = errors.New("bad frame signature")
	// ErrFrameTruncated: the stream ended inside a framed record.
	ErrFrameTruncated = errors.New("frame truncated at end of stream")
)

// HashFunction is the HMAC hash function named in a frame header.
type HashFunction int32

// The hash functions of Heka's Header.HmacHashFunction enum.
const (
	HashMD5  HashFunction = 0
	HashSHA1 HashFunction = 1
)

// String returns Heka's name of the hash function ("MD5", "SHA1").
func (f HashFunction) String() string {
	switch f {
	case HashMD5:
		return "MD5"
	case HashSHA1:
		return "SHA1"
	}
	return "HashFunction(" + strconv.FormatInt(int64(f), 10) + ")"
}

// newHash returns the constructor of the hash function, or nil when it is
// not one Heka defines.
func (f HashFunction) newHash() func() hash.Hash {
	switch f {
	case HashMD5:
		return md5.New
	case HashSHA1:
		return sha1.New
	}
	return nil
}

// Protobuf field numbers and tags of Heka's Header message.
const (
	hdrTagLength  = 1<<3 | 0 // message_length, varint
	hdrTagHash    = 3<<3 | 0 // hmac_hash_function, varint
	hdrTagSigner  = 4<<3 | 2 // hmac_signer, bytes
	hdrTagVersion = 5<<3 | 0 // hmac_key_version, varint
	hdrTagHmac    = 6<<3 | 2 // hmac, bytes
)

// Presence bits of Header.flags.
const (
	hdrNoLength uint8 = 1 << iota // message_length was absent when decoded
	hdrHasHash
	hdrHasSigner
	hdrHasVersion
)

// Header is the protobuf header of a framed record (Heka's message.Header).
//
// A field is encoded when it is non-zero or was present in the bytes the
// Header was decoded from (Hmac: when non-nil); so for a canonical encoding
// (fields in number order, each at most once, minimal varints, no unknown
// fields) AppendMarshal(Unmarshal(b)) reproduces b. MessageLength is a
// required field and is always encoded, unless the decoded bytes lacked it.
type Header struct {
	// MessageLength is the size in bytes of the message that follows the
	// header.
	MessageLength uint32
	// HashFunction is the hash of the HMAC (MD5 when absent).
	HashFunction HashFunction
	// Signer is the signer name, without key version. It is only a claim:
	// FrameScanner.Signer reports the name once the HMAC is verified.
	Signer string
	// KeyVersion is the version of the signer's key.
	KeyVersion uint32
	// Hmac is the HMAC of the message bytes (16 bytes MD5, 20 bytes SHA1);
	// nil when the frame is unsigned. A non-nil empty Hmac is encoded.
	Hmac []byte

	flags   uint8
	hmacBuf []byte // reused storage of Hmac
}

// Reset clears the header, keeping the storage of Hmac for reuse.
func (h *Header) Reset() {
	*h = Header{hmacBuf: h.hmacBuf}
}

// HasHmac reports whether the header carries an HMAC, that is, whether the
// frame is signed.
func (h *Header) HasHmac() bool {
	return h.Hmac != nil
}

// Size returns the length of the header's encoding.
func (h *Header) Size() int {
	n := 0
	if h.flags&hdrNoLength == 0 || h.MessageLength != 0 {
		n += 1 + hdrVarintLen(uint64(h.MessageLength))
	}
	if h.flags&hdrHasHash != 0 || h.HashFunction != 0 {
		// Negative enum values are encoded sign-extended to 64 bits.
		n += 1 + hdrVarintLen(uint64(int64(h.HashFunction)))
	}
	if h.flags&hdrHasSigner != 0 || h.Signer != "" {
		n += 1 + hdrVarintLen(uint64(len(h.Signer))) + len(h.Signer)
	}
	if h.flags&hdrHasVersion != 0 || h.KeyVersion != 0 {
		n += 1 + hdrVarintLen(uint64(h.KeyVersion))
	}
	if h.HasHmac() {
		n += 1 + hdrVarintLen(uint64(len(h.Hmac))) + len(h.Hmac)
	}
	return n
}

// AppendMarshal appends the protobuf encoding of the header to dst, fields in
// Heka's order (message length, hash function, signer, key version, hmac),
// and returns the extended slice. It allocates only when dst lacks capacity.
func (h *Header) AppendMarshal(dst []byte) []byte {
	if h.flags&hdrNoLength == 0 || h.MessageLength != 0 {
		dst = binary.AppendUvarint(append(dst, hdrTagLength), uint64(h.MessageLength))
	}
	if h.flags&hdrHasHash != 0 || h.HashFunction != 0 {
		dst = binary.AppendUvarint(append(dst, hdrTagHash), uint64(int64(h.HashFunction)))
	}
	if h.flags&hdrHasSigner != 0 || h.Signer != "" {
		dst = binary.AppendUvarint(append(dst, hdrTagSigner), uint64(len(h.Signer)))
		dst = append(dst, h.Signer...)
	}
	if h.flags&hdrHasVersion != 0 || h.KeyVersion != 0 {
		dst = binary.AppendUvarint(append(dst, hdrTagVersion), uint64(h.KeyVersion))
	}
	if h.HasHmac() {
		dst = binary.AppendUvarint(append(dst, hdrTagHmac), uint64(len(h.Hmac)))
		dst = append(dst, h.Hmac...)
	}
	return dst
}

// Unmarshal decodes a header from b (the H header bytes, without framing),
// replacing the contents of h. Like Heka it accepts a header without
// message_length (read as 0) and skips unknown fields; a known field with the
// wrong wire type, a truncated field or an over-long varint is an error
// wrapping ErrBadHeader. Repeated scalar fields keep the last value. h does
// not retain b; the Hmac buffer and, when unchanged, the Signer string of h
// are reused, so decoding a stream's headers does not allocate. On error h
// holds what was decoded before the error.
//
// Unlike Heka, a header with a protobuf error is rejected even when its
// message_length was decoded before the error (Heka then used the length).
func (h *Header) Unmarshal(b []byte) error {
	hm := h.hmacBuf[:0]
	signer := h.Signer
	*h = Header{flags: hdrNoLength, hmacBuf: hm}
	for len(b) > 0 {
		tag, n := binary.Uvarint(b)
		if n <= 0 {
			return fmt.Errorf("%w: bad field tag", ErrBadHeader)
		}
		b = b[n:]
		num, typ := tag>>3, tag&7
		if num == 0 || num > hdrMaxFieldNumber {
			return fmt.Errorf("%w: invalid field number %d", ErrBadHeader, num)
		}
		switch tag {
		case hdrTagLength, hdrTagHash, hdrTagVersion:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return fmt.Errorf("%w: field %d: bad varint", ErrBadHeader, num)
			}
			b = b[n:]
			switch tag {
			case hdrTagLength:
				h.MessageLength = uint32(v)
				h.flags &^= hdrNoLength
			case hdrTagHash:
				h.HashFunction = HashFunction(int32(v))
				h.flags |= hdrHasHash
			default:
				h.KeyVersion = uint32(v)
				h.flags |= hdrHasVersion
			}
		case hdrTagSigner, hdrTagHmac:
			v, n := binary.Uvarint(b)
			if n <= 0 || v > uint64(len(b)-n) {
				return fmt.Errorf("%w: field %d: truncated", ErrBadHeader, num)
			}
			val := b[n : n+int(v)]
			b = b[n+int(v):]
			if tag == hdrTagSigner {
				if string(val) != signer {
					signer = string(val)
				}
				h.Signer = signer
				h.flags |= hdrHasSigner
			} else {
				if hm == nil {
					hm = make([]byte, 0, sha1.Size)
				}
				hm = append(hm[:0], val...)
				h.Hmac, h.hmacBuf = hm, hm
			}
		default:
			if num <= 6 && num != 2 {
				return fmt.Errorf("%w: field %d: wrong wire type %d", ErrBadHeader, num, typ)
			}
			rest, err := hdrSkipField(b, num, typ, 0)
			if err != nil {
				return fmt.Errorf("%w: field %d: %w", ErrBadHeader, num, err)
			}
			b = rest
		}
	}
	return nil
}

// hdrMaxFieldNumber is the largest valid protobuf field number.
const hdrMaxFieldNumber = 1<<29 - 1

// hdrMaxGroupDepth bounds the nesting of unknown groups that are skipped.
const hdrMaxGroupDepth = 64

var (
	errHdrTruncated = errors.New("truncated")
	errHdrWireType  = errors.New("invalid wire type")
	errHdrGroup     = errors.New("mismatched group")
)

// hdrSkipField skips the value of an unknown field whose tag has already been
// consumed and returns the rest of b.
func hdrSkipField(b []byte, num, typ uint64, depth int) ([]byte, error) {
	switch typ {
	case 0: // varint
		_, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errHdrTruncated
		}
		return b[n:], nil
	case 1: // fixed64
		if len(b) < 8 {
			return nil, errHdrTruncated
		}
		return b[8:], nil
	case 2: // length-delimited
		v, n := binary.Uvarint(b)
		if n <= 0 || v > uint64(len(b)-n) {
			return nil, errHdrTruncated
		}
		return b[n+int(v):], nil
	case 5: // fixed32
		if len(b) < 4 {
			return nil, errHdrTruncated
		}
		return b[4:], nil
	case 3: // start group: skip fields up to the matching end group
		if depth >= hdrMaxGroupDepth {
			return nil, errHdrGroup
		}
		for {
			tag, n := binary.Uvarint(b)
			if n <= 0 {
				return nil, errHdrTruncated
			}
			b = b[n:]
			inNum, inTyp := tag>>3, tag&7
			if inNum == 0 || inNum > hdrMaxFieldNumber {
				return nil, errHdrGroup
			}
			if inTyp == 4 {
				if inNum != num {
					return nil, errHdrGroup
				}
				return b, nil
			}
			var err error
			if b, err = hdrSkipField(b, inNum, inTyp, depth+1); err != nil {
				return nil, err
			}
		}
	}
	return nil, errHdrWireType
}

func hdrVarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// SigningConfig is a message signer (Heka's MessageSigningConfig), as used by
// senders: heka-flood, heka-inject, the client package.
type SigningConfig struct {
	// Name is the signer name written to the frame header.
	Name string `toml:"name"`
	// Hash is the HMAC hash function, "md5" (the default, also when empty)
	// or "sha1"; case is ignored.
	Hash string `toml:"hmac_hash"`
	// Key is the shared HMAC key.
	Key string `toml:"hmac_key"`
	// Version is the key version written to the frame header; receivers look
	// the key up as "<name>_<version>".
	Version uint32 `toml:"version"`
}

// HashFunction returns the configured hash function. Unlike Heka, which signs
// with MD5 whenever hmac_hash is not exactly "sha1", an unknown name is an
// error.
func (c *SigningConfig) HashFunction() (HashFunction, error) {
	switch {
	case c.Hash == "", strings.EqualFold(c.Hash, "md5"):
		return HashMD5, nil
	case strings.EqualFold(c.Hash, "sha1"):
		return HashSHA1, nil
	}
	return 0, fmt.Errorf("signer %q: hmac_hash %q: want \"md5\" or \"sha1\"", c.Name, c.Hash)
}

// Validate checks the signing configuration.
func (c *SigningConfig) Validate() error {
	_, err := c.HashFunction()
	return err
}

// AppendFrame appends msg to dst as one framed record and returns the
// extended slice: 0x1E, the header length, the header, 0x1F, then msg.
//
// With a nil signer the header holds only the message length and nothing is
// allocated when dst has the capacity. With a signer the header is written as
// Heka's client writes it: the hash function only for SHA1, then the signer
// name, key version and the HMAC of msg (the message bytes only).
//
// maxMessageSize of 0 or less means DefaultMaxMessageSize. It is an error
// (wrapping ErrMessageTooLarge or ErrHeaderTooLarge) if msg is longer than
// maxMessageSize or the header longer than MaxHeaderSize; dst is then
// returned unchanged.
func AppendFrame(dst, msg []byte, signer *SigningConfig, maxMessageSize int) ([]byte, error) {
	maxMessageSize = maxMessageSizeOrDefault(maxMessageSize)
	if len(msg) > maxMessageSize {
		return dst, fmt.Errorf("frame: %w: %d bytes (maximum %d)", ErrMessageTooLarge, len(msg), maxMessageSize)
	}
	if signer == nil {
		hlen := 1 + hdrVarintLen(uint64(len(msg)))
		dst = append(dst, RecordSeparator, byte(hlen), hdrTagLength)
		dst = binary.AppendUvarint(dst, uint64(len(msg)))
		dst = append(dst, UnitSeparator)
		return append(dst, msg...), nil
	}
	s, err := NewFrameSigner(signer)
	if err != nil {
		return dst, err
	}
	return s.appendFrame(dst, msg)
}

// FrameSigner frames and signs messages with one signer, keeping its HMAC
// state from one message to the next (AppendFrame with a SigningConfig
// makes a new one for every message). It is not safe for concurrent use.
type FrameSigner struct {
	name    string
	version uint32
	fn      HashFunction
	mac     hash.Hash
	sum     [sha1.Size]byte
}

// NewFrameSigner returns a FrameSigner for signer.
func NewFrameSigner(signer *SigningConfig) (*FrameSigner, error) {
	fn, err := signer.HashFunction()
	if err != nil {
		return nil, fmt.Errorf("frame: %w", err)
	}
	return &FrameSigner{name: signer.Name, version: signer.Version, fn: fn, mac: hmac.New(fn.newHash(), []byte(signer.Key))}, nil
}

// AppendFrame is the package's AppendFrame with the signer of s.
func (s *FrameSigner) AppendFrame(dst, msg []byte, maxMessageSize int) ([]byte, error) {
	maxMessageSize = maxMessageSizeOrDefault(maxMessageSize)
	if len(msg) > maxMessageSize {
		return dst, fmt.Errorf("frame: %w: %d bytes (maximum %d)", ErrMessageTooLarge, len(msg), maxMessageSize)
	}
	return s.appendFrame(dst, msg)
}

func (s *FrameSigner) appendFrame(dst, msg []byte) ([]byte, error) {
	s.mac.Reset()
	s.mac.Write(msg)
	h := Header{
		MessageLength: uint32(len(msg)),
		HashFunction:  s.fn,
		Signer:        s.name,
		KeyVersion:    s.version,
		Hmac:          s.mac.Sum(s.sum[:0]),
		// Heka's client always sets the signer and key version, even when
		// empty or zero.
		flags: hdrHasSigner | hdrHasVersion,
	}
	hlen := h.Size()
	if hlen > MaxHeaderSize {
		return dst, fmt.Errorf("frame: %w: %d bytes (maximum %d)", ErrHeaderTooLarge, hlen, MaxHeaderSize)
	}
	dst = append(dst, RecordSeparator, byte(hlen))
	dst = h.AppendMarshal(dst)
	dst = append(dst, UnitSeparator)
	return append(dst, msg...), nil
}
