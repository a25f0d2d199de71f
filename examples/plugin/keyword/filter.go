// Package keyword is an example of a hekad Go plugin that lives outside
// hekad's repository: KeywordFilter counts the messages whose payload
// contains a keyword and, every ticker_interval seconds, injects a message
// of Type "keyword.count" with the count of that interval.
//
// A plugin registers itself in init(); a custom hekad build includes it with
// a blank import (see ../cmd/hekad).
package keyword

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

func init() {
	pipeline.RegisterFilter("KeywordFilter", defaultConfig, newFilter, pipeline.WithSample(sample))
}

const sample = `# Count the messages whose payload mentions "error", every 10 seconds.
[error_counter]
type = "KeywordFilter"
message_matcher = "Type != 'keyword.count'"
ticker_interval = 10
keyword = "error"
`

// Config is KeywordFilter's configuration.
type Config struct {
	// Keyword is the text to look for in each message's payload.
	Keyword string `toml:"keyword"`
}

func defaultConfig() Config { return Config{} }

// DefaultFilterCommon gives the filter a tick every 5 seconds unless the
// section sets ticker_interval.
func (*Config) DefaultFilterCommon(c *pipeline.FilterCommon) { c.TickerInterval = 5 }

// Validate checks the options; errors name the key.
func (c *Config) Validate() error {
	if c.Keyword == "" {
		return fmt.Errorf("keyword: required")
	}
	return nil
}

// Filter counts keyword matches.
type Filter struct {
	keyword string
	hits    atomic.Int64
}

func newFilter(c Config, _ *pipeline.Env) (pipeline.Filter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Filter{keyword: c.Keyword}, nil
}

// Process counts p if its payload contains the keyword. It keeps nothing of
// p: the engine recycles the pack when Process returns.
func (f *Filter) Process(_ context.Context, p *pipeline.Pack, _ pipeline.Injector) error {
	if strings.Contains(p.Message().GetPayload(), f.keyword) {
		f.hits.Add(1)
	}
	return nil
}

// Tick injects the count of the interval that just ended.
func (f *Filter) Tick(ctx context.Context, inj pipeline.Injector) error {
	p, err := inj.NewPack(ctx)
	if err != nil {
		return err
	}
	n := f.hits.Swap(0)
	m := p.MutableMessage()
	m.SetType("keyword.count")
	m.SetPayload(fmt.Sprintf("%d messages mentioned %q", n, f.keyword))
	m.AppendField("count", message.ValueInteger, "count").AddInteger(n)
	return inj.Inject(ctx, p)
}

var (
	_ pipeline.Filter = (*Filter)(nil)
	_ pipeline.Ticker = (*Filter)(nil)
)
