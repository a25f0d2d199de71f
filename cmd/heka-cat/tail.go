package main

import (
	"context"
	"io"
	"time"
)

// tailReader follows a growing file: where the file reports its end, Read
// waits for data to be appended, polling every poll, instead of returning
// io.EOF. It returns io.EOF only once ctx is done, which ends the stream.
type tailReader struct {
	ctx  context.Context
	r    io.Reader
	poll time.Duration
	// idle, when set, runs each time the reader is about to wait (heka-cat
	// flushes its output there, so that what was read is shown at once).
	idle func() error
}

// Read implements io.Reader.
func (t *tailReader) Read(p []byte) (int, error) {
	var timer *time.Timer
	for {
		n, err := t.r.Read(p)
		if n > 0 {
			return n, nil
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
		if t.ctx.Err() != nil {
			return 0, io.EOF
		}
		if t.idle != nil {
			if err := t.idle(); err != nil {
				return 0, &writeError{err}
			}
		}
		if timer == nil {
			timer = time.NewTimer(t.poll)
			defer timer.Stop()
		} else {
			timer.Reset(t.poll)
		}
		select {
		case <-t.ctx.Done():
			return 0, io.EOF
		case <-timer.C:
		}
	}
}
