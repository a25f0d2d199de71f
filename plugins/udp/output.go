package udp

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"sync/atomic"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed UdpOutput.toml
var outputSample string

func init() {
	pipeline.RegisterOutput("UdpOutput", defaultOutputConfig, newOutput, pipeline.WithSample(outputSample))
}

// maxUDPPayload is the largest UDP payload over IPv4 (Heka's default
// max_message_size).
const maxUDPPayload = 65507

// OutputConfig is the configuration of UdpOutput.
type OutputConfig struct {
	// Net is the network: "udp", "udp4", "udp6" or "unixgram".
	Net string `toml:"net"`
	// Address is where to send: "host:port", or a socket path for
	// unixgram.
	Address string `toml:"address"`
	// LocalAddress, when set, is the local address to send from.
	LocalAddress string `toml:"local_address"`
	// MaxMessageSize is the largest record sent; a larger one is dropped
	// (counted and logged).
	MaxMessageSize int `toml:"max_message_size"`
	// Encoder is the common encoder option, required by UdpOutput (as in
	// Heka): it sends what the encoder makes.
	Encoder string `toml:"encoder"`
}

func defaultOutputConfig() OutputConfig {
	return OutputConfig{Net: "udp", MaxMessageSize: maxUDPPayload}
}

// Validate checks the options; errors name the key.
func (c *OutputConfig) Validate() error {
	switch c.Net {
	case "udp", "udp4", "udp6":
		if _, _, err := net.SplitHostPort(c.Address); err != nil {
			return fmt.Errorf("address: %w", err)
		}
		if c.LocalAddress != "" {
			if _, _, err := net.SplitHostPort(c.LocalAddress); err != nil {
				return fmt.Errorf("local_address: %w", err)
			}
		}
	case "unixgram":
		if c.Address == "" {
			return errors.New("address: required")
		}
	default:
		return fmt.Errorf("net: %q is not one of udp, udp4, udp6, unixgram", c.Net)
	}
	if c.MaxMessageSize <= 0 {
		return fmt.Errorf("max_message_size: must be positive, got %d", c.MaxMessageSize)
	}
	if c.Encoder == "" {
		return errors.New("encoder: required: UdpOutput sends what its encoder makes")
	}
	return nil
}

// Output is a UdpOutput: every encoded record is one datagram. UDP gives
// no delivery guarantee: a record counts as delivered once the kernel took
// the datagram.
type Output struct {
	name    string
	cfg     OutputConfig
	conn    net.Conn
	sent    atomic.Int64
	tooLong atomic.Int64
}

func newOutput(cfg OutputConfig, env *pipeline.Env) (pipeline.Output, error) {
	return &Output{name: env.Name(), cfg: cfg}, nil
}

// Connect opens the socket (no packet is sent: a datagram socket only
// fixes its peer).
func (o *Output) Connect(ctx context.Context) error {
	if o.conn != nil {
		return nil
	}
	d := net.Dialer{}
	if o.cfg.LocalAddress != "" {
		var err error
		switch o.cfg.Net {
		case "unixgram":
			d.LocalAddr, err = net.ResolveUnixAddr("unixgram", o.cfg.LocalAddress)
		default:
			d.LocalAddr, err = net.ResolveUDPAddr(o.cfg.Net, o.cfg.LocalAddress)
		}
		if err != nil {
			return fmt.Errorf("udp output %q: local_address: %w", o.name, err)
		}
	}
	c, err := d.DialContext(ctx, o.cfg.Net, o.cfg.Address)
	if err != nil {
		// A missing unix socket or an unresolvable name may come later.
		return fmt.Errorf("udp output %q: %w: %w", o.name, pipeline.ErrRetry, err)
	}
	o.conn = c
	return nil
}

// Write sends the record's encoded bytes as one datagram.
func (o *Output) Write(ctx context.Context, r pipeline.Record) error {
	if len(r.Data) == 0 {
		return nil
	}
	if len(r.Data) > o.cfg.MaxMessageSize {
		o.tooLong.Add(1)
		return pipeline.Drop(fmt.Errorf("record of %d bytes exceeds max_message_size %d", len(r.Data), o.cfg.MaxMessageSize))
	}
	if err := o.Connect(ctx); err != nil {
		return err
	}
	if _, err := o.conn.Write(r.Data); err != nil {
		// ECONNREFUSED from an earlier datagram's ICMP, a full socket
		// buffer, a unix socket with no reader: try again on a new socket.
		o.conn.Close()
		o.conn = nil
		return fmt.Errorf("udp output %q: send: %w: %w", o.name, pipeline.ErrRetry, err)
	}
	o.sent.Add(1)
	return nil
}

// Close closes the socket.
func (o *Output) Close() error {
	if o.conn == nil {
		return nil
	}
	err := o.conn.Close()
	o.conn = nil
	return err
}

// Report adds the datagrams sent and the records too long to send.
func (o *Output) Report() []pipeline.ReportField {
	return []pipeline.ReportField{
		{Name: "SentCount", Value: o.sent.Load(), Representation: "count"},
		{Name: "TooLongCount", Value: o.tooLong.Load(), Representation: "count"},
	}
}

var (
	_ pipeline.Output    = (*Output)(nil)
	_ pipeline.Connector = (*Output)(nil)
	_ pipeline.Reporter  = (*Output)(nil)
)
