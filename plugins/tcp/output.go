package tcp

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed TcpOutput.toml
var outputSample string

func init() {
	pipeline.RegisterOutput("TcpOutput", defaultOutputConfig, newOutput, pipeline.WithSample(outputSample))
}

// OutputConfig is the configuration of TcpOutput.
type OutputConfig struct {
	// Address is the "host:port" of the TCP listener to send to.
	Address string `toml:"address"`
	// LocalAddress, when set, is the local "ip:port" to send from (port 0
	// or "ip:0" lets the OS pick the port).
	LocalAddress string `toml:"local_address"`
	// KeepAlive turns TCP keep-alive probes on for the connection.
	KeepAlive bool `toml:"keep_alive"`
	// KeepAlivePeriod is the idle time, in seconds, before keep-alive
	// probes start, and the time between probes.
	KeepAlivePeriod pipeline.Seconds `toml:"keep_alive_period"`
	// UseTLS would wrap connections in TLS. Not supported yet: only false
	// is accepted.
	UseTLS bool `toml:"use_tls"`
	// TLS is Heka's tls table, accepted and unused while use_tls is false.
	TLS TLSConfig `toml:"tls"`
	// ReconnectAfter closes the connection after every this many records
	// sent, so the next record opens a new one (to spread load over the
	// hosts behind a balanced address); 0 never does.
	ReconnectAfter int64 `toml:"reconnect_after"`
	// Ack asks the receiver for acknowledgements (a hekad TcpInput with
	// ack = true): a record is durable, and the disk queue moves past it,
	// only once the receiving hekad made it durable. Without an answer to
	// the hello within hello_timeout the connection behaves as in Heka.
	Ack bool `toml:"ack"`
	// AckTimeout (seconds) is how long records may wait for an
	// acknowledgement before the output reconnects and sends them again.
	AckTimeout pipeline.Seconds `toml:"ack_timeout"`
	// HelloTimeout (milliseconds) is how long the output waits for the
	// receiver's answer to its hello before it takes the receiver for one
	// that does not acknowledge (Heka).
	HelloTimeout pipeline.Millis `toml:"hello_timeout"`
	// MaxUnacked is the most records written and not yet acknowledged;
	// Write waits when it is reached.
	MaxUnacked uint `toml:"max_unacked"`
}

func defaultOutputConfig() OutputConfig {
	return OutputConfig{
		Address:         "localhost:9125",
		KeepAlivePeriod: 7200,
		TLS:             defaultTLSConfig(),
		AckTimeout:      30,
		HelloTimeout:    2000,
		MaxUnacked:      50000,
	}
}

// DefaultOutputCommon makes ProtobufEncoder the default encoder of a
// TcpOutput section and turns use_buffering on with Heka's TcpOutput
// buffering defaults.
func (*OutputConfig) DefaultOutputCommon(c *pipeline.OutputCommon) {
	c.Encoder = "ProtobufEncoder"
	c.UseBuffering = true
	c.Buffering.MaxFileSize = 128 << 20
	c.Buffering.CursorUpdateCount = 50
}

// FramesProtobufByDefault makes use_framing default to true with
// ProtobufEncoder.
func (*OutputConfig) FramesProtobufByDefault() bool { return true }

// Validate checks the options; errors name the key.
func (c *OutputConfig) Validate() error {
	if c.UseTLS {
		return errNoTLS
	}
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		return fmt.Errorf("address: %w", err)
	}
	if c.LocalAddress != "" {
		if _, _, err := net.SplitHostPort(c.LocalAddress); err != nil {
			return fmt.Errorf("local_address: %w", err)
		}
	}
	if c.ReconnectAfter < 0 {
		return fmt.Errorf("reconnect_after: must not be negative, got %d", c.ReconnectAfter)
	}
	if c.KeepAlive && c.KeepAlivePeriod == 0 {
		return errors.New("keep_alive_period: must be at least 1 second")
	}
	if c.Ack {
		if c.AckTimeout == 0 {
			return errors.New("ack_timeout: must be at least 1 second")
		}
		if c.HelloTimeout == 0 {
			return errors.New("hello_timeout: must be at least 1 millisecond")
		}
		if c.MaxUnacked == 0 {
			return errors.New("max_unacked: must be at least 1")
		}
	}
	return nil
}

