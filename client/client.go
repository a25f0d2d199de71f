package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/hekad-go/hekad/message"
)

// Sender delivers framed records (Heka stream framing around a protobuf
// message) to hekad. Implementations are safe for concurrent use.
type Sender interface {
	// Send delivers or queues one framed record. It does not keep rec
	// after it returns and it does not block on the network for long: a
	// sender that cannot deliver drops the record, counts it and says so
	// in its error or its statistics.
	Send(rec []byte) error
	// Close flushes what the sender queued, within ctx's deadline, and
	// releases its connection. What could not be flushed is dropped and
	// counted.
	Close(ctx context.Context) error
}

// Flusher is a Sender that can wait until what it queued has been written.
type Flusher interface {
	// Flush returns once every record queued before the call has been
	// handed to the operating system, or with ctx's error.
	Flush(ctx context.Context) error
}

// Severity is a syslog severity (RFC 5424), the Severity of a message.
type Severity int32

// The syslog severities.
const (
	SeverityEmergency Severity = 0
	SeverityAlert     Severity = 1
	SeverityCritical  Severity = 2
	SeverityError     Severity = 3
	SeverityWarning   Severity = 4
	SeverityNotice    Severity = 5
	SeverityInfo      Severity = 6
	SeverityDebug     Severity = 7
)

// EnvVersion is the env_version that heka-py and heka-node stamp on their
// messages, and the default of Options.EnvVersion.
const EnvVersion = "0.8"

// Options configures a Client. The zero value is usable: every field has a
// default.
type Options struct {
	// Logger is the Logger of the messages (default: the program's name).
	Logger string
	// Severity is the Severity of the messages of the metric calls and of
	// Send... calls that do not give one (default Info, 6, as heka-py).
	// Use SeverityOf to set SeverityEmergency (0).
	Severity Severity
	// Hostname is the Hostname of the messages (default: os.Hostname).
	Hostname string
	// Pid is the Pid of the messages (default: os.Getpid).
	Pid int32
	// EnvVersion is the env_version of the messages (default "0.8").
	EnvVersion string
	// Signer, when set, signs every message with an HMAC (md5 or sha1) in
	// its frame header, for a HekaFramingSplitter configured with the same
	// signer name, version and key.
	Signer *message.SigningConfig
	// MaxMessageSize is the largest encoded message the client sends
	// (default 64 KiB, hekad's default); a larger one fails with an error
	// wrapping message.ErrMessageTooLarge and is counted in Stats.Failed.
	MaxMessageSize int
	// Now returns the time stamped on messages (default time.Now).
	Now func() time.Time
	// PanicFlushTimeout bounds how long Recover waits for the sender to
	// write the panic's message before panicking again (default 2s).
	PanicFlushTimeout time.Duration

	severitySet bool
}

// SeverityOf returns o with Severity set to s, also when s is
// SeverityEmergency (0), which the zero value of Options cannot express.
func (o Options) SeverityOf(s Severity) Options {
	o.Severity = s
	o.severitySet = true
	return o
}

// Stats counts what a Client did.
type Stats struct {
	// Sent is the number of messages handed to the sender without error.
	Sent uint64
	// Failed is the number of messages that could not be encoded (a bad
	// field, a message too large) or that the sender refused.
	Failed uint64
	// SampledOut is the number of metric calls skipped by their sample
	// rate.
	SampledOut uint64
}

// Client sends messages to hekad through a Sender. It is safe for
// concurrent use; its calls never block on the network (that is the
// Sender's contract).
type Client struct {
	sender   Sender
	opts     Options
	encoders sync.Pool

	sent, failed, sampledOut atomic.Uint64
}

// New returns a Client sending through s.
func New(s Sender, opts Options) (*Client, error) {
	if s == nil {
		return nil, errors.New("client: nil sender")
	}
	if opts.Signer != nil {
		if err := opts.Signer.Validate(); err != nil {
			return nil, fmt.Errorf("client: %w", err)
		}
		sc := *opts.Signer
		opts.Signer = &sc
	}
	if opts.Logger == "" {
		opts.Logger = filepath.Base(os.Args[0])
	}
	if opts.Severity == 0 && !opts.severitySet {
		opts.Severity = SeverityInfo
	}
	if opts.Hostname == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("client: hostname: %w", err)
		}
		opts.Hostname = h
	}
	if opts.Pid == 0 {
		opts.Pid = int32(os.Getpid())
	}
	if opts.EnvVersion == "" {
		opts.EnvVersion = EnvVersion
	}
	if opts.MaxMessageSize <= 0 {
		opts.MaxMessageSize = message.DefaultMaxMessageSize
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.PanicFlushTimeout <= 0 {
		opts.PanicFlushTimeout = 2 * time.Second
	}
	c := &Client{sender: s, opts: opts}
	c.encoders.New = func() any { return new(encoder) }
	return c, nil
}

// Logger returns the Logger stamped on the client's messages.
func (c *Client) Logger() string { return c.opts.Logger }

