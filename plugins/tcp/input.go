package tcp

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hekad-go/hekad/internal/listenaddr"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed TcpInput.toml
var inputSample string

func init() {
	pipeline.RegisterInput("TcpInput", defaultInputConfig, newInput, pipeline.WithSample(inputSample))
}

// InputConfig is the configuration of TcpInput.
type InputConfig struct {
	// Address is where to listen: "host:port" for the tcp networks (":5565"
	// listens on every interface; port 0 picks a free port), a socket path
	// for unix.
	Address string `toml:"address"`
	// Net is the network to listen on: "tcp", "tcp4", "tcp6" or "unix".
	Net string `toml:"net"`
	// KeepAlive turns TCP keep-alive probes on for accepted connections
	// (tcp networks only).
	KeepAlive bool `toml:"keep_alive"`
	// KeepAlivePeriod is the idle time, in seconds, before keep-alive
	// probes start, and the time between probes.
	KeepAlivePeriod pipeline.Seconds `toml:"keep_alive_period"`
	// UseTLS would wrap connections in TLS. Not supported yet: only false
	// is accepted.
	UseTLS bool `toml:"use_tls"`
	// TLS is Heka's tls table, accepted and unused while use_tls is false.
	TLS TLSConfig `toml:"tls"`
	// Ack answers a sender that opens its connection with the hello of
	// acknowledged shipping (a hekad TcpOutput with ack = true) and then
	// acknowledges its records once this hekad made them durable. Nothing
	// is ever written to a connection that did not say hello.
	Ack bool `toml:"ack"`
	// MaxConnections is the most connections served at once; a connection
	// beyond it is accepted and closed at once (counted in
	// RejectedConnections). 0 is no limit. A hekad extension.
	MaxConnections int `toml:"max_connections"`
	// IdleTimeout closes a connection that sent nothing for that many
	// seconds, as if the peer had closed it. 0 never does. A hekad
	// extension.
	IdleTimeout pipeline.Seconds `toml:"idle_timeout"`
}

func defaultInputConfig() InputConfig {
	return InputConfig{
		Net:             "tcp",
		KeepAlivePeriod: 7200,
		TLS:             defaultTLSConfig(),
	}
}

// DefaultInputCommon makes Heka framing and protobuf the defaults of a
// TcpInput section's splitter and decoder.
func (*InputConfig) DefaultInputCommon(c *pipeline.InputCommon) {
	c.Splitter = "HekaFramingSplitter"
	c.Decoder = "ProtobufDecoder"
}

// Validate checks the options; errors name the key.
func (c *InputConfig) Validate() error {
	if c.UseTLS {
		return errNoTLS
	}
	if err := checkNet(c.Net); err != nil {
		return err
	}
	if c.Address == "" {
		return errors.New("address: required")
	}
	if c.Net != "unix" {
		if _, _, err := net.SplitHostPort(c.Address); err != nil {
			return fmt.Errorf("address: %w", err)
		}
	} else if c.KeepAlive {
		return errors.New("keep_alive: only supported for the tcp networks, not unix")
	}
	if c.MaxConnections < 0 {
		return fmt.Errorf("max_connections: must be 0 (no limit) or more, got %d", c.MaxConnections)
	}
	if c.KeepAlive && c.KeepAlivePeriod == 0 {
		return errors.New("keep_alive_period: must be at least 1 second")
	}
	return nil
}

func checkNet(n string) error {
	switch n {
	case "tcp", "tcp4", "tcp6", "unix":
		return nil
	}
	return fmt.Errorf("net: must be \"tcp\", \"tcp4\", \"tcp6\" or \"unix\", got %q", n)
}

// keepAlive returns the keep-alive settings of a listener or dialer: off,
// or on with the configured period (the probe count is left to the OS).
func keepAlive(on bool, period pipeline.Seconds) (time.Duration, net.KeepAliveConfig) {
	if !on {
		return -1, net.KeepAliveConfig{}
	}
	d := period.Duration()
	return d, net.KeepAliveConfig{Enable: true, Idle: d, Interval: d, Count: -1}
}

// Input is TcpInput: it accepts connections and streams each one, in its
// own goroutine, through the input's splitter and decoder.
type Input struct {
	cfg  InputConfig
	name string
	log  *slog.Logger

	ready     chan struct{}
	readyOnce sync.Once
	addr      atomic.Pointer[net.Addr]
	accepted  atomic.Int64
	open      atomic.Int64
	acking    atomic.Int64 // connections that said hello (ack = true)
	ackFrames atomic.Int64 // ack frames written
	rejected  atomic.Int64 // connections closed at once: max_connections
	idled     atomic.Int64 // connections closed by idle_timeout

	rejectLog atomic.Int64 // when (unix ns) a rejection was last logged
	reclaim   reclaimer
	linger    lingering // acknowledging connections kept open at shutdown
}