// Output is TcpOutput. It writes each record to one connection, opened by
// Connect (or by Write when reconnect_after closed the last one). A failed
// write closes the connection and returns an error wrapping
// pipeline.ErrRetry: the engine waits per the retries options, calls
// Connect and writes the same record again.
//
// Listeners never answer a Heka stream, so a goroutine per connection
// reads from it only to learn early that the peer has closed it: Write then
// reconnects before writing rather than losing a record into a socket the
// peer has already shut.
type Output struct {
	cfg  OutputConfig
	name string
	log  *slog.Logger

	cur     *conn
	sent    int64 // records sent since the start, for reconnect_after
	retire  bool  // ack = true: reconnect_after was reached; the connection closes once its records are acknowledged
	written atomic.Int64
	ack     *sendAcks // ack = true (ack.go); nil otherwise
}

// conn is one connection of an Output.
type conn struct {
	c        net.Conn
	ctx      context.Context // the context whose end closes c
	stop     func() bool     // cancels that
	peerGone atomic.Bool     // the reader saw EOF or an error
	done     chan struct{}   // closed when the reader returns
	mode     atomic.Int32    // ack = true: modeHello, modeAcking or modeLegacy
	off      int64           // ack = true: bytes written after the hello
}

func newOutput(cfg OutputConfig, env *pipeline.Env) (pipeline.Output, error) {
	o := &Output{cfg: cfg, name: env.Name(), log: env.Logger()}
	if cfg.Ack {
		o.ack = newSendAcks()
		return ackOutput{o}, nil
	}
	return o, nil
}

// Connect opens the connection if there is none. A failure to connect
// wraps pipeline.ErrRetry; when ctx is done it returns ctx's cause.
func (o *Output) Connect(ctx context.Context) error {
	if o.ack != nil {
		o.ack.mu.Lock()
		defer o.ack.mu.Unlock()
		return o.connectAckLocked(ctx)
	}
	if o.cur != nil {
		return nil
	}
	c, err := o.dial(ctx)
	if err != nil {
		return err
	}
	cn := &conn{c: c, ctx: ctx, done: make(chan struct{})}
	cn.stop = context.AfterFunc(ctx, func() { c.Close() })
	go cn.watch()
	o.cur = cn
	o.log.Debug("connected", "address", o.cfg.Address, "local", c.LocalAddr().String())
	return nil
}

// dial opens a connection to the address.
func (o *Output) dial(ctx context.Context) (net.Conn, error) {
	period, kac := keepAlive(o.cfg.KeepAlive, o.cfg.KeepAlivePeriod)
	d := net.Dialer{KeepAlive: period, KeepAliveConfig: kac}
	if o.cfg.LocalAddress != "" {
		la, err := net.ResolveTCPAddr("tcp", o.cfg.LocalAddress)
		if err != nil {
			return nil, fmt.Errorf("tcp output %q: local_address: %w: %w", o.name, pipeline.ErrRetry, err)
		}
		d.LocalAddr = la
	}
	c, err := d.DialContext(ctx, "tcp", o.cfg.Address)
	if err != nil {
		if cerr := context.Cause(ctx); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("tcp output %q: %w: %w", o.name, pipeline.ErrRetry, err)
	}
	return c, nil
}

// watch reads (and discards) whatever the peer sends until the connection
// ends, then marks it gone.
func (cn *conn) watch() {
	defer close(cn.done)
	var buf [512]byte
	for {
		if _, err := cn.c.Read(buf[:]); err != nil {
			cn.peerGone.Store(true)
			return
		}
	}
}

