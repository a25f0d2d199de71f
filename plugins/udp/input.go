package udp

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hekad-go/hekad/internal/listenaddr"
	"github.com/hekad-go/hekad/internal/udpbatch"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed UdpInput.toml
var inputSample string

func init() {
	pipeline.RegisterInput("UdpInput", defaultInputConfig, newInput, pipeline.WithSample(inputSample))
}

// InputConfig is the configuration of UdpInput.
type InputConfig struct {
	// Address is where to listen: "host:port" for the udp networks, a
	// socket path (or "@name" for an abstract socket) for unixgram, or
	// "fd:N" for a datagram socket hekad inherited as descriptor N.
	Address string `toml:"address"`
	// Net is the network: "udp", "udp4", "udp6" or "unixgram".
	Net string `toml:"net"`
	// SetHostname sets the Hostname of text-mode messages to the sender's
	// IP address (udp networks only).
	SetHostname bool `toml:"set_hostname"`
	// ReadBufferSize is the socket receive buffer hekad asks the kernel for,
	// in bytes (a hekad extension: bursts beyond it are lost by the kernel;
	// Linux caps the request at net.core.rmem_max). 0 keeps the system's.
	ReadBufferSize int `toml:"read_buffer_size"`
}

func defaultInputConfig() InputConfig {
	return InputConfig{Net: "udp", ReadBufferSize: 8 << 20}
}

// DefaultInputCommon makes NullSplitter the default splitter (one record
// per datagram), as in Heka.
func (*InputConfig) DefaultInputCommon(c *pipeline.InputCommon) {
	c.Splitter = "NullSplitter"
}

// Validate checks the options; errors name the key.
func (c *InputConfig) Validate() error {
	switch c.Net {
	case "udp", "udp4", "udp6", "unixgram":
	default:
		return fmt.Errorf("net: %q is not one of udp, udp4, udp6, unixgram", c.Net)
	}
	if c.Address == "" {
		return errors.New("address: required")
	}
	if fd, ok := strings.CutPrefix(c.Address, "fd:"); ok {
		if _, err := strconv.ParseUint(fd, 0, 31); err != nil {
			return fmt.Errorf("address: %q: not a file descriptor number", c.Address)
		}
		if c.SetHostname {
			return errors.New("set_hostname: not possible with an inherited descriptor")
		}
	} else if c.Net != "unixgram" {
		if _, _, err := net.SplitHostPort(c.Address); err != nil {
			return fmt.Errorf("address: %w", err)
		}
	}
	if c.Net == "unixgram" && c.SetHostname {
		return errors.New("set_hostname: unix datagrams have no sender address")
	}
	if c.ReadBufferSize < 0 {
		return fmt.Errorf("read_buffer_size: must not be negative, got %d", c.ReadBufferSize)
	}
	return nil
}

// Input is a UdpInput.
type Input struct {
	name      string
	cfg       InputConfig
	log       *slog.Logger
	ready     chan struct{}
	readyOnce sync.Once
	addr      atomic.Pointer[net.Addr]
	datagrams atomic.Int64
	bytes     atomic.Int64
}

func newInput(cfg InputConfig, env *pipeline.Env) (pipeline.Input, error) {
	return &Input{name: env.Name(), cfg: cfg, log: env.Logger(), ready: make(chan struct{})}, nil
}

// Ready is closed once the input listens.
func (in *Input) Ready() <-chan struct{} { return in.ready }

// Addr is the address the input listens on, once Ready.
func (in *Input) Addr() net.Addr {
	if a := in.addr.Load(); a != nil {
		return *a
	}
	return nil
}

// listen opens the configured datagram socket.
func (in *Input) listen(ctx context.Context) (net.PacketConn, error) {
	if fd, ok := strings.CutPrefix(in.cfg.Address, "fd:"); ok {
		n, _ := strconv.ParseUint(fd, 0, 31)
		f := os.NewFile(uintptr(n), "udp-fd-"+fd)
		defer f.Close()
		return net.FilePacketConn(f)
	}
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(ctx, in.cfg.Net, in.cfg.Address)
	if err != nil {
		return nil, err
	}
	if in.cfg.Net == "unixgram" && !strings.HasPrefix(in.cfg.Address, "@") {
		// Any local user may send, as with Heka.
		if err := os.Chmod(in.cfg.Address, 0o666); err != nil {
			pc.Close()
			return nil, err
		}
	}
	return pc, nil
}

