package statsd

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed StatAccumInput.toml
var accumSample string

func init() {
	pipeline.RegisterInput("StatAccumInput", defaultAccumConfig, newAccumInput, pipeline.WithSample(accumSample))
}

// AccumConfig is the configuration of StatAccumInput.
type AccumConfig struct {
	// EmitInPayload writes the metrics to the payload of the messages, in
	// Graphite's plaintext format: "name value unix-seconds\n" a line.
	EmitInPayload bool `toml:"emit_in_payload"`
	// EmitInFields writes the metrics as message fields (integers as
	// INTEGER, the others as DOUBLE) with a "timestamp" field.
	EmitInFields bool `toml:"emit_in_fields"`
	// PercentThreshold lists the N of the timers' mean_N and upper_N
	// metrics (each at most 100).
	PercentThreshold []int `toml:"percent_threshold"`
	// TickerInterval is the flush interval in seconds; rates are per
	// second over it. It is the common input option, read here too.
	TickerInterval pipeline.Seconds `toml:"ticker_interval"`
	// MessageType is the Type of the messages.
	MessageType string `toml:"message_type"`
	// LegacyNamespaces names counters as statsd did before 0.6: the rate
	// as <global_prefix>.<bucket> and the count as stats_counts.<bucket>,
	// and numStats as <statsd_prefix>.numStats.
	LegacyNamespaces bool `toml:"legacy_namespaces"`
	// GlobalPrefix starts every metric name (but legacy counts and
	// numStats).
	GlobalPrefix string `toml:"global_prefix"`
	// CounterPrefix follows global_prefix in counter names (not with
	// legacy_namespaces).
	CounterPrefix string `toml:"counter_prefix"`
	// TimerPrefix follows global_prefix in timer names.
	TimerPrefix string `toml:"timer_prefix"`
	// GaugePrefix follows global_prefix in gauge names.
	GaugePrefix string `toml:"gauge_prefix"`
	// StatsdPrefix is the namespace of the numStats metric.
	StatsdPrefix string `toml:"statsd_prefix"`
	// DeleteIdleStats forgets every bucket at each flush, so that one with
	// no sample in an interval is not reported (instead of a 0 count, no
	// timing, or a gauge's last value).
	DeleteIdleStats bool `toml:"delete_idle_stats"`
}

func defaultAccumConfig() AccumConfig {
	return AccumConfig{
		EmitInPayload:    true,
		PercentThreshold: []int{90},
		TickerInterval:   10,
		MessageType:      "heka.statmetric",
		GlobalPrefix:     "stats",
		CounterPrefix:    "counters",
		TimerPrefix:      "timers",
		GaugePrefix:      "gauges",
		StatsdPrefix:     "statsd",
	}
}

// DefaultInputCommon makes 10 seconds the default ticker_interval.
func (*AccumConfig) DefaultInputCommon(c *pipeline.InputCommon) { c.TickerInterval = 10 }

// Validate checks the options; errors name the key.
func (c *AccumConfig) Validate() error {
	if c.TickerInterval == 0 {
		return errors.New("ticker_interval: must be at least 1 second")
	}
	if !c.EmitInPayload && !c.EmitInFields {
		return errors.New("emit_in_payload, emit_in_fields: one of them must be true")
	}
	for _, p := range c.PercentThreshold {
		if p > 100 {
			return fmt.Errorf("percent_threshold: %d is over 100", p)
		}
	}
	if c.MessageType == "" {
		return errors.New("message_type: must not be empty")
	}
	return nil
}

// AccumInput is StatAccumInput: it owns the accumulator that StatsdInputs
// and StatFilters naming it add to, and at every tick delivers one message
// with the interval's metrics.
type AccumInput struct {
	cfg      AccumConfig
	names    flushNames
	name     string
	hostname string
	pid      int32
	log      *slog.Logger
	engine   *pipeline.Shared // where the accumulator is found (Env.Shared)

	tick      chan struct{}
	ready     chan struct{}
	readyOnce sync.Once
	acc       atomic.Pointer[Accumulator]

	snap         *snapshot // reused by each flush (Run's goroutine only)
	flushedAdded int64     // the accumulator's Added at the last flush (likewise)
	payload      []byte    // likewise
	flushes      atomic.Int64
	last         atomic.Int64 // numStats of the last flush
}

