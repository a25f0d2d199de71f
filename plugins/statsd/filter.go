package statsd

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed StatFilter.toml
var filterSample string

func init() {
	pipeline.RegisterFilter("StatFilter", defaultFilterConfig, newFilter, pipeline.WithSample(filterSample))
}

// MetricConfig is one [name.Metric.<id>] table of StatFilter.
type MetricConfig struct {
	// Type is the statsd type: "Counter", "Timer" or "Gauge".
	Type string `toml:"type"`
	// Name is the bucket, with %Name% variables: a field's first value,
	// or the header Type, Logger, Hostname or Payload.
	Name string `toml:"name"`
	// Value is the stat's value, with %Name% variables; it must make a
	// number.
	Value string `toml:"value"`
	// ReplaceDot replaces the dots of the values put into the name by '_'
	// (Graphite takes dots as path separators).
	ReplaceDot bool `toml:"replace_dot"`
}

// FilterConfig is the configuration of StatFilter.
type FilterConfig struct {
	// Metric holds the stats made from every message, by an id of your
	// choice.
	Metric map[string]MetricConfig `toml:"Metric"`
	// StatAccumName names the StatAccumInput section that aggregates the
	// stats.
	StatAccumName string `toml:"stat_accum_name"`
}

func defaultFilterConfig() FilterConfig {
	return FilterConfig{StatAccumName: "StatAccumInput"}
}

// SectionRefs says that stat_accum_name names a StatAccumInput section:
// the loader checks it (pipeline.SectionReferrer).
func (c *FilterConfig) SectionRefs() []pipeline.SectionRef {
	return []pipeline.SectionRef{{Key: "stat_accum_name", Name: c.StatAccumName, Type: "StatAccumInput"}}
}

var metricKinds = map[string]Kind{"Counter": Counter, "Timer": Timer, "Gauge": Gauge}

// Validate checks the options; errors name the key.
func (c *FilterConfig) Validate() error {
	if c.StatAccumName == "" {
		return errors.New("stat_accum_name: must not be empty")
	}
	if len(c.Metric) == 0 {
		return errors.New("Metric: at least one metric is required")
	}
	var errs []error
	for _, id := range sortedKeys(c.Metric) {
		m := c.Metric[id]
		if _, ok := metricKinds[m.Type]; !ok {
			errs = append(errs, fmt.Errorf("Metric.%s.type: %q is not Counter, Timer or Gauge", id, m.Type))
		}
		if m.Name == "" {
			errs = append(errs, fmt.Errorf("Metric.%s.name: required", id))
		}
		if m.Value == "" {
			errs = append(errs, fmt.Errorf("Metric.%s.value: required", id))
		}
	}
	return errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// metric is a compiled MetricConfig.
type metric struct {
	id          string
	kind        Kind
	name, value template
	replaceDot  bool
}

// Filter is StatFilter: for every message it adds one stat per metric to
// the accumulator of the StatAccumInput it names.
type Filter struct {
	name    string
	log     *slog.Logger
	engine  *pipeline.Shared // where the accumulator is found (Env.Shared)
	accName string
	metrics []metric

	h     *handle   // taken at the first message
	since time.Time // when h was taken
	buf   []byte    // the names of the message's stats, one after the other
	ends  []int     // where each name ends in buf
	stats []Stat

	made   atomic.Int64
	bad    atomic.Int64
	badLog limiter
	mu     sync.Mutex // guards h against Close
}

func newFilter(cfg FilterConfig, env *pipeline.Env) (pipeline.Filter, error) {
	f := &Filter{
		name:    env.Name(),
		log:     env.Logger(),
		engine:  env.Shared(),
		accName: cfg.StatAccumName,
		badLog:  limiter{every: 10 * time.Second},
	}
	for _, id := range sortedKeys(cfg.Metric) {
		m := cfg.Metric[id]
		f.metrics = append(f.metrics, metric{
			id:         id,
			kind:       metricKinds[m.Type],
			name:       parseTemplate(m.Name),
			value:      parseTemplate(m.Value),
			replaceDot: m.ReplaceDot,
		})
	}
	return f, nil
}

// Process adds the message's stats to the accumulator. A value that is
// not a number is counted and logged (at most every ten seconds), and
// the other metrics of the message still count.
func (f *Filter) Process(ctx context.Context, p *pipeline.Pack, _ pipeline.Injector) error {
	if f.h == nil {
		f.mu.Lock()
		f.h, f.since = acquire(f.engine, f.accName), time.Now()
		f.mu.Unlock()
	}
	// No StatAccumInput ran within accumulatorWait of the first message, or
	// the one that ran stopped that long ago: fail rather than accumulate
	// what nobody flushes.
	if !f.h.flushed() && time.Since(later(f.since, f.h.down())) > accumulatorWait {
		return fmt.Errorf("stat filter %q: %w", f.name, f.h.errNoAccumulator())
	}
	m := p.Message()
	f.buf, f.stats, f.ends = f.buf[:0], f.stats[:0], f.ends[:0]
	for _, mt := range f.metrics {
		lo := len(f.buf)
		f.buf = mt.value.expand(f.buf, m, false)
		value := f.buf[lo:]
		v, err := strconv.ParseFloat(string(value), 64)
		s := Stat{Value: v, Kind: mt.kind, SampleRate: 1}
		if err == nil && s.Kind == Counter {
			_, ok := counterIncrement(s)
			if !ok {
				err = errOverflow
			}
		}
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			f.invalid(mt, string(value))
			f.buf = f.buf[:lo]
			continue
		}
		f.buf = mt.name.expand(f.buf[:lo], m, mt.replaceDot)
		f.stats = append(f.stats, s)
		f.ends = append(f.ends, len(f.buf))
	}
	// Buckets point into buf only once it no longer grows.
	lo := 0
	for i, end := range f.ends {
		f.stats[i].Bucket = f.buf[lo:end]
		lo = end
	}
	f.h.acc.Add(f.stats...)
	f.made.Add(int64(len(f.stats)))
	return nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// invalid counts and logs a metric whose value is not a number.
func (f *Filter) invalid(mt metric, value string) {
	f.bad.Add(1)
	if held, ok := f.badLog.allow(time.Now(), 1); ok {
		f.log.Warn("metric value is not a number: no stat", "metric", mt.id, "value", value, "template", mt.value.String(), "not_logged", held)
	}
}

// Close releases the accumulator.
func (f *Filter) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.h != nil {
		f.h.release()
	}
	return nil
}

// Report adds the stats made and the values that were no number.
func (f *Filter) Report() []pipeline.ReportField {
	return []pipeline.ReportField{
		{Name: "StatCount", Value: f.made.Load(), Representation: "count"},
		{Name: "InvalidValueCount", Value: f.bad.Load(), Representation: "count"},
	}
}

var (
	_ pipeline.Filter   = (*Filter)(nil)
	_ pipeline.Reporter = (*Filter)(nil)
)
