package process

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

//go:embed ProcessInput.toml
var inputSample string

func init() {
	pipeline.RegisterInput("ProcessInput", defaultInputConfig, newInput, pipeline.WithSample(inputSample))
}

// CommandConfig is one command of a chain (Heka's cmd_config).
type CommandConfig struct {
	// Bin is the program to run: a path, or a name looked up in PATH.
	Bin string `toml:"bin"`
	// Args are its arguments.
	Args []string `toml:"args"`
	// Env, when set, is its whole environment ("NAME=value" strings);
	// unset, it inherits hekad's.
	Env []string `toml:"env"`
	// Directory is its working directory ("" = hekad's).
	Directory string `toml:"directory"`
}

// InputConfig is the configuration of ProcessInput.
type InputConfig struct {
	// Command is the chain, indexed "0", "1", ...: the stdout of each
	// command is piped into the stdin of the next.
	Command map[string]CommandConfig `toml:"command"`
	// TickerInterval is the time between runs in seconds; 0 runs the chain
	// once, as a long-running process whose output is streamed. It is the
	// common input option, read here too because 0 has a meaning.
	TickerInterval pipeline.Seconds `toml:"ticker_interval"`
	// ImmediateStart runs the chain at start instead of after the first
	// ticker_interval.
	ImmediateStart bool `toml:"immediate_start"`
	// Timeout, in seconds, kills the chain's process group when a run takes
	// longer (0: no timeout).
	Timeout pipeline.Seconds `toml:"timeout"`
	// Stdout delivers the last command's standard output.
	Stdout bool `toml:"stdout"`
	// Stderr delivers the last command's standard error.
	Stderr bool `toml:"stderr"`
	// Trim removes the newlines that end each record's payload (Heka 0.9's
	// option, dropped by 0.10).
	Trim bool `toml:"trim"`
}

func defaultInputConfig() InputConfig {
	return InputConfig{TickerInterval: 15, Stdout: true}
}

// DefaultInputCommon makes 15 seconds the default ticker_interval.
func (*InputConfig) DefaultInputCommon(c *pipeline.InputCommon) { c.TickerInterval = 15 }

// Validate checks the options; errors name the key.
func (c *InputConfig) Validate() error {
	_, err := c.commands()
	return err
}

// commands returns the chain in order.
func (c *InputConfig) commands() ([]CommandConfig, error) {
	if len(c.Command) == 0 {
		return nil, errNoCommand
	}
	cmds := make([]CommandConfig, len(c.Command))
	for k, cc := range c.Command {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(c.Command) || strconv.Itoa(i) != k {
			return nil, fmt.Errorf("command.%s: commands must be numbered 0 to %d", k, len(c.Command)-1)
		}
		if cc.Bin == "" {
			return nil, fmt.Errorf("command.%s.bin: required", k)
		}
		cmds[i] = cc
	}
	return cmds, nil
}

// Input is ProcessInput: it runs its command chain at every tick (or once,
// long-running, with ticker_interval 0) and delivers the chain's output
// through the input's splitter and decoder.
type Input struct {
	cfg      InputConfig
	cmds     []CommandConfig
	name     string
	hostname string
	pid      int32
	log      *slog.Logger
	tick     chan struct{}

	runs     atomic.Int64
	failures atomic.Int64
}

func newInput(cfg InputConfig, env *pipeline.Env) (pipeline.Input, error) {
	return newProcess(cfg, env.Name(), env.Hostname(), env.Logger())
}

func newProcess(cfg InputConfig, name, hostname string, log *slog.Logger) (*Input, error) {
	cmds, err := cfg.commands()
	if err != nil {
		return nil, err
	}
	return &Input{
		cfg: cfg, cmds: cmds, name: name, hostname: hostname,
		pid: int32(os.Getpid()), log: log, tick: make(chan struct{}, 1),
	}, nil
}

// Tick asks Run for a run of the chain; ticks that come while one is
// pending are merged into it, and they are ignored in long-running mode.
func (in *Input) Tick(context.Context, pipeline.Injector) error {
	select {
	case in.tick <- struct{}{}:
	default:
	}
	return nil
}

// Run runs the chain at every tick until ctx is done. A chain that cannot
// start ends Run with an error wrapping pipeline.ErrRetry (restart per
// retries, as in Heka); so does the end of a long-running chain.
func (in *Input) Run(ctx context.Context, host pipeline.InputHost) error {
	if in.cfg.TickerInterval == 0 {
		return in.runLong(ctx, host)
	}
	if in.cfg.ImmediateStart {
		if err := in.runOnce(ctx, host); err != nil {
			return err
		}
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-in.tick:
		}
		if err := in.runOnce(ctx, host); err != nil {
			return err
		}
	}
}

// source returns the source of a stream ("stdout" or "stderr") whose
// messages carry res.
func (in *Input) source(stream string, res *result) pipeline.Source {
	inputName := in.name + "." + stream
	return pipeline.Source{
		Name:     inputName,
		Type:     "ProcessInput",
		Hostname: in.hostname,
		Decorate: func(m *message.Message) {
			m.SetPid(in.pid)
			if in.cfg.Trim {
				m.SetPayload(strings.TrimRight(m.GetPayload(), "\n"))
			}
			m.AppendField("ProcessInputName", message.ValueString, "").AddString(inputName)
			m.AppendField("ExitStatus", message.ValueInteger, "").AddInteger(int64(res.ExitStatus))
			if res.SubcmdErrors != "" {
				m.AppendField("SubcmdErrors", message.ValueString, "").AddString(res.SubcmdErrors)
			}
		},
	}
}