// Run reads datagrams until ctx is done. Every datagram is split on its
// own: a record never spans two datagrams.
func (in *Input) Run(ctx context.Context, host pipeline.InputHost) error {
	pc, err := in.listen(ctx)
	if err != nil {
		return fmt.Errorf("udp input %q: listen: %w", in.name, err)
	}
	if in.cfg.Net == "unixgram" && !strings.HasPrefix(in.cfg.Address, "@") && !strings.HasPrefix(in.cfg.Address, "fd:") {
		defer os.Remove(in.cfg.Address)
	}
	defer pc.Close()
	if in.cfg.ReadBufferSize > 0 {
		if rb, ok := pc.(interface{ SetReadBuffer(int) error }); ok {
			if err := rb.SetReadBuffer(in.cfg.ReadBufferSize); err != nil {
				in.log.Warn("could not set the socket receive buffer", "err", err, "read_buffer_size", in.cfg.ReadBufferSize)
			}
		}
	}
	a := pc.LocalAddr()
	in.addr.Store(&a)
	in.log.Info("listening", "address", listenaddr.String(in.cfg.Address, a), "net", in.cfg.Net)
	in.readyOnce.Do(func() { close(in.ready) })
	stop := context.AfterFunc(ctx, func() { pc.Close() })
	defer stop()

	r := newDatagramReader(in, pc)
	src := pipeline.Source{Name: a.String(), Type: in.name, Datagrams: true}
	if in.cfg.SetHostname {
		src.Peer = r.peer
	}
	err = host.Stream(ctx, r, src)
	if ctx.Err() != nil {
		return nil
	}
	return fmt.Errorf("udp input %q: read: %w: %w", in.name, pipeline.ErrRetry, err)
}

// datagramReader returns one datagram per Read and remembers its sender.
// On a UDP socket it receives up to readBatch datagrams per system call
// (recvmmsg) and returns them one by one; unixgram and inherited sockets
// that are not UDP are read with ReadFrom.
type datagramReader struct {
	in     *Input
	pc     net.PacketConn
	batch  *batch // nil: ReadFrom
	sender net.Addr
}

func newDatagramReader(in *Input, pc net.PacketConn) *datagramReader {
	r := &datagramReader{in: in, pc: pc}
	if br := udpbatch.New(pc); br != nil {
		r.batch = &batch{r: br}
	}
	return r
}

func (r *datagramReader) Read(p []byte) (int, error) {
	for {
		var n int
		var addr net.Addr
		var err error
		if r.batch != nil {
			n, addr, err = r.batch.read(p)
		} else {
			n, addr, err = r.pc.ReadFrom(p)
		}
		if err != nil {
			return n, err
		}
		if n == 0 {
			continue // an empty datagram holds no record
		}
		r.in.datagrams.Add(1)
		r.in.bytes.Add(int64(n))
		r.sender = addr
		return n, nil
	}
}

// Buffered is the number of datagrams received and not yet returned by
// Read (pipeline.BufferedReader): the engine hands the records of a
// received batch on together.
func (r *datagramReader) Buffered() int {
	if r.batch == nil {
		return 0
	}
	return r.batch.buffered()
}

var _ pipeline.BufferedReader = (*datagramReader)(nil)

// peer is the sender's IP address of the datagram Read returned last
// ("" for unix datagrams).
func (r *datagramReader) peer() string {
	if ua, ok := r.sender.(*net.UDPAddr); ok {
		return ua.IP.String()
	}
	return ""
}

// Report adds the datagrams and bytes received to the input's figures.
func (in *Input) Report() []pipeline.ReportField {
	return []pipeline.ReportField{
		{Name: "DatagramCount", Value: in.datagrams.Load(), Representation: "count"},
		{Name: "ReceivedBytes", Value: in.bytes.Load(), Representation: "B"},
	}
}

// Listens returns the network and address the input binds, so that the
// configuration loader rejects two inputs on one address
// (pipeline.Listening).
func (c InputConfig) Listens() (network, address string) { return c.Net, c.Address }

var (
	_ pipeline.Input     = (*Input)(nil)
	_ pipeline.Reporter  = (*Input)(nil)
	_ pipeline.Readier   = (*Input)(nil)
	_ pipeline.Listening = InputConfig{}
)
