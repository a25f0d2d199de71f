package statsd

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/internal/listenaddr"
	"github.com/hekad-go/hekad/internal/udpbatch"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed StatsdInput.toml
var inputSample string

func init() {
	pipeline.RegisterInput("StatsdInput", defaultInputConfig, newInput, pipeline.WithSample(inputSample))
}

// InputConfig is the configuration of StatsdInput.
type InputConfig struct {
	// Address is the UDP "host:port" to listen on.
	Address string `toml:"address"`
	// StatAccumName names the StatAccumInput section that aggregates the
	// stats.
	StatAccumName string `toml:"stat_accum_name"`
	// MaxMsgSize is accepted for Heka configurations and otherwise
	// unused: hekad reads every datagram whole (up to 64 KiB), where Heka
	// cut those longer than max_msg_size bytes.
	MaxMsgSize uint `toml:"max_msg_size"`
	// ReadBufferSize is the socket receive buffer hekad asks the kernel
	// for, in bytes (a hekad extension: a burst beyond it is lost by the
	// kernel; Linux caps the request at net.core.rmem_max). 0 keeps the
	// system's.
	ReadBufferSize int `toml:"read_buffer_size"`
}

func defaultInputConfig() InputConfig {
	return InputConfig{
		Address:        "127.0.0.1:8125",
		StatAccumName:  "StatAccumInput",
		MaxMsgSize:     512,
		ReadBufferSize: 8 << 20,
	}
}

// SectionRefs says that stat_accum_name names a StatAccumInput section:
// the loader checks it (pipeline.SectionReferrer).
func (c *InputConfig) SectionRefs() []pipeline.SectionRef {
	return []pipeline.SectionRef{{Key: "stat_accum_name", Name: c.StatAccumName, Type: "StatAccumInput"}}
}

// Validate checks the options; errors name the key.
func (c *InputConfig) Validate() error {
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		return fmt.Errorf("address: %w", err)
	}
	if c.StatAccumName == "" {
		return errors.New("stat_accum_name: must not be empty")
	}
	if c.MaxMsgSize == 0 {
		return errors.New("max_msg_size: must be at least 1")
	}
	if c.ReadBufferSize < 0 {
		return fmt.Errorf("read_buffer_size: must not be negative, got %d", c.ReadBufferSize)
	}
	return nil
}

// Listens returns the network and address the input binds, so that the
// configuration loader rejects two inputs on one address.
func (c InputConfig) Listens() (network, address string) { return "udp", c.Address }

// Input is StatsdInput: it reads statsd datagrams and adds their stats to
// the accumulator of the StatAccumInput it names. It delivers no message
// itself.
type Input struct {
	cfg    InputConfig
	name   string
	log    *slog.Logger
	engine *pipeline.Shared // where the accumulator is found (Env.Shared)

	ready     chan struct{}
	readyOnce sync.Once
	addr      atomic.Pointer[net.Addr]

	datagrams atomic.Int64
	stats     atomic.Int64
	bad       atomic.Int64
	badLog    limiter
}

func newInput(cfg InputConfig, env *pipeline.Env) (pipeline.Input, error) {
	return &Input{
		cfg:    cfg,
		name:   env.Name(),
		log:    env.Logger(),
		engine: env.Shared(),
		ready:  make(chan struct{}),
		badLog: limiter{every: 10 * time.Second},
	}, nil
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

// Run reads datagrams until ctx is done.
func (in *Input) Run(ctx context.Context, host pipeline.InputHost) error {
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(ctx, "udp", in.cfg.Address)
	if err != nil {
		return fmt.Errorf("statsd input %q: listen: %w", in.name, err)
	}
	defer pc.Close()
	uc := pc.(*net.UDPConn)
	if in.cfg.ReadBufferSize > 0 {
		if err := uc.SetReadBuffer(in.cfg.ReadBufferSize); err != nil {
			in.log.Warn("could not set the socket receive buffer", "err", err, "read_buffer_size", in.cfg.ReadBufferSize)
		}
	}
	h := acquire(in.engine, in.cfg.StatAccumName)
	defer h.release()
	a := uc.LocalAddr()
	in.addr.Store(&a)
	in.log.Info("listening", "address", listenaddr.String(in.cfg.Address, a))
	in.readyOnce.Do(func() { close(in.ready) })
	// What comes meanwhile waits in the socket buffer.
	if err := h.waitFlusher(ctx, accumulatorWait); err != nil {
		return fmt.Errorf("statsd input %q: %w", in.name, err)
	}
	acc := h.acc
	stop := context.AfterFunc(ctx, func() { pc.Close() })
	defer stop()

	r := udpbatch.New(uc)
	var stats []Stat
	var bad []LineError
	for {
		n, err := r.Read()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("statsd input %q: read: %w: %w", in.name, pipeline.ErrRetry, err)
		}
		stats, bad = stats[:0], bad[:0]
		for i := range n {
			stats, bad = ParseDatagram(r.Datagram(i), stats, bad)
		}
		if !h.flushed() {
			// The StatAccumInput stopped: wait for it to run again (a
			// restart), or fail rather than accumulate what nobody
			// flushes.
			if err := h.waitFlusher(ctx, accumulatorWait); err != nil {
				return fmt.Errorf("statsd input %q: %w", in.name, err)
			}
		}
		acc.Add(stats...)
		in.datagrams.Add(int64(n))
		in.stats.Add(int64(len(stats)))
		if len(bad) > 0 {
			in.malformed(bad)
		}
	}
}

// malformed counts bad lines and logs them, at most one line every ten
// seconds with the number of those not logged.
func (in *Input) malformed(bad []LineError) {
	in.bad.Add(int64(len(bad)))
	if skipped, ok := in.badLog.allow(time.Now(), len(bad)); ok {
		in.log.Warn("malformed statsd line", "line", string(bad[0].Line), "err", bad[0].Err, "not_logged", skipped)
	}
}

// Report adds the datagrams, stats and malformed lines received.
func (in *Input) Report() []pipeline.ReportField {
	return []pipeline.ReportField{
		{Name: "DatagramCount", Value: in.datagrams.Load(), Representation: "count"},
		{Name: "StatCount", Value: in.stats.Load(), Representation: "count"},
		{Name: "MalformedCount", Value: in.bad.Load(), Representation: "count"},
	}
}

var (
	_ pipeline.Input     = (*Input)(nil)
	_ pipeline.Readier   = (*Input)(nil)
	_ pipeline.Reporter  = (*Input)(nil)
	_ pipeline.Listening = InputConfig{}
)