func newInput(cfg InputConfig, env *pipeline.Env) (pipeline.Input, error) {
	return &Input{cfg: cfg, name: env.Name(), log: env.Logger(), ready: make(chan struct{})}, nil
}

// Drained sends the last acknowledgements of the connections kept open at
// shutdown, for the records the drain settled, and closes them
// (pipeline.Drainer).
func (in *Input) Drained() { in.linger.drain() }

// Ready returns a channel closed once the input first listens.
func (in *Input) Ready() <-chan struct{} { return in.ready }

// Addr returns the address the input listens on (nil before it listens).
// With port 0 in the configured address it tells which port was picked.
func (in *Input) Addr() net.Addr {
	if a := in.addr.Load(); a != nil {
		return *a
	}
	return nil
}

// Run listens and serves connections until ctx is done, then closes the
// listener and every connection and returns nil once all have finished.
// Failing to listen ends the input; an accept failure other than running
// out of file descriptors asks for a restart (pipeline.ErrRetry).
func (in *Input) Run(ctx context.Context, host pipeline.InputHost) error {
	period, kac := keepAlive(in.cfg.KeepAlive, in.cfg.KeepAlivePeriod)
	lc := net.ListenConfig{KeepAlive: period, KeepAliveConfig: kac}
	ln, err := lc.Listen(ctx, in.cfg.Net, in.cfg.Address)
	if err != nil {
		return fmt.Errorf("tcp input %q: listen: %w", in.name, err)
	}
	a := ln.Addr()
	in.addr.Store(&a)
	in.log.Info("listening", "address", listenaddr.String(in.cfg.Address, a), "net", in.cfg.Net)
	in.readyOnce.Do(func() { close(in.ready) })

	// Connections live in cctx: they are closed when ctx is done and when
	// Run returns for any other reason; Run waits for them.
	var wg sync.WaitGroup
	defer wg.Wait()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(cctx, func() { ln.Close() })
	defer stop()
	defer ln.Close()

	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if cctx.Err() != nil {
				return nil
			}
			if !temporary(err) {
				return fmt.Errorf("tcp input %q: accept on %s: %w: %w", in.name, a, pipeline.ErrRetry, err)
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			in.log.Warn("accept failed, waiting", "err", err, "wait", backoff)
			if !sleep(cctx, backoff) {
				return nil
			}
			continue
		}
		backoff = 0
		in.accepted.Add(1)
		if max := in.cfg.MaxConnections; max > 0 && in.open.Load() >= int64(max) {
			conn.Close()
			in.reject(conn.RemoteAddr())
			continue
		}
		in.open.Add(1)
		wg.Go(func() { in.serve(cctx, ctx, host, conn) })
	}
}

// temporary reports whether an accept error may go away by itself.
func temporary(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.ENOBUFS) ||
		errors.Is(err, syscall.ENOMEM)
}

// sleep waits for d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// rejectLogEvery is the least time between two log lines about
// connections refused by max_connections.
const rejectLogEvery = 10 * time.Second

// reject counts a connection closed because max_connections were open,
// and logs it at most once per rejectLogEvery.
func (in *Input) reject(remote net.Addr) {
	n := in.rejected.Add(1)
	now := time.Now().UnixNano()
	last := in.rejectLog.Load()
	if now-last >= int64(rejectLogEvery) && in.rejectLog.CompareAndSwap(last, now) {
		in.log.Warn("max_connections reached, connection closed", "remote", remote.String(),
			"max_connections", in.cfg.MaxConnections, "rejected_total", n)
	}
}

// connReader reads a connection for its stream: it counts the bytes read
// and, with idle_timeout, ends the stream (as an EOF) when nothing came for
// that long.
type connReader struct {
	c       net.Conn
	idle    time.Duration
	n       int64
	idled   bool
	stopped atomic.Bool // the read side was stopped (shutdown): reads fail
}

func (r *connReader) Read(p []byte) (int, error) {
	if r.stopped.Load() {
		return 0, net.ErrClosed
	}
	if r.idle > 0 {
		r.c.SetReadDeadline(time.Now().Add(r.idle))
		if r.stopped.Load() { // stopped meanwhile: keep its deadline
			r.c.SetReadDeadline(time.Now())
		}
	}
	n, err := r.c.Read(p)
	r.n += int64(n)
	switch {
	case err == nil:
	case r.stopped.Load():
		// Not an EOF: a record cut short is not delivered as a final one.
		err = net.ErrClosed
	case r.idle > 0 && errors.Is(err, os.ErrDeadlineExceeded):
		r.idled = true
		err = io.EOF
	}
	return n, err
}

