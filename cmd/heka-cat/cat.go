package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/matcher"
)

// errInterrupted is returned by cat.run when its context was cancelled
// before the end of the input.
var errInterrupted = errors.New("interrupted")

// writeError marks a failure to write the output, so that it is not taken
// for a failure to read the input.
type writeError struct{ err error }

func (e *writeError) Error() string { return "write output: " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

// cat reads framed records, decodes them, and writes the ones its matcher
// accepts in its format, counting as it goes.
type cat struct {
	matcher        *matcher.Matcher
	format         format
	out            io.Writer      // matched messages
	diag           io.Writer      // corruption and decode reports
	loc            *time.Location // time zone of the txt Timestamp
	base           int64          // input offset of the reader's first byte
	maxMessageSize int

	processed, matched int64
	buf                []byte       // reused output buffer
	skip               message.Skip // skipped region not reported yet
	hasSkip            bool
}

// run reads records from r until its end (io.EOF), ctx is cancelled
// (errInterrupted), the input fails (that error) or the output fails (a
// *writeError). Corrupt records and undecodable messages are reported on
// c.diag and skipped.
func (c *cat) run(ctx context.Context, r io.Reader) error {
	rd := message.NewReader(r, message.FrameOptions{
		MaxMessageSize:     c.maxMessageSize,
		SkipAuthentication: true, // heka-cat shows signed records as they are
		OnSkip:             c.noteSkip,
	})
	defer c.reportSkip()
	var msg message.Message
	for {
		if ctx.Err() != nil {
			return errInterrupted
		}
		fr, err := rd.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				if ctx.Err() != nil {
					return errInterrupted
				}
				return nil
			}
			return err
		}
		c.reportSkip()
		c.processed++
		msg.Reset()
		if err := msg.Unmarshal(fr.Message); err != nil {
			fmt.Fprintf(c.diag, "Error unmarshalling message at offset: %d error: %v\n", c.base+fr.Offset, err)
			continue
		}
		if !c.matcher.Match(&msg) {
			continue
		}
		c.matched++
		if c.format == formatCount {
			continue
		}
		c.buf = c.format.append(c.buf[:0], &msg, fr.Bytes, c.loc)
		if _, err := c.out.Write(c.buf); err != nil {
			return &writeError{err}
		}
	}
}

// noteSkip records a region of the input the framing reader skipped. A
// garbage or bad-header region that directly follows another region (the
// false starts inside one damaged stretch) is merged into it, so that one
// damaged stretch gives one report, with the reason of its first region. An
// oversize record is always reported on its own.
func (c *cat) noteSkip(s message.Skip) {
	continues := s.Reason == message.SkipGarbage || s.Reason == message.SkipBadHeader
	if continues && c.hasSkip && c.skip.Offset+int64(c.skip.Len) == s.Offset {
		c.skip.Len += s.Len
		return
	}
	c.reportSkip()
	c.skip, c.hasSkip = s, true
}

// reportSkip reports the pending skipped region, if any, with its offset in
// the input, its length and the reason.
func (c *cat) reportSkip() {
	if !c.hasSkip {
		return
	}
	c.hasSkip = false
	reason := c.skip.Reason.String()
	if c.skip.Err != nil {
		reason = c.skip.Err.Error()
	}
	fmt.Fprintf(c.diag, "Corruption detected at offset: %d bytes: %d (%s)\n", c.base+c.skip.Offset, c.skip.Len, reason)
}
