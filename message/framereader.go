package message

import (
	"errors"
	"io"
)

// Frame is one framed record read from a stream.
type Frame struct {
	// Offset is the stream offset of the frame's record separator, counted
	// from the first byte the Reader read.
	Offset int64
	// Bytes is the whole frame, framing included.
	Bytes []byte
	// Message is the message bytes (Bytes without framing and header).
	Message []byte
	// Signer is the verified signer name, "" when the frame is unsigned or
	// authentication is skipped.
	Signer string
	// Header is the decoded frame header.
	Header *Header
}

// readerInitialSize is the initial buffer size of a Reader; it doubles up to
// MaxRecordSize as records require.
const readerInitialSize = 16 << 10

// maxEmptyReads is how many consecutive empty reads without error a Reader
// tolerates before giving up with io.ErrNoProgress.
const maxEmptyReads = 100

// errReaderStuck reports a FrameScanner that asked for more data than a whole
// record can hold; it means a bug, not bad input.
var errReaderStuck = errors.New("frame reader: scanner needs more than the maximum record size")

// Reader reads framed records from an io.Reader, which may deliver the stream
// in chunks of any size. Its buffer never grows beyond
// MaxRecordSize(MaxMessageSize). It is not safe for concurrent use.
type Reader struct {
	rd     io.Reader
	sc     *FrameScanner
	buf    []byte
	start  int // unconsumed data is buf[start:end]
	end    int
	maxBuf int
	eof    bool
	err    error // sticky read error, returned once the buffered data is used
}

// NewReader returns a Reader of the framed stream r.
func NewReader(r io.Reader, opts FrameOptions) *Reader {
	maxBuf := MaxRecordSize(opts.MaxMessageSize)
	return &Reader{
		rd:     r,
		sc:     NewFrameScanner(opts),
		buf:    make([]byte, min(readerInitialSize, maxBuf)),
		maxBuf: maxBuf,
	}
}

// Next returns the next verified frame. The frame, its byte slices and its
// Header are valid until the next call to Next. Skipped input is counted in
// Stats and reported through FrameOptions.OnSkip. At the end of the stream
// Next returns io.EOF (an incomplete final record is dropped and reported);
// a read error is returned once the frames read before it are delivered.
func (r *Reader) Next() (Frame, error) {
	for {
		if r.end > r.start || r.eof {
			adv, frame, _ := r.sc.Split(r.buf[r.start:r.end], r.eof)
			r.start += adv
			if frame != nil {
				return Frame{
					Offset:  r.sc.Offset(),
					Bytes:   frame,
					Message: r.sc.Message(),
					Signer:  r.sc.Signer(),
					Header:  r.sc.Header(),
				}, nil
			}
			if r.eof {
				// Split consumes everything at EOF.
				r.start, r.end = 0, 0
				return Frame{}, io.EOF
			}
		}
		if r.err != nil {
			return Frame{}, r.err
		}
		if err := r.fill(); err != nil {
			return Frame{}, err
		}
	}
}

// fill reads more data into the buffer, making room first.
func (r *Reader) fill() error {
	if r.start > 0 {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	if r.end == len(r.buf) {
		if len(r.buf) >= r.maxBuf {
			return errReaderStuck
		}
		nb := make([]byte, min(2*len(r.buf), r.maxBuf))
		copy(nb, r.buf[:r.end])
		r.buf = nb
	}
	for range maxEmptyReads {
		n, err := r.rd.Read(r.buf[r.end:])
		if n < 0 || n > len(r.buf)-r.end {
			return errors.New("frame reader: invalid read count")
		}
		r.end += n
		if err == io.EOF {
			r.eof = true
			return nil
		}
		if err != nil {
			r.err = err
			return nil
		}
		if n > 0 {
			return nil
		}
	}
	return io.ErrNoProgress
}

// Stats returns the counts so far.
func (r *Reader) Stats() FrameStats { return r.sc.Stats() }
