package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hekad-go/hekad/message"
)

// BufferSender keeps the records sent to it in memory, as one framed
// stream: for tests, and for examples that show what a call sends.
type BufferSender struct {
	mu  sync.Mutex
	buf bytes.Buffer
	n   int
}

// Send appends a copy of rec.
func (b *BufferSender) Send(rec []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(rec)
	b.n++
	return nil
}

// Close does nothing: the records stay readable.
func (b *BufferSender) Close(context.Context) error { return nil }

// Len returns the number of records sent.
func (b *BufferSender) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// Bytes returns a copy of the framed stream sent so far.
func (b *BufferSender) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// Messages decodes the records sent so far. keys verifies signed records
// as a HekaFramingSplitter would ("<signer>_<version>" to HMAC key); a
// record whose signature does not verify is an error.
func (b *BufferSender) Messages(keys map[string]string) ([]*message.Message, error) {
	r := message.NewReader(bytes.NewReader(b.Bytes()), message.FrameOptions{Keys: keys})
	var msgs []*message.Message
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return msgs, fmt.Errorf("buffer sender: %w", err)
		}
		m := new(message.Message)
		if err := m.Unmarshal(f.Message); err != nil {
			return msgs, fmt.Errorf("buffer sender: %w", err)
		}
		msgs = append(msgs, m)
	}
	if st := r.Stats(); len(msgs) != b.Len() {
		return msgs, fmt.Errorf("buffer sender: %d of %d records decoded (%+v)", len(msgs), b.Len(), st)
	}
	return msgs, nil
}

var _ Sender = (*BufferSender)(nil)
