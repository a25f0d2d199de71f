package carbon

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/internal/graphite"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed CarbonOutput.toml
var sample string

func init() {
	pipeline.RegisterOutput("CarbonOutput", defaultConfig, newOutput, pipeline.WithSample(sample))
}

// Config is the configuration of CarbonOutput.
type Config struct {
	// Address is the carbon daemon's "host:port" (its plaintext
	// receiver).
	Address string `toml:"address"`
	// Protocol is "tcp" or "udp".
	Protocol string `toml:"protocol"`
	// TCPKeepAlive keeps one TCP connection open for all messages (and
	// turns TCP keep-alive probes on for it); otherwise each message is
	// sent on a connection of its own, as Heka did.
	TCPKeepAlive bool `toml:"tcp_keep_alive"`
	// TCPKeepAlivePeriod is the idle time, in seconds, before keep-alive
	// probes start on a kept connection (a hekad extension).
	TCPKeepAlivePeriod pipeline.Seconds `toml:"tcp_keep_alive_period"`
}

func defaultConfig() Config {
	return Config{Address: "localhost:2003", Protocol: "tcp", TCPKeepAlivePeriod: 7200}
}

// Validate checks the options; errors name the key.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		return fmt.Errorf("address: %w", err)
	}
	switch c.Protocol {
	case "tcp", "udp":
	default:
		return fmt.Errorf("protocol: %q is not \"tcp\" or \"udp\"", c.Protocol)
	}
	if c.TCPKeepAlive && c.TCPKeepAlivePeriod == 0 {
		return errors.New("tcp_keep_alive_period: must be at least 1 second")
	}
	return nil
}

// maxDatagram bounds a UDP datagram of lines (Heka's 62 KiB).
const maxDatagram = 62 << 10

// Output is CarbonOutput. It writes the well-formed Graphite lines of each
// message's payload in one write (UDP: as few datagrams of whole lines as
// fit); a malformed line is counted, logged and left out. A write that
// fails asks the engine to reconnect and write the message again
// (pipeline.ErrRetry).
type Output struct {
	cfg  Config
	name string
	log  *slog.Logger

	buf  []byte
	conn net.Conn // UDP, or TCP with tcp_keep_alive
	gone *atomic.Bool
	done chan struct{}

	lines, bad, tooLong, writes atomic.Int64
	badMu                       sync.Mutex
	lastBad                     time.Time
}

func newOutput(cfg Config, env *pipeline.Env) (pipeline.Output, error) {
	return &Output{cfg: cfg, name: env.Name(), log: env.Logger()}, nil
}

// Connect opens the kept connection (UDP, or TCP with tcp_keep_alive);
// without tcp_keep_alive each Write connects. A failure wraps
// pipeline.ErrRetry.
func (o *Output) Connect(ctx context.Context) error {
	if o.conn != nil || (o.cfg.Protocol == "tcp" && !o.cfg.TCPKeepAlive) {
		return nil
	}
	c, err := o.dial(ctx)
	if err != nil {
		return err
	}
	o.conn = c
	if o.cfg.Protocol == "tcp" {
		o.gone, o.done = new(atomic.Bool), make(chan struct{})
		go watch(c, o.gone, o.done)
	}
	return nil
}

// watch reads (and discards) what the peer sends until the connection
// ends, so that a connection carbon closed is not written to again.
func watch(c net.Conn, gone *atomic.Bool, done chan struct{}) {
	defer close(done)
	var buf [512]byte
	for {
		if _, err := c.Read(buf[:]); err != nil {
			gone.Store(true)
			return
		}
	}
}

func (o *Output) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{KeepAlive: -1}
	if o.cfg.TCPKeepAlive {
		p := o.cfg.TCPKeepAlivePeriod.Duration()
		d.KeepAlive = p
		d.KeepAliveConfig = net.KeepAliveConfig{Enable: true, Idle: p, Interval: p, Count: -1}
	}
	c, err := d.DialContext(ctx, o.cfg.Protocol, o.cfg.Address)
	if err != nil {
		if cerr := context.Cause(ctx); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("carbon output %q: %w: %w", o.name, pipeline.ErrRetry, err)
	}
	return c, nil
}

// disconnect closes the kept connection.
func (o *Output) disconnect() {
	if o.conn == nil {
		return
	}
	o.conn.Close()
	if o.done != nil {
		<-o.done
		o.done = nil
	}
	o.conn = nil
}

