package file

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed FilePollingInput.toml
var pollingSample string

func init() {
	pipeline.RegisterInput("FilePollingInput", defaultPollingConfig, newPollingInput, pipeline.WithSample(pollingSample))
}

// PollingConfig is the configuration of FilePollingInput.
type PollingConfig struct {
	// FilePath is the file read, whole, at every tick.
	FilePath string `toml:"file_path"`
	// TickerInterval is the time between reads, in seconds. It is the
	// common input option, read here too for the TickerInterval field.
	TickerInterval pipeline.Seconds `toml:"ticker_interval"`
}

func defaultPollingConfig() PollingConfig { return PollingConfig{TickerInterval: 5} }

// DefaultInputCommon makes 5 seconds the default ticker_interval.
func (*PollingConfig) DefaultInputCommon(c *pipeline.InputCommon) { c.TickerInterval = 5 }

// Validate checks the options; errors name the key.
func (c *PollingConfig) Validate() error {
	if c.FilePath == "" {
		return errors.New("file_path: required")
	}
	if c.TickerInterval == 0 {
		return errors.New("ticker_interval: must be at least 1 second")
	}
	return nil
}

// PollingInput is FilePollingInput: at every tick it reads the whole file
// through the input's splitter and decoder.
type PollingInput struct {
	cfg      PollingConfig
	hostname string
	log      *slog.Logger
	tick     chan struct{}

	polls    atomic.Int64
	failures atomic.Int64
}

func newPollingInput(cfg PollingConfig, env *pipeline.Env) (pipeline.Input, error) {
	return &PollingInput{
		cfg:      cfg,
		hostname: env.Hostname(),
		log:      env.Logger(),
		tick:     make(chan struct{}, 1),
	}, nil
}

// Tick asks Run to read the file. Ticks that come while a read is
// pending are merged into it.
func (in *PollingInput) Tick(context.Context, pipeline.Injector) error {
	select {
	case in.tick <- struct{}{}:
	default:
	}
	return nil
}

// Run reads the file at every tick until ctx is done. A file that cannot
// be opened or read is logged (once until the error changes) and tried
// again at the next tick.
func (in *PollingInput) Run(ctx context.Context, host pipeline.InputHost) error {
	src := pipeline.Source{
		Name:     in.cfg.FilePath,
		Type:     "heka.file.polling",
		Hostname: in.hostname,
		Decorate: func(m *message.Message) {
			m.AppendField("TickerInterval", message.ValueInteger, "").AddInteger(int64(in.cfg.TickerInterval))
			m.AppendField("FilePath", message.ValueString, "").AddString(in.cfg.FilePath)
		},
	}
	var lastErr string
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-in.tick:
		}
		err := in.poll(ctx, host, src)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err != nil:
			in.failures.Add(1)
			if err.Error() != lastErr {
				in.log.Error("cannot read the file, trying again at the next tick", "file_path", in.cfg.FilePath, "err", err)
			}
			lastErr = err.Error()
		case lastErr != "":
			in.log.Info("file readable again", "file_path", in.cfg.FilePath)
			lastErr = ""
		}
	}
}

// poll streams the file once.
func (in *PollingInput) poll(ctx context.Context, host pipeline.InputHost, src pipeline.Source) error {
	in.polls.Add(1)
	f, err := os.Open(in.cfg.FilePath)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := host.Stream(ctx, f, src); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}

// Report adds the poll counts to the plugin's report.
func (in *PollingInput) Report() []pipeline.ReportField {
	return []pipeline.ReportField{
		{Name: "Polls", Value: in.polls.Load(), Representation: "count"},
		{Name: "FailedPolls", Value: in.failures.Load(), Representation: "count"},
	}
}

var (
	_ pipeline.Input                = (*PollingInput)(nil)
	_ pipeline.Ticker               = (*PollingInput)(nil)
	_ pipeline.Reporter             = (*PollingInput)(nil)
	_ pipeline.Validator            = (*PollingConfig)(nil)
	_ pipeline.InputCommonDefaulter = (*PollingConfig)(nil)
)
