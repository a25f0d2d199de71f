package testplugins

import (
	"context"
	"sync"

	"github.com/hekad-go/hekad/pipeline"
)

func init() {
	pipeline.RegisterOutput("StuckOutput", func() struct{} { return struct{}{} }, newStuckOutput)
}

// StuckOutput takes nothing: every Write blocks until Abort is called (or
// hekad gives up), so that the router wedges behind it. It stands for a
// sandbox in a runaway script, which SIGUSR2 is meant to interrupt.
type StuckOutput struct {
	env     *pipeline.Env
	once    sync.Once
	aborted chan struct{}
}

func newStuckOutput(_ struct{}, env *pipeline.Env) (pipeline.Output, error) {
	return &StuckOutput{env: env, aborted: make(chan struct{})}, nil
}

// Write blocks until Abort, then accepts the record.
func (o *StuckOutput) Write(ctx context.Context, _ pipeline.Record) error {
	select {
	case <-o.aborted:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Abort releases every blocked Write and logs "StuckOutput aborted".
func (o *StuckOutput) Abort() {
	o.once.Do(func() {
		o.env.Logger().Error("StuckOutput aborted")
		close(o.aborted)
	})
}

var (
	_ pipeline.Output  = (*StuckOutput)(nil)
	_ pipeline.Aborter = (*StuckOutput)(nil)
)
