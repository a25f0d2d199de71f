package message

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"fmt"
	"hash"
	"strconv"
)

// FrameOptions configures a FrameScanner or a Reader (Heka's
// HekaFramingSplitter options).
type FrameOptions struct {
	// MaxMessageSize is the largest message a frame may carry; a header
	// announcing more is skipped. 0 means DefaultMaxMessageSize.
	MaxMessageSize int
	// Keys holds the HMAC keys of the accepted signers, by "<name>_<version>"
	// (Heka's [splitter.signer.<name>_<version>] hmac_key).
	Keys map[string]string
	// SkipAuthentication accepts signed frames without checking their HMAC;
	// Signer is then always "".
	SkipAuthentication bool
	// OnSkip, when set, is called from Split (or Reader.Next) for every region
	// of the stream that is not delivered as a frame, in stream order, once
	// the end of the region is known.
	OnSkip func(skip Skip)
}

// SkipReason says why a region of a framed stream was not delivered.
type SkipReason int

// The reasons for skipping stream bytes.
const (
	// SkipGarbage: bytes outside any record (no record separator).
	SkipGarbage SkipReason = iota + 1
	// SkipBadHeader: a record separator whose header does not decode or is
	// not followed by the unit separator, plus the bytes up to the next
	// record separator (Heka resynchronises byte-wise).
	SkipBadHeader
	// SkipOversize: a header announcing a message larger than
	// MaxMessageSize, plus the bytes up to the next record separator (the
	// announced message is scanned for records, as Heka does).
	SkipOversize
	// SkipUnknownSigner: a whole signed record whose "<signer>_<version>" has
	// no key.
	SkipUnknownSigner
	// SkipBadSignature: a whole signed record whose HMAC does not verify
	// (or uses a hash function Heka does not define).
	SkipBadSignature
	// SkipTruncated: an incomplete record at the end of the stream.
	SkipTruncated
)

var skipReasonNames = [...]string{
	SkipGarbage:       "garbage",
	SkipBadHeader:     "bad header",
	SkipOversize:      "oversize",
	SkipUnknownSigner: "unknown signer",
	SkipBadSignature:  "bad signature",
	SkipTruncated:     "truncated",
}

// String returns a short lower-case description of the reason.
func (r SkipReason) String() string {
	if r > 0 && int(r) < len(skipReasonNames) {
		return skipReasonNames[r]
	}
	return "SkipReason(" + strconv.Itoa(int(r)) + ")"
}

// Skip describes a region of a framed stream that was dropped.
type Skip struct {
	// Offset is the stream offset of the first skipped byte.
	Offset int64
	// Len is the number of skipped bytes.
	Len int
	// Reason says why the bytes were skipped.
	Reason SkipReason
	// Err gives the details; nil for SkipGarbage.
	Err error
}

// String describes the skip for a log line.
func (k Skip) String() string {
	s := fmt.Sprintf("%s: %d bytes at offset %d", k.Reason, k.Len, k.Offset)
	if k.Err != nil {
		s += ": " + k.Err.Error()
	}
	return s
}

// FrameStats counts what a FrameScanner found in its stream.
type FrameStats struct {
	// Records is the number of frames delivered.
	Records int64
	// Garbage is the number of bytes skipped outside well-framed records:
	// garbage, bad and oversize headers with the bytes up to the next record
	// separator, and truncated records at the end of the stream.
	Garbage int64
	// BadHeaders counts SkipBadHeader regions.
	BadHeaders int64
	// Oversize counts headers announcing a message above MaxMessageSize.
	Oversize int64
	// UnknownSigner counts signed records dropped for lack of a key.
	UnknownSigner int64
	// BadSignature counts signed records dropped because their HMAC did not
	// verify.
	BadSignature int64
	// Truncated counts incomplete records dropped at the end of the stream.
	Truncated int64
}

