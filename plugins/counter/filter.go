package counter

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed CounterFilter.toml
var filterSample string

func init() {
	pipeline.RegisterFilter("CounterFilter", defaultFilterConfig, newFilter, pipeline.WithSample(filterSample))
}

// MessageType is the Type of the messages CounterFilter injects.
const MessageType = "heka.counter-output"

// aggregateEvery is how many reports make one aggregate report.
const aggregateEvery = 10

// FilterConfig is the configuration of CounterFilter. It has no options of
// its own; it gives the common message_matcher and ticker_interval
// defaults.
type FilterConfig struct{}

func defaultFilterConfig() FilterConfig { return FilterConfig{} }

// DefaultFilterCommon makes CounterFilter count every message but its own
// reports, and report every 5 seconds.
func (*FilterConfig) DefaultFilterCommon(c *pipeline.FilterCommon) {
	c.MessageMatcher = "Type != '" + MessageType + "'"
	c.TickerInterval = 5
}

// Filter is CounterFilter. Every tick on which new messages arrived it
// injects a heka.counter-output message "Got N messages. X msg/sec" (N
// counted since the start, X the rate since the last report); every tenth
// report is followed by one with the minimum, maximum and mean of those
// ten rates.
type Filter struct {
	name      string
	now       func() time.Time // the clock, replaced by tests
	lastTime  time.Time
	count     uint64
	lastCount uint64
	rates     []float64
}

func newFilter(_ FilterConfig, env *pipeline.Env) (pipeline.Filter, error) {
	return &Filter{name: env.Name(), now: time.Now, lastTime: time.Now(), rates: make([]float64, 0, aggregateEvery)}, nil
}

// Process counts the message.
func (f *Filter) Process(context.Context, *pipeline.Pack, pipeline.Injector) error {
	f.count++
	return nil
}

// Tick reports, unless nothing arrived since the last report. Injection
// failures are returned as pipeline.Drop errors: logged, not fatal.
func (f *Filter) Tick(ctx context.Context, inj pipeline.Injector) error {
	sent := f.count - f.lastCount
	if sent == 0 {
		return nil
	}
	now := f.now()
	rate := float64(sent) / now.Sub(f.lastTime).Seconds()
	f.lastCount, f.lastTime = f.count, now
	f.rates = append(f.rates, rate)

	err := f.inject(ctx, inj, fmt.Sprintf("Got %d messages. %0.2f msg/sec", f.count, rate))
	if len(f.rates) == aggregateEvery {
		slices.Sort(f.rates)
		var sum float64
		for _, r := range f.rates {
			sum += r
		}
		mean := sum / float64(len(f.rates))
		err = errors.Join(err, f.inject(ctx, inj, fmt.Sprintf("AGG Sum. Min: %0.2f    Max: %0.2f    Mean: %0.2f",
			f.rates[0], f.rates[len(f.rates)-1], mean)))
		f.rates = f.rates[:0]
	}
	return pipeline.Drop(err)
}

func (f *Filter) inject(ctx context.Context, inj pipeline.Injector, payload string) error {
	p, err := inj.NewPack(ctx)
	if err != nil {
		return fmt.Errorf("counter filter %q: %w", f.name, err)
	}
	p.MutableMessage().SetLogger(f.name)
	p.MutableMessage().SetType(MessageType)
	p.MutableMessage().SetPayload(payload)
	if err := inj.Inject(ctx, p); err != nil {
		return fmt.Errorf("counter filter %q: %w", f.name, err)
	}
	return nil
}

var (
	_ pipeline.Filter                = (*Filter)(nil)
	_ pipeline.Ticker                = (*Filter)(nil)
	_ pipeline.FilterCommonDefaulter = (*FilterConfig)(nil)
)
