package plugintest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// Delivery is one message a Host received.
type Delivery struct {
	// Message is a copy of the delivered message.
	Message *message.Message
	// Source is the stream the message came from (zero for Deliver).
	Source pipeline.Source
	// Signer is the verified signer of the record.
	Signer string
}

// Host is a pipeline.InputHost for tests. Stream cuts the reader into
// records with a fresh splitter from NewSplitter and turns each record into
// a message the way the engine does: in message-bytes mode by decoding the
// protobuf (ProtobufDecoder), in text mode by stamping a new message with
// the record as payload and applying the Source. Every message is kept, in
// delivery order, for the test to inspect.
//
// A Host is safe for concurrent use; an input may stream several
// connections at once.
type Host struct {
	// Name is the input's name: the Logger of text-mode messages.
	Name string
	// NewSplitter returns the splitter of one stream.
	NewSplitter func() pipeline.Splitter
	// MessageBytes says that records are protobuf messages
	// (use_message_bytes); otherwise they are text.
	MessageBytes bool

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced on every change
	got         []Delivery
	failures    []error
	streams     int
	openStreams int
}

// NewHost returns a Host for the input name whose streams are split by
// fresh splitters from newSplitter; msgBytes selects message-bytes mode.
func NewHost(name string, newSplitter func() pipeline.Splitter, msgBytes bool) *Host {
	return &Host{Name: name, NewSplitter: newSplitter, MessageBytes: msgBytes}
}

// Stream implements pipeline.InputHost. It returns nil at EOF, the read
// error otherwise, and ctx's cause when ctx is done between records.
func (h *Host) Stream(ctx context.Context, r io.Reader, src pipeline.Source) error {
	h.update(func() { h.streams++; h.openStreams++ })
	defer h.update(func() { h.openStreams-- })
	if src.Datagrams {
		return h.datagrams(ctx, r, src)
	}
	sp := h.NewSplitter()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 8192), message.MaxRecordSize(0))
	sc.Split(sp.Split)
	for sc.Scan() {
		if err := context.Cause(ctx); err != nil {
			return err
		}
		d := Delivery{Message: new(message.Message), Source: src}
		if ss, ok := sp.(pipeline.SignedSplitter); ok {
			d.Signer = ss.Signer()
		}
		if err := h.fill(d.Message, sc.Bytes(), src); err != nil {
			h.update(func() { h.failures = append(h.failures, err) })
			continue
		}
		h.update(func() { h.got = append(h.got, d) })
	}
	return sc.Err()
}

// datagrams streams a Datagrams source: each read is one datagram, split
// on its own by a fresh splitter; what it leaves after its last record is
// dropped (the engine's default, without deliver_incomplete_final).
func (h *Host) datagrams(ctx context.Context, r io.Reader, src pipeline.Source) error {
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			dsrc := src
			if src.Peer != nil {
				dsrc.Hostname = src.Peer()
			}
			sp := h.NewSplitter()
			for data := buf[:n]; len(data) > 0; {
				adv, rec, serr := sp.Split(data, false)
				if serr != nil || adv <= 0 {
					break
				}
				data = data[adv:]
				if rec == nil {
					continue
				}
				if cerr := context.Cause(ctx); cerr != nil {
					return cerr
				}
				d := Delivery{Message: new(message.Message), Source: dsrc}
				if ferr := h.fill(d.Message, rec, dsrc); ferr != nil {
					h.update(func() { h.failures = append(h.failures, ferr) })
					continue
				}
				h.update(func() { h.got = append(h.got, d) })
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// fill makes m the message of record as the engine would.
func (h *Host) fill(m *message.Message, record []byte, src pipeline.Source) error {
	if h.MessageBytes {
		if err := m.Unmarshal(record); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		return nil
	}
	m.SetNewUUID()
	m.SetTimestamp(time.Now().UnixNano())
	logger := src.Logger
	if logger == "" {
		logger = h.Name
	}
	m.SetLogger(logger)
	m.SetPayload(string(record))
	if src.Type != "" {
		m.SetType(src.Type)
	}
	if src.Hostname != "" {
		m.SetHostname(src.Hostname)
	}
	return nil
}

// NewPack implements pipeline.InputHost with a pack that belongs to no pool.
func (h *Host) NewPack(ctx context.Context) (*pipeline.Pack, error) {
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return pipeline.NewPack(), nil
}

// Deliver implements pipeline.InputHost: it keeps a copy of p's message
// (decoding MsgBytes when the message is empty), recycles p and
// acknowledges it.
func (h *Host) Deliver(ctx context.Context, p *pipeline.Pack, ack pipeline.Ack) error {
	defer p.Recycle()
	if ack != nil {
		defer ack(nil)
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	m := p.Message().Clone()
	if len(p.MsgBytes) > 0 && m.Size() == 0 {
		if err := m.Unmarshal(p.MsgBytes); err != nil {
			h.update(func() { h.failures = append(h.failures, err) })
			return nil
		}
	}
	h.update(func() { h.got = append(h.got, Delivery{Message: m, Signer: p.Signer}) })
	return nil
}

// update runs f under the lock and wakes the waiters.
func (h *Host) update(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f()
	if h.changed != nil {
		close(h.changed)
		h.changed = nil
	}
}

// Deliveries returns what was delivered so far.
func (h *Host) Deliveries() []Delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Delivery(nil), h.got...)
}

// Failures returns the records that failed to decode.
func (h *Host) Failures() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]error(nil), h.failures...)
}

// Streams returns how many streams were started and how many are still
// being read.
func (h *Host) Streams() (started, open int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.streams, h.openStreams
}

// WaitFor waits until cond holds, or fails the test after timeout. cond is
// called again after every change to the host; it may call the host's
// methods.
func (h *Host) WaitFor(t testing.TB, timeout time.Duration, what string, cond func(h *Host) bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		// Take the change channel before evaluating cond, so that a change
		// made while cond runs is not missed.
		h.mu.Lock()
		if h.changed == nil {
			h.changed = make(chan struct{})
		}
		ch := h.changed
		h.mu.Unlock()
		if cond(h) {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
			return
		}
	}
}

// WaitDeliveries waits until at least n messages were delivered and
// returns them, or fails the test after timeout.
func (h *Host) WaitDeliveries(t testing.TB, n int, timeout time.Duration) []Delivery {
	t.Helper()
	h.WaitFor(t, timeout, fmt.Sprintf("%d deliveries", n), func(h *Host) bool { return len(h.Deliveries()) >= n })
	return h.Deliveries()
}

var _ pipeline.InputHost = (*Host)(nil)
