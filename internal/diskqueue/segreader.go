package diskqueue

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/hekad-go/hekad/message"
)

// readBufSize is the part of a segment reader's buffer beyond one maximal
// record: the amount read ahead in one read call.
const readBufSize = 256 << 10

// event is what segReader.next found.
type eventKind int

const (
	evRecord  eventKind = iota // a valid record: msg, start, end
	evCorrupt                  // bytes [start, end) skipped as corrupt, reason
	evEnd                      // no more bytes below the limit
)

type event struct {
	kind       eventKind
	msg        []byte // evRecord: the message, valid until the next call
	start, end int64  // file offsets of the record or of the skipped bytes
	reason     string // evCorrupt: why the first skipped byte did not start a record
}

// segReader streams the records of one segment file, from a start offset up
// to a limit (the durable size of the segment). It never reads past the limit
// and holds at most one maximal record plus readBufSize bytes.
//
// Corrupt bytes are skipped by resynchronising on the next record separator
// that starts a valid record; each contiguous run of skipped bytes is
// reported once, as an evCorrupt event, before the record that follows it.
// A record that would extend past the limit is corrupt: records are made
// durable whole, so a limit never falls inside a valid record.
type segReader struct {
	src    io.ReaderAt
	buf    []byte
	r, w   int   // unread bytes are buf[r:w]
	off    int64 // file offset of buf[r]
	limit  int64 // bytes of the file that may be read
	maxMsg int

	// sawCRC is set once a record with a CRC was read: this package writes
	// whole segments, so from then on a record without CRC is corrupt.
	sawCRC bool

	// corrupt run being skipped, when badStart >= 0
	badStart  int64
	badReason string
}

// newSegReader returns a reader of src from offset off up to limit.
func newSegReader(src io.ReaderAt, off, limit int64, maxMsg int, buf []byte) *segReader {
	need := maxRecordSize(maxMsg) + readBufSize
	if cap(buf) < need {
		buf = make([]byte, need)
	}
	return &segReader{src: src, buf: buf[:need], off: off, limit: limit, maxMsg: maxMsg, badStart: -1}
}

// reset points the reader at another source, keeping its buffer.
func (s *segReader) reset(src io.ReaderAt, off, limit int64) {
	*s = segReader{src: src, buf: s.buf, off: off, limit: limit, maxMsg: s.maxMsg, badStart: -1}
}

// setLimit raises the readable size (the writer made more bytes durable).
func (s *segReader) setLimit(limit int64) {
	if limit > s.limit {
		s.limit = limit
	}
}

// pos returns the file offset of the next unread byte.
func (s *segReader) pos() int64 { return s.off }

// fill tries to have at least n unread bytes buffered, reading below the
// limit. It reports whether it has them; an error is an I/O error.
func (s *segReader) fill(n int) (bool, error) {
	for s.w-s.r < n {
		end := s.off + int64(s.w-s.r) // file offset of buf[w]
		avail := s.limit - end
		if avail <= 0 {
			return false, nil
		}
		if len(s.buf)-s.r < n || s.w == len(s.buf) {
			copy(s.buf, s.buf[s.r:s.w])
			s.w -= s.r
			s.r = 0
		}
		room := s.buf[s.w:]
		if int64(len(room)) > avail {
			room = room[:avail]
		}
		m, err := s.src.ReadAt(room, end)
		s.w += m
		if err != nil {
			if errors.Is(err, io.EOF) {
				if m == 0 {
					// The file is shorter than the limit (truncated from
					// outside): what is missing is gone.
					s.limit = end
				}
				continue
			}
			return false, fmt.Errorf("read at offset %d: %w", end, err)
		}
	}
	return true, nil
}

// skip consumes n buffered bytes as corrupt, starting a corrupt run.
func (s *segReader) skip(n int, reason string) {
	if s.badStart < 0 {
		s.badStart = s.off
		s.badReason = reason
	}
	s.r += n
	s.off += int64(n)
}

// endBad closes the corrupt run being skipped, if any, into ev.
func (s *segReader) endBad(ev *event) bool {
	if s.badStart < 0 {
		return false
	}
	*ev = event{kind: evCorrupt, start: s.badStart, end: s.off, reason: s.badReason}
	s.badStart = -1
	return true
}

// next returns the next event. A returned message is valid until the next
// call to next or reset.
func (s *segReader) next() (event, error) {
	var ev event
	for {
		ok, err := s.fill(1)
		if err != nil {
			return ev, err
		}
		if !ok {
			if s.endBad(&ev) {
				return ev, nil
			}
			return event{kind: evEnd, start: s.off, end: s.off}, nil
		}
		win := s.buf[s.r:s.w]
		if win[0] != message.RecordSeparator {
			i := bytes.IndexByte(win, message.RecordSeparator)
			if i < 0 {
				i = len(win)
			}
			s.skip(i, "no record separator")
			continue
		}
		res, msg, size, hasCRC, reason := decodeFrame(win, s.maxMsg, s.sawCRC)
		if res == frameShort {
			ok, err := s.fill(size)
			if err != nil {
				return ev, err
			}
			if ok {
				continue
			}
			res, reason = frameBad, "record truncated at the end of the segment"
		}
		if res == frameBad {
			s.skip(1, reason)
			continue
		}
		// A valid record: report the corrupt run before it first.
		if s.endBad(&ev) {
			return ev, nil
		}
		if hasCRC {
			s.sawCRC = true
		}
		start := s.off
		s.r += size
		s.off += int64(size)
		return event{kind: evRecord, msg: msg, start: start, end: s.off}, nil
	}
}