// FrameScanner finds Heka framed records in a byte stream. It keeps
// per-stream state (stream offset, a skip region in progress), so use one
// scanner per stream. It is not safe for concurrent use.
//
// Records are found as Heka's HekaFramingSplitter finds them: bytes before a
// record separator are skipped; a header that fails to decode, is not
// followed by the unit separator, or announces a message larger than
// MaxMessageSize is skipped one byte at a time (the search for the next
// record separator resumes right after the failed one).
//
// Authentication differs from Heka in two ways, both stricter (see
// docs/heka-differences.md). A frame is authenticated if and only if its
// header carries an hmac field, whatever the header length (Heka checks only
// headers longer than 13 bytes, and then reports the claimed signer of a
// frame without hmac as if verified). Frames whose signature cannot be
// verified are dropped as in Heka, but not silently: they are counted in
// FrameStats and reported through OnSkip.
type FrameScanner struct {
	max      int
	keys     map[string]*frameKey
	skipAuth bool
	onSkip   func(Skip)

	off        int64 // stream offset of data[0] in the next Split call
	pending    Skip  // skip region whose end is not known yet
	hasPending bool

	header   Header
	frame    []byte
	msg      []byte
	frameOff int64
	signer   string
	stats    FrameStats

	keyBuf []byte
	sum    [sha1.Size]byte
}

// frameKey is one signer key with its HMAC states, made on first use.
type frameKey struct {
	key  []byte
	md5  hash.Hash
	sha1 hash.Hash
}

func (k *frameKey) mac(f HashFunction) hash.Hash {
	p := &k.md5
	if f == HashSHA1 {
		p = &k.sha1
	}
	if *p == nil {
		*p = hmac.New(f.newHash(), k.key)
	}
	return *p
}

// NewFrameScanner returns a scanner for one stream. It copies opts.Keys.
func NewFrameScanner(opts FrameOptions) *FrameScanner {
	s := &FrameScanner{
		max:      maxMessageSizeOrDefault(opts.MaxMessageSize),
		skipAuth: opts.SkipAuthentication,
		onSkip:   opts.OnSkip,
		keys:     make(map[string]*frameKey, len(opts.Keys)),
	}
	for name, key := range opts.Keys {
		s.keys[name] = &frameKey{key: []byte(key)}
	}
	return s
}

// Split has the contract of bufio.SplitFunc: it returns the next verified
// record, framing included, from data (the unconsumed stream bytes), and
// advances over it and over anything skipped before it. The caller must pass
// the next call the data that follows the advanced bytes; the scanner counts
// stream offsets from that.
//
// Split never returns an error: bad input is skipped, counted in Stats and
// reported through OnSkip. It asks for more data (advance over skipped
// bytes, nil record) while a candidate record is incomplete; it never needs
// more than MaxRecordSize bytes of data to decide. At EOF an incomplete
// record is dropped as Heka drops it, and reported as SkipTruncated.
func (s *FrameScanner) Split(data []byte, atEOF bool) (advance int, frame []byte, err error) {
	p := 0
	for {
		i := bytes.IndexByte(data[p:], RecordSeparator)
		if i < 0 {
			s.skipGarbage(p, len(data)-p)
			if atEOF {
				s.flush()
			}
			return s.advance(len(data)), nil, nil
		}
		s.skipGarbage(p, i)
		i += p
		s.flush() // a candidate record starts at i: the region before it ends
		if len(data) < i+HeaderDelimiterSize {
			return s.needMore(data, i, atEOF)
		}
		headerEnd := i + HeaderFramingSize + int(data[i+1])
		if len(data) < headerEnd {
			return s.needMore(data, i, atEOF)
		}
		if data[headerEnd-1] != UnitSeparator {
			s.stats.BadHeaders++
			s.startSkip(i, SkipBadHeader, errNoUnitSeparator)
			p = i + 1
			continue
		}
		if err := s.header.Unmarshal(data[i+HeaderDelimiterSize : headerEnd-1]); err != nil {
			s.stats.BadHeaders++
			s.startSkip(i, SkipBadHeader, err)
			p = i + 1
			continue
		}
		if int64(s.header.MessageLength) > int64(s.max) {
			s.stats.Oversize++
			s.startSkip(i, SkipOversize, fmt.Errorf("%w: header announces %d bytes (maximum %d)",
				ErrMessageTooLarge, s.header.MessageLength, s.max))
			p = i + 1
			continue
		}
		end := headerEnd + int(s.header.MessageLength)
		if len(data) < end {
			return s.needMore(data, i, atEOF)
		}
		msg := data[headerEnd:end]
		signer := ""
		if !s.skipAuth && s.header.HasHmac() {
			reason, err := s.authenticate(msg)
			if err != nil {
				if reason == SkipUnknownSigner {
					s.stats.UnknownSigner++
				} else {
					s.stats.BadSignature++
				}
				s.report(Skip{Offset: s.off + int64(i), Len: end - i, Reason: reason, Err: err})
				p = end
				continue
			}
			signer = s.header.Signer
		}
		s.stats.Records++
		s.frame, s.msg, s.signer = data[i:end], msg, signer
		s.frameOff = s.off + int64(i)
		return s.advance(end), s.frame, nil
	}
}