// tempFile returns an unlinked temporary file, or nil when want is false.
func tempFile(want bool) (*os.File, error) {
	if !want {
		return nil, nil
	}
	f, err := os.CreateTemp("", "hekad-process-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return f, nil
}

// runOnce runs the chain to its end with its output in unlinked temporary
// files, then streams the output: every message of the run carries the
// run's exit status. A failed run is logged; only a failure to start it
// is returned.
func (in *Input) runOnce(ctx context.Context, host pipeline.InputHost) error {
	in.runs.Add(1)
	stdout, err := tempFile(in.cfg.Stdout)
	if err != nil {
		return fmt.Errorf("process input %q: stdout file: %w: %w", in.name, pipeline.ErrRetry, err)
	}
	stderr, err := tempFile(in.cfg.Stderr)
	if err != nil {
		closeFile(stdout)
		return fmt.Errorf("process input %q: stderr file: %w: %w", in.name, pipeline.ErrRetry, err)
	}
	defer closeFile(stdout)
	defer closeFile(stderr)
	c, err := startChain(in.cmds, stdout, stderr)
	if err != nil {
		in.failures.Add(1)
		return fmt.Errorf("process input %q: %w: %w", in.name, pipeline.ErrRetry, err)
	}
	res := c.wait(ctx, in.cfg.Timeout.Duration())
	if ctx.Err() != nil {
		return nil
	}
	in.logResult(res)
	for _, s := range []struct {
		name string
		f    *os.File
	}{{"stdout", stdout}, {"stderr", stderr}} {
		if s.f == nil {
			continue
		}
		if _, err := s.f.Seek(0, io.SeekStart); err != nil {
			in.log.Error("cannot read the output", "stream", s.name, "err", err)
			continue
		}
		if err := host.Stream(ctx, s.f, in.source(s.name, &res)); err != nil && ctx.Err() == nil {
			in.log.Error("output stream failed", "stream", s.name, "err", err)
		}
	}
	return nil
}

func closeFile(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// logResult logs a run that failed.
func (in *Input) logResult(res result) {
	if !res.failed() {
		return
	}
	in.failures.Add(1)
	in.log.Warn("command chain failed", "exit_status", res.ExitStatus, "timed_out", res.TimedOut, "errors", res.SubcmdErrors)
}

// runLong runs the chain once and streams its output while it runs.
// Messages carry ExitStatus 0: the status is not known yet. When the chain
// ends Run returns an error wrapping pipeline.ErrRetry (restart per
// retries); when ctx is done the chain is killed and Run returns nil.
func (in *Input) runLong(ctx context.Context, host pipeline.InputHost) error {
	in.runs.Add(1)
	type pipe struct {
		name string
		r, w *os.File
	}
	var pipes []*pipe
	for _, s := range []struct {
		name string
		want bool
	}{{"stdout", in.cfg.Stdout}, {"stderr", in.cfg.Stderr}} {
		if !s.want {
			pipes = append(pipes, nil)
			continue
		}
		r, w, err := os.Pipe()
		if err != nil {
			for _, p := range pipes {
				if p != nil {
					p.r.Close()
					p.w.Close()
				}
			}
			return fmt.Errorf("process input %q: pipe: %w: %w", in.name, pipeline.ErrRetry, err)
		}
		pipes = append(pipes, &pipe{s.name, r, w})
	}
	var stdout, stderr *os.File
	if pipes[0] != nil {
		stdout = pipes[0].w
	}
	if pipes[1] != nil {
		stderr = pipes[1].w
	}
	c, err := startChain(in.cmds, stdout, stderr)
	for _, p := range pipes {
		if p != nil {
			p.w.Close()
		}
	}
	if err != nil {
		for _, p := range pipes {
			if p != nil {
				p.r.Close()
			}
		}
		in.failures.Add(1)
		return fmt.Errorf("process input %q: %w: %w", in.name, pipeline.ErrRetry, err)
	}
	var res result // ExitStatus 0 while the chain runs
	running := res
	var wg sync.WaitGroup
	var streamErr atomic.Pointer[error]
	for _, p := range pipes {
		if p == nil {
			continue
		}
		wg.Go(func() {
			defer p.r.Close()
			err := host.Stream(ctx, p.r, in.source(p.name, &running))
			if err != nil && ctx.Err() == nil {
				streamErr.CompareAndSwap(nil, &err)
				in.log.Error("output stream failed: killing the chain", "stream", p.name, "err", err)
				c.kill()
			}
		})
	}
	res = c.wait(ctx, in.cfg.Timeout.Duration())
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	in.logResult(res)
	cause := fmt.Sprintf("exit status %d", res.ExitStatus)
	if res.SubcmdErrors != "" {
		cause = res.SubcmdErrors
	}
	if p := streamErr.Load(); p != nil {
		cause = (*p).Error()
	}
	return fmt.Errorf("process input %q: long-running command chain ended (%s): %w", in.name, cause, pipeline.ErrRetry)
}

// Report adds the run counts to the plugin's report.
func (in *Input) Report() []pipeline.ReportField {
	return []pipeline.ReportField{
		{Name: "Runs", Value: in.runs.Load(), Representation: "count"},
		{Name: "FailedRuns", Value: in.failures.Load(), Representation: "count"},
	}
}

var (
	_ pipeline.Input                = (*Input)(nil)
	_ pipeline.Ticker               = (*Input)(nil)
	_ pipeline.Reporter             = (*Input)(nil)
	_ pipeline.Validator            = (*InputConfig)(nil)
	_ pipeline.InputCommonDefaulter = (*InputConfig)(nil)
)