func newAccumInput(cfg AccumConfig, env *pipeline.Env) (pipeline.Input, error) {
	return &AccumInput{
		cfg:      cfg,
		names:    cfg.names(),
		name:     env.Name(),
		hostname: env.Hostname(),
		pid:      int32(env.Pid()),
		log:      env.Logger(),
		engine:   env.Shared(),
		tick:     make(chan struct{}, 1),
		ready:    make(chan struct{}),
	}, nil
}

// Ready is closed once Run took its accumulator (Accumulator).
func (in *AccumInput) Ready() <-chan struct{} { return in.ready }

// Accumulator returns the accumulator the input flushes, once Ready (nil
// before).
func (in *AccumInput) Accumulator() *Accumulator { return in.acc.Load() }

// Tick asks Run to flush. Ticks that come while a flush is pending are
// merged into it.
func (in *AccumInput) Tick(context.Context, pipeline.Injector) error {
	select {
	case in.tick <- struct{}{}:
	default:
	}
	return nil
}

// finalFlushTime bounds the flush Run makes when hekad stops.
const finalFlushTime = 2 * time.Second

// Run flushes at every tick until ctx is done, and once more then when
// stats came since the last flush, so that the last interval is not lost.
// (Heka flushed then in any case; a flush of nothing but zeros in the
// second of the last one would overwrite its values in Graphite.)
func (in *AccumInput) Run(ctx context.Context, host pipeline.InputHost) error {
	h := acquire(in.engine, in.name)
	defer h.release()
	defer h.flushes()()
	acc := h.acc
	in.acc.Store(acc)
	in.readyOnce.Do(func() { close(in.ready) })
	for {
		select {
		case <-ctx.Done():
			if acc.Added() == in.flushedAdded {
				return nil
			}
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalFlushTime)
			defer cancel()
			if err := in.flush(fctx, host, acc, time.Now()); err != nil {
				in.log.Warn("the last flush at shutdown failed: its metrics are lost", "err", err)
			}
			return nil
		case <-in.tick:
			if err := in.flush(ctx, host, acc, time.Now()); err != nil {
				if ctx.Err() != nil {
					continue // the final flush above
				}
				return fmt.Errorf("stat accum input %q: %w", in.name, err)
			}
		}
	}
}

// flush delivers one message with the metrics of the interval ending now.
func (in *AccumInput) flush(ctx context.Context, host pipeline.InputHost, acc *Accumulator, now time.Time) error {
	in.flushedAdded = acc.Added()
	in.snap = acc.take(in.cfg.DeleteIdleStats, in.snap)
	p, err := host.NewPack(ctx)
	if err != nil {
		return err
	}
	m := p.MutableMessage()
	in.fill(m, in.snap, now)
	in.flushes.Add(1)
	in.last.Store(int64(len(in.snap.counters) + len(in.snap.gauges) + len(in.snap.timers)))
	return host.Deliver(ctx, p, nil)
}

// fill writes the message of a flush of s at now into m.
func (in *AccumInput) fill(m *message.Message, s *snapshot, now time.Time) {
	m.SetNewUUID()
	m.SetTimestamp(now.UnixNano())
	m.SetType(in.cfg.MessageType)
	m.SetLogger(in.name)
	m.SetHostname(in.hostname)
	m.SetPid(in.pid)
	sec := now.Unix()
	e := emitter{ts: strconv.AppendInt(append([]byte(nil), ' '), sec, 10)}
	e.ts = append(e.ts, '\n')
	if in.cfg.EmitInPayload {
		e.text, e.payload = true, in.payload[:0]
	}
	if in.cfg.EmitInFields {
		e.m = m
		m.AppendField("timestamp", message.ValueInteger, "").AddInteger(sec)
	}
	in.cfg.write(&e, in.names, s)
	if in.cfg.EmitInPayload {
		in.payload = e.payload
		m.SetPayload(string(e.payload))
	} else {
		m.SetPayload("")
	}
}

// Report adds the flushes made and the buckets of the last one.
func (in *AccumInput) Report() []pipeline.ReportField {
	var added int64
	if a := in.acc.Load(); a != nil {
		added = a.Added()
	}
	return []pipeline.ReportField{
		{Name: "FlushCount", Value: in.flushes.Load(), Representation: "count"},
		{Name: "StatCount", Value: added, Representation: "count"},
		{Name: "LastNumStats", Value: in.last.Load(), Representation: "count"},
	}
}

var (
	_ pipeline.Input    = (*AccumInput)(nil)
	_ pipeline.Ticker   = (*AccumInput)(nil)
	_ pipeline.Readier  = (*AccumInput)(nil)
	_ pipeline.Reporter = (*AccumInput)(nil)
)