var errNoUnitSeparator = fmt.Errorf("%w: no unit separator after the header", ErrBadHeader)

// needMore handles a candidate record at data[i:] that is not complete: it
// asks for more data or, at EOF, drops the rest of the stream.
func (s *FrameScanner) needMore(data []byte, i int, atEOF bool) (int, []byte, error) {
	if !atEOF {
		return s.advance(i), nil, nil
	}
	s.stats.Truncated++
	s.stats.Garbage += int64(len(data) - i)
	s.report(Skip{Offset: s.off + int64(i), Len: len(data) - i, Reason: SkipTruncated, Err: ErrFrameTruncated})
	return s.advance(len(data)), nil, nil
}

func (s *FrameScanner) advance(n int) int {
	s.off += int64(n)
	return n
}

// skipGarbage skips the n bytes at data[from:]: they extend the open skip
// region (garbage after a bad header belongs to it) or start a garbage
// region.
func (s *FrameScanner) skipGarbage(from, n int) {
	if n == 0 {
		return
	}
	s.stats.Garbage += int64(n)
	if s.hasPending {
		s.pending.Len += n
		return
	}
	s.pending = Skip{Offset: s.off + int64(from), Len: n, Reason: SkipGarbage}
	s.hasPending = true
}

// startSkip opens a skip region at the record separator data[i].
func (s *FrameScanner) startSkip(i int, reason SkipReason, err error) {
	s.stats.Garbage++
	s.pending = Skip{Offset: s.off + int64(i), Len: 1, Reason: reason, Err: err}
	s.hasPending = true
}

// flush reports the open skip region, if any.
func (s *FrameScanner) flush() {
	if s.hasPending {
		s.hasPending = false
		s.report(s.pending)
	}
}

func (s *FrameScanner) report(k Skip) {
	if s.onSkip != nil {
		s.onSkip(k)
	}
}

// authenticate verifies the HMAC of a signed frame whose header is in
// s.header. It returns the reason and an error when the frame must be
// dropped.
func (s *FrameScanner) authenticate(msg []byte) (SkipReason, error) {
	h := &s.header
	s.keyBuf = append(append(s.keyBuf[:0], h.Signer...), '_')
	s.keyBuf = strconv.AppendUint(s.keyBuf, uint64(h.KeyVersion), 10)
	k := s.keys[string(s.keyBuf)]
	if k == nil {
		return SkipUnknownSigner, fmt.Errorf("%w: no key for %q", ErrUnknownSigner, s.keyBuf)
	}
	if h.HashFunction.newHash() == nil {
		return SkipBadSignature, fmt.Errorf("%w: signer %q: unsupported hash function %v",
			ErrBadSignature, s.keyBuf, h.HashFunction)
	}
	mac := k.mac(h.HashFunction)
	mac.Reset()
	mac.Write(msg)
	if !hmac.Equal(mac.Sum(s.sum[:0]), h.Hmac) {
		return SkipBadSignature, fmt.Errorf("%w: signer %q: hmac mismatch", ErrBadSignature, s.keyBuf)
	}
	return 0, nil
}

// Message returns the message bytes (the frame without its framing and
// header) of the frame last returned by Split. Like the frame, it aliases
// the data passed to Split.
func (s *FrameScanner) Message() []byte { return s.msg }

// Signer returns the verified signer name (without key version) of the frame
// last returned by Split, or "" when that frame was unsigned or
// authentication is skipped.
func (s *FrameScanner) Signer() string { return s.signer }

// Header returns the decoded header of the frame last returned by Split. It
// is reused: valid until the next call to Split.
func (s *FrameScanner) Header() *Header { return &s.header }

// Offset returns the stream offset of the frame last returned by Split.
func (s *FrameScanner) Offset() int64 { return s.frameOff }

// Stats returns the counts so far.
func (s *FrameScanner) Stats() FrameStats { return s.stats }