// Stats returns the client's counts so far.
func (c *Client) Stats() Stats {
	return Stats{Sent: c.sent.Load(), Failed: c.failed.Load(), SampledOut: c.sampledOut.Load()}
}

// Close closes the sender, which flushes what it queued within ctx's
// deadline.
func (c *Client) Close(ctx context.Context) error {
	return c.sender.Close(ctx)
}

// Flush waits until the sender has written what it queued, when it can
// tell (a Flusher); otherwise it returns at once.
func (c *Client) Flush(ctx context.Context) error {
	if f, ok := c.sender.(Flusher); ok {
		return f.Flush(ctx)
	}
	return nil
}

// Send sends one message of the given type, logger (the client's when
// empty), severity and payload, with fields: heka-py's generic heka() call.
func (c *Client) Send(typ, logger string, severity Severity, payload string, fields ...Field) error {
	e := c.start(typ, severity, payload)
	if logger != "" {
		e.msg.SetLogger(logger)
	}
	return c.finish(e, fields)
}

// SendMessage sends m, after filling in what it lacks: uuid, timestamp,
// logger, severity, env_version, pid and hostname take the client's values
// when m does not have them. m itself is not modified.
func (c *Client) SendMessage(m *message.Message) error {
	e := c.get()
	m.CopyTo(&e.msg)
	c.stamp(&e.msg)
	return c.finish(e, nil)
}

// encoder is the per-message scratch space, pooled so that the steady path
// of a call does not allocate.
type encoder struct {
	msg     message.Message
	body    []byte
	frame   []byte
	signer  *message.FrameSigner // with Options.Signer, made on first use
	scratch [64]byte
}

func (c *Client) get() *encoder {
	e := c.encoders.Get().(*encoder)
	e.msg.Reset()
	return e
}

// start returns an encoder holding a new message of the client's defaults
// with the given type, severity and payload.
func (c *Client) start(typ string, severity Severity, payload string) *encoder {
	e := c.get()
	e.msg.SetType(typ)
	e.msg.SetSeverity(int32(severity))
	e.msg.SetPayload(payload)
	c.stamp(&e.msg)
	return e
}

// stamp sets the header fields m lacks to the client's values.
func (c *Client) stamp(m *message.Message) {
	if !m.Has(message.HeaderUuid) {
		m.SetNewUUID()
	}
	if !m.Has(message.HeaderTimestamp) {
		m.SetTimestamp(c.opts.Now().UnixNano())
	}
	if !m.Has(message.HeaderLogger) {
		m.SetLogger(c.opts.Logger)
	}
	if !m.Has(message.HeaderSeverity) {
		m.SetSeverity(int32(c.opts.Severity))
	}
	if !m.Has(message.HeaderEnvVersion) {
		m.SetEnvVersion(c.opts.EnvVersion)
	}
	if !m.Has(message.HeaderPid) {
		m.SetPid(c.opts.Pid)
	}
	if !m.Has(message.HeaderHostname) {
		m.SetHostname(c.opts.Hostname)
	}
}

// finish adds fields to the encoder's message, frames it and hands it to
// the sender, then returns the encoder to the pool.
func (c *Client) finish(e *encoder, fields []Field) error {
	err := c.encodeAndSend(e, fields)
	// The message may point at the caller's strings and at e.scratch: drop
	// them before the encoder is reused.
	e.msg.Reset()
	c.encoders.Put(e)
	if err != nil {
		c.failed.Add(1)
		return err
	}
	c.sent.Add(1)
	return nil
}

func (c *Client) encodeAndSend(e *encoder, fields []Field) error {
	for i := range fields {
		if err := fields[i].addTo(&e.msg); err != nil {
			return fmt.Errorf("client: %s message: %w", e.msg.GetType(), err)
		}
	}
	e.body = e.msg.AppendMarshal(e.body[:0])
	frame, err := c.frame(e)
	if err != nil {
		return fmt.Errorf("client: %s message: %w", e.msg.GetType(), err)
	}
	e.frame = frame
	if err := c.sender.Send(frame); err != nil {
		return fmt.Errorf("client: send %s message: %w", e.msg.GetType(), err)
	}
	return nil
}

// frame frames (and signs, with Options.Signer) e.body into e.frame's
// storage. The encoder keeps its signer's HMAC state.
func (c *Client) frame(e *encoder) ([]byte, error) {
	if c.opts.Signer == nil {
		return message.AppendFrame(e.frame[:0], e.body, nil, c.opts.MaxMessageSize)
	}
	if e.signer == nil {
		s, err := message.NewFrameSigner(c.opts.Signer)
		if err != nil {
			return nil, err
		}
		e.signer = s
	}
	return e.signer.AppendFrame(e.frame[:0], e.body, c.opts.MaxMessageSize)
}

// scratchString returns the bytes b, which must live in e.scratch, as a
// string without copying. The string is only valid until the encoder is
// reused: it may only be set on e.msg, which finish resets.
func scratchString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
