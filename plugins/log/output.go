package log

import (
	"context"
	_ "embed"
	"errors"
	"io"
	golog "log"
	"os"

	"github.com/hekad-go/hekad/pipeline"
)

//go:embed LogOutput.toml
var outputSample string

func init() {
	pipeline.RegisterOutput("LogOutput", defaultOutputConfig, newOutput, pipeline.WithSample(outputSample))
}

// OutputConfig is the configuration of LogOutput.
type OutputConfig struct {
	// Encoder is the common encoder option, required by LogOutput: it
	// prints what the encoder makes.
	Encoder string `toml:"encoder"`
}

func defaultOutputConfig() OutputConfig { return OutputConfig{} }

// Validate checks the options; errors name the key.
func (c *OutputConfig) Validate() error {
	if c.Encoder == "" {
		return errors.New("encoder: required: LogOutput prints what its encoder makes")
	}
	return nil
}

// Output is LogOutput: it prints each record, as one log line, with the
// date and time prefix that hekad's log_flags select.
type Output struct {
	logger *golog.Logger
}

func newOutput(_ OutputConfig, env *pipeline.Env) (pipeline.Output, error) {
	return newOutputTo(os.Stdout, env.Globals().LogFlags), nil
}

// newOutputTo returns a LogOutput printing to w with the given Go log flags.
func newOutputTo(w io.Writer, flags int) *Output {
	return &Output{logger: golog.New(w, "", flags)}
}

// Write prints r.Data; a newline is added unless it ends with one. An
// empty record prints nothing.
func (o *Output) Write(_ context.Context, r pipeline.Record) error {
	if len(r.Data) == 0 {
		return nil
	}
	if err := o.logger.Output(1, string(r.Data)); err != nil {
		return pipeline.Drop(err)
	}
	return nil
}

var (
	_ pipeline.Output    = (*Output)(nil)
	_ pipeline.Validator = (*OutputConfig)(nil)
)