// disconnect closes the current connection and waits for its reader.
func (o *Output) disconnect() {
	if o.cur == nil {
		return
	}
	o.cur.stop()
	o.cur.c.Close()
	<-o.cur.done
	o.cur = nil
}

// aLongTimeAgo is a deadline in the past, to unblock a write.
var aLongTimeAgo = time.Unix(1, 0)

// Write sends r.Data. See Output for failures.
func (o *Output) Write(ctx context.Context, r pipeline.Record) error {
	if o.ack != nil {
		if len(r.Data) == 0 {
			o.emptyAck()
			return nil
		}
		return o.writeAck(ctx, r)
	}
	return o.send(ctx, r.Data, 1)
}

// WriteBatch sends the encoded records of data (record i ends at ends[i])
// with one write. With ack, each is kept and acknowledged as if written
// alone. See Output for failures.
func (o *Output) WriteBatch(ctx context.Context, data []byte, ends []int) error {
	if o.ack != nil {
		return o.writeAckBatch(ctx, data, ends)
	}
	return o.send(ctx, data, len(ends))
}

// send writes data, which holds n records, to the connection.
func (o *Output) send(ctx context.Context, data []byte, n int) error {
	if len(data) == 0 {
		return nil
	}
	if o.cur == nil {
		if err := o.Connect(ctx); err != nil {
			return err
		}
	}
	cn := o.cur
	if cn.peerGone.Load() {
		o.disconnect()
		return fmt.Errorf("tcp output %q: %w: connection to %s closed by the peer", o.name, pipeline.ErrRetry, o.cfg.Address)
	}
	if ctx != cn.ctx {
		stop := context.AfterFunc(ctx, func() { cn.c.SetWriteDeadline(aLongTimeAgo) })
		defer stop()
	}
	if _, err := cn.c.Write(data); err != nil {
		o.disconnect()
		if cerr := context.Cause(ctx); cerr != nil {
			return cerr
		}
		return fmt.Errorf("tcp output %q: writing to %s: %w: %w", o.name, o.cfg.Address, pipeline.ErrRetry, err)
	}
	o.written.Add(int64(n))
	before := o.sent
	o.sent += int64(n)
	if r := o.cfg.ReconnectAfter; r > 0 && o.sent/r != before/r {
		o.disconnect()
	}
	return nil
}

// Close closes the connection. It must not be called concurrently with
// Write or Connect.
func (o *Output) Close() error {
	if o.ack != nil {
		o.closeAck()
		return nil
	}
	o.disconnect()
	return nil
}

// Report adds the records written to the connection to the plugin's
// report. (Heka's TcpOutput reported them as ProcessMessageCount, which
// the engine reports for every output: calls of Write.)
func (o *Output) Report() []pipeline.ReportField {
	f := []pipeline.ReportField{
		{Name: "SentCount", Value: o.written.Load(), Representation: "count"},
	}
	if a := o.ack; a != nil {
		a.mu.Lock()
		n := a.live()
		a.mu.Unlock()
		f = append(f,
			pipeline.ReportField{Name: "UnackedCount", Value: int64(n), Representation: "count"},
			pipeline.ReportField{Name: "AckFrameCount", Value: a.acks.Load(), Representation: "count"},
			pipeline.ReportField{Name: "ResentCount", Value: a.resent.Load(), Representation: "count"},
			pipeline.ReportField{Name: "UnackedConnectionCount", Value: a.legacies.Load(), Representation: "count"},
		)
	}
	return f
}

var (
	_ pipeline.Output                = (*Output)(nil)
	_ pipeline.DelayedAcker          = ackOutput{}
	_ pipeline.Connector             = (*Output)(nil)
	_ pipeline.BatchWriter           = (*Output)(nil)
	_ pipeline.Reporter              = (*Output)(nil)
	_ io.Closer                      = (*Output)(nil)
	_ pipeline.Validator             = (*OutputConfig)(nil)
	_ pipeline.OutputCommonDefaulter = (*OutputConfig)(nil)
	_ pipeline.FramingDefaulter      = (*OutputConfig)(nil)
)
