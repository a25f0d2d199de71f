package config

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/hekad-go/hekad/pipeline"
)

// Small plugin types registered for real through the pipeline registry,
// standing in for the plugin families in this package's tests. Their
// builders are called once per section by Load's probe; the plugins they
// return are never run.

type emptyConfig struct{}

type tokenSplitterConfig struct {
	Delimiter string `toml:"delimiter"`
}

func (c *tokenSplitterConfig) Validate() error {
	if len(c.Delimiter) != 1 {
		return fmt.Errorf("delimiter: must be one byte, got %q", c.Delimiter)
	}
	return nil
}

type framingSplitterConfig struct{}

func (*framingSplitterConfig) DefaultSplitterCommon(c *pipeline.SplitterCommon) {
	c.UseMessageBytes = true
}

type nullSplitterConfig struct{}

func (*nullSplitterConfig) DefaultSplitterCommon(c *pipeline.SplitterCommon) {
	c.MinBufferSize = 64 * 1024
}

type tcpInputConfig struct {
	Address string `toml:"address"`
}

func (*tcpInputConfig) DefaultInputCommon(c *pipeline.InputCommon) {
	c.Splitter = "HekaFramingSplitter"
	c.Decoder = "ProtobufDecoder"
}

func (c *tcpInputConfig) Validate() error {
	if c.Address == "" {
		return errors.New("address: must be set")
	}
	return nil
}

type udpInputConfig struct {
	Address string `toml:"address"`
}

type tcpOutputConfig struct {
	Address string `toml:"address"`
}

func (*tcpOutputConfig) DefaultOutputCommon(c *pipeline.OutputCommon) {
	c.UseBuffering = true
	c.Buffering.MaxFileSize = 128 << 20
	c.Buffering.CursorUpdateCount = 50
}

func (*tcpOutputConfig) FramesProtobufByDefault() bool { return true }

type logOutputConfig struct{}

type counterFilterConfig struct{}

func (*counterFilterConfig) DefaultFilterCommon(c *pipeline.FilterCommon) {
	c.MessageMatcher = "Type != 'heka.counter-output'"
	c.TickerInterval = 5
}

type sandboxFilterConfig struct {
	Filename string         `toml:"filename"`
	Config   map[string]any `toml:"config"`
}

func (*sandboxFilterConfig) FreeformKeys() []string { return []string{"config"} }

func (c *sandboxFilterConfig) Validate() error {
	if c.Filename == "" {
		return errors.New("filename: must be set")
	}
	return nil
}

type regexDecoderConfig struct {
	MatchRegex string `toml:"match_regex"`
}

func (c *regexDecoderConfig) Validate() error {
	if _, err := regexp.Compile(c.MatchRegex); err != nil {
		return fmt.Errorf("match_regex: %w", err)
	}
	return nil
}

type payloadEncoderConfig struct {
	AppendNewlines bool `toml:"append_newlines"`
}

// tickingFilter is a filter that implements pipeline.Ticker.
type tickingFilter struct{}

func (tickingFilter) Process(context.Context, *pipeline.Pack, pipeline.Injector) error { return nil }
func (tickingFilter) Tick(context.Context, pipeline.Injector) error                    { return nil }

// failingOutputConfig is the config of FakeFailOutput, whose constructor
// rejects a perm that is not octal, as FileOutput's does.
type failingOutputConfig struct {
	Perm string `toml:"perm"`
}

func init() {
	pipeline.RegisterOutput("FakeFailOutput", func() failingOutputConfig { return failingOutputConfig{Perm: "644"} },
		func(c failingOutputConfig, _ *pipeline.Env) (pipeline.Output, error) {
			if _, err := strconv.ParseUint(c.Perm, 8, 32); err != nil {
				return nil, fmt.Errorf("perm: not an octal number: %q", c.Perm)
			}
			return nil, nil
		})
}

func init() {
	pipeline.RegisterDecoder("ProtobufDecoder", func() emptyConfig { return emptyConfig{} },
		func(emptyConfig, *pipeline.Env) (pipeline.Decoder, error) { return nil, nil })
	pipeline.RegisterEncoder("ProtobufEncoder", func() emptyConfig { return emptyConfig{} },
		func(emptyConfig, *pipeline.Env) (pipeline.Encoder, error) { return nil, nil })
	pipeline.RegisterSplitter("TokenSplitter", func() tokenSplitterConfig { return tokenSplitterConfig{Delimiter: "\n"} },
		func(tokenSplitterConfig, *pipeline.Env) (pipeline.Splitter, error) { return nil, nil })
	pipeline.RegisterSplitter("HekaFramingSplitter", func() framingSplitterConfig { return framingSplitterConfig{} },
		func(framingSplitterConfig, *pipeline.Env) (pipeline.Splitter, error) { return nil, nil })
	pipeline.RegisterSplitter("NullSplitter", func() nullSplitterConfig { return nullSplitterConfig{} },
		func(nullSplitterConfig, *pipeline.Env) (pipeline.Splitter, error) { return nil, nil })
	pipeline.RegisterInput("FakeTcpInput", func() tcpInputConfig { return tcpInputConfig{Address: "127.0.0.1:5565"} },
		func(tcpInputConfig, *pipeline.Env) (pipeline.Input, error) { return nil, nil })
	pipeline.RegisterInput("FakeUdpInput", func() udpInputConfig { return udpInputConfig{} },
		func(udpInputConfig, *pipeline.Env) (pipeline.Input, error) { return nil, nil })
	pipeline.RegisterOutput("FakeTcpOutput", func() tcpOutputConfig { return tcpOutputConfig{Address: "127.0.0.1:5565"} },
		func(tcpOutputConfig, *pipeline.Env) (pipeline.Output, error) { return nil, nil })
	pipeline.RegisterOutput("FakeLogOutput", func() logOutputConfig { return logOutputConfig{} },
		func(logOutputConfig, *pipeline.Env) (pipeline.Output, error) { return nil, nil })
	pipeline.RegisterFilter("FakeCounterFilter", func() counterFilterConfig { return counterFilterConfig{} },
		func(counterFilterConfig, *pipeline.Env) (pipeline.Filter, error) { return tickingFilter{}, nil })
	pipeline.RegisterFilter("FakeSandboxFilter", func() sandboxFilterConfig { return sandboxFilterConfig{} },
		func(sandboxFilterConfig, *pipeline.Env) (pipeline.Filter, error) { return nil, nil })
	pipeline.RegisterDecoder("FakeRegexDecoder", func() regexDecoderConfig { return regexDecoderConfig{MatchRegex: ".*"} },
		func(regexDecoderConfig, *pipeline.Env) (pipeline.Decoder, error) { return nil, nil })
	pipeline.RegisterEncoder("FakePayloadEncoder", func() payloadEncoderConfig { return payloadEncoderConfig{} },
		func(payloadEncoderConfig, *pipeline.Env) (pipeline.Encoder, error) { return nil, nil })
}