// serve streams one connection until it ends or ctx is done. runCtx is
// Run's: once it is done hekad shuts down, and an acknowledging
// connection stays open (no longer read) until Drained, to acknowledge
// what the drain settles.
func (in *Input) serve(ctx, runCtx context.Context, host pipeline.InputHost, conn net.Conn) {
	defer in.open.Add(-1)
	var ack *acker
	defer func() {
		switch {
		case ack == nil:
			conn.Close()
		case runCtx.Err() != nil:
			in.linger.add(ack)
		default:
			ack.stop()
			<-ack.done
			conn.Close()
		}
	}()
	cr := &connReader{c: conn, idle: in.cfg.IdleTimeout.Duration()}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer func() { stop() }()

	remote := conn.RemoteAddr().String()
	src := pipeline.Source{Name: remote, Type: in.name, Hostname: remote}
	defer func() { in.reclaim.closed(cr.n) }()
	var r io.Reader = cr
	if in.cfg.Ack {
		var hello bool
		r, hello, _ = readHello(cr)
		if hello {
			in.acking.Add(1)
			conn.SetWriteDeadline(time.Now().Add(ackWriteTimeout))
			if _, err := io.WriteString(conn, AckHello); err != nil {
				in.log.Warn("connection failed", "remote", remote, "err", err)
				return
			}
			conn.SetWriteDeadline(time.Time{})
			a := startAcker(conn, &in.ackFrames)
			src.Commit = a.commit
			if !stop() {
				// ctx ended meanwhile: its AfterFunc closed conn.
				a.stop()
				<-a.done
				return
			}
			ack = a
			// From now on ctx stops the reading only: the connection
			// stays for the acknowledgements.
			stop = context.AfterFunc(ctx, func() {
				cr.stopped.Store(true)
				conn.SetReadDeadline(time.Now())
			})
		}
	}
	err := host.Stream(ctx, r, src)
	if err != nil && ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
		in.log.Warn("connection failed", "remote", remote, "err", err)
	}
	if cr.idled {
		in.idled.Add(1)
		in.log.Info("idle connection closed", "remote", remote, "idle_timeout", in.cfg.IdleTimeout.Duration())
	}
}

// A reclaimer gives the memory of closed connections back to the OS. A
// connection's read buffer grows to 256 KiB while it has data waiting;
// once the connection closes the buffer is garbage, but the Go runtime
// only collects it at the next collection, which an input gone quiet does
// not cause (the runtime forces one every 2 minutes), and returns it to
// the OS only after that. When the connections that closed had read
// reclaimAfter bytes or more (counting at most 256 KiB each), the
// reclaimer collects and returns free memory, reclaimDelay after the
// closes began (so that a burst of closes costs one collection) and at
// most once per reclaimDelay.
type reclaimer struct {
	mu    sync.Mutex
	bytes int64
	armed bool
}

const (
	reclaimAfter = 64 << 20
	reclaimDelay = time.Second
)

func (rc *reclaimer) closed(n int64) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.bytes += min(n, 256<<10)
	if rc.armed || rc.bytes < reclaimAfter {
		return
	}
	rc.armed = true
	time.AfterFunc(reclaimDelay, func() {
		rc.mu.Lock()
		rc.bytes = 0
		rc.mu.Unlock()
		// Two collections: the first leaves the engine's pooled read
		// buffers in the pool's victim cache, the second frees them.
		runtime.GC()
		debug.FreeOSMemory()
		time.AfterFunc(reclaimDelay, func() {
			rc.mu.Lock()
			rc.armed = false
			rc.mu.Unlock()
		})
	})
}

// Report adds the connection counts to the plugin's report.
func (in *Input) Report() []pipeline.ReportField {
	f := []pipeline.ReportField{
		{Name: "AcceptedConnections", Value: in.accepted.Load(), Representation: "count"},
		{Name: "OpenConnections", Value: in.open.Load(), Representation: "count"},
		{Name: "RejectedConnections", Value: in.rejected.Load(), Representation: "count"},
		{Name: "IdleClosedConnections", Value: in.idled.Load(), Representation: "count"},
	}
	if in.cfg.Ack {
		f = append(f,
			pipeline.ReportField{Name: "AckConnections", Value: in.acking.Load(), Representation: "count"},
			pipeline.ReportField{Name: "AckFrameCount", Value: in.ackFrames.Load(), Representation: "count"},
		)
	}
	return f
}

// Listens returns the network and address the input binds, so that the
// configuration loader rejects two inputs on one address
// (pipeline.Listening).
func (c InputConfig) Listens() (network, address string) { return c.Net, c.Address }

var (
	_ pipeline.Input                = (*Input)(nil)
	_ pipeline.Reporter             = (*Input)(nil)
	_ pipeline.Readier              = (*Input)(nil)
	_ pipeline.Listening            = InputConfig{}
	_ pipeline.Validator            = (*InputConfig)(nil)
	_ pipeline.InputCommonDefaulter = (*InputConfig)(nil)
)