// Write sends the Graphite lines of the message's payload.
func (o *Output) Write(ctx context.Context, r pipeline.Record) error {
	o.buf = o.appendLines(o.buf[:0], r.Message().GetPayload())
	if len(o.buf) == 0 {
		return nil
	}
	if o.cfg.Protocol == "udp" {
		return o.sendUDP(ctx, o.buf)
	}
	return o.sendTCP(ctx, o.buf)
}

// appendLines appends the well-formed lines of payload to dst, each with
// its newline.
func (o *Output) appendLines(dst []byte, payload string) []byte {
	for len(payload) > 0 {
		line := payload
		if i := strings.IndexByte(payload, '\n'); i >= 0 {
			line, payload = payload[:i], payload[i+1:]
		} else {
			payload = ""
		}
		if trimmed := strings.Trim(line, " \t\r"); trimmed == "" {
			continue
		} else {
			line = trimmed
		}
		if _, _, _, err := graphite.ParseLine([]byte(line)); err != nil {
			o.malformed(line, err)
			continue
		}
		dst = append(append(dst, line...), '\n')
		o.lines.Add(1)
	}
	return dst
}

// malformed counts a line left out and logs it, at most once a second.
func (o *Output) malformed(line string, err error) {
	o.bad.Add(1)
	o.badMu.Lock()
	defer o.badMu.Unlock()
	if now := time.Now(); now.Sub(o.lastBad) >= time.Second {
		o.lastBad = now
		o.log.Warn("malformed statmetric line left out", "line", line, "err", err)
	}
}

// deadline makes a write on c return when ctx is done.
func deadline(ctx context.Context, c net.Conn) (stop func() bool) {
	return context.AfterFunc(ctx, func() { c.SetWriteDeadline(time.Unix(1, 0)) })
}

func (o *Output) sendTCP(ctx context.Context, data []byte) error {
	if !o.cfg.TCPKeepAlive {
		c, err := o.dial(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		defer deadline(ctx, c)()
		if _, err := c.Write(data); err != nil {
			return o.writeFailed(ctx, err)
		}
		o.writes.Add(1)
		return nil
	}
	if err := o.Connect(ctx); err != nil {
		return err
	}
	if o.gone.Load() {
		o.disconnect()
		return fmt.Errorf("carbon output %q: %w: connection to %s closed by the peer", o.name, pipeline.ErrRetry, o.cfg.Address)
	}
	defer deadline(ctx, o.conn)()
	if _, err := o.conn.Write(data); err != nil {
		o.disconnect()
		return o.writeFailed(ctx, err)
	}
	o.writes.Add(1)
	return nil
}

func (o *Output) writeFailed(ctx context.Context, err error) error {
	if cerr := context.Cause(ctx); cerr != nil {
		return cerr
	}
	return fmt.Errorf("carbon output %q: writing to %s: %w: %w", o.name, o.cfg.Address, pipeline.ErrRetry, err)
}

// sendUDP sends data in datagrams of whole lines of at most maxDatagram
// bytes; a line longer than that alone is counted and left out.
func (o *Output) sendUDP(ctx context.Context, data []byte) error {
	if err := o.Connect(ctx); err != nil {
		return err
	}
	for len(data) > 0 {
		n := len(data)
		if n > maxDatagram {
			n = bytes.LastIndexByte(data[:maxDatagram], '\n') + 1
			if n == 0 {
				end := bytes.IndexByte(data, '\n') + 1
				o.tooLong.Add(1)
				data = data[end:]
				continue
			}
		}
		if _, err := o.conn.Write(data[:n]); err != nil {
			o.disconnect()
			return o.writeFailed(ctx, err)
		}
		o.writes.Add(1)
		data = data[n:]
	}
	return nil
}

// Close closes the kept connection.
func (o *Output) Close() error {
	o.disconnect()
	return nil
}

// Report adds the lines sent, the malformed ones left out, and the
// writes (datagrams) made.
func (o *Output) Report() []pipeline.ReportField {
	return []pipeline.ReportField{
		{Name: "LineCount", Value: o.lines.Load(), Representation: "count"},
		{Name: "MalformedCount", Value: o.bad.Load(), Representation: "count"},
		{Name: "TooLongCount", Value: o.tooLong.Load(), Representation: "count"},
		{Name: "WriteCount", Value: o.writes.Load(), Representation: "count"},
	}
}

var (
	_ pipeline.Output    = (*Output)(nil)
	_ pipeline.Connector = (*Output)(nil)
	_ pipeline.Reporter  = (*Output)(nil)
)
