// Package testplugins holds plugins that exist only to test hekad's
// handling of misbehaving plugins. They are compiled into the hekad-test
// binary (./cmd/hekad-test), never into hekad.
package testplugins

import (
	"context"

	"github.com/hekad-go/hekad/pipeline"
)

func init() {
	pipeline.RegisterFilter("PanicFilter", func() PanicConfig { return PanicConfig{} }, newPanicFilter)
}

// PanicConfig configures a PanicFilter.
type PanicConfig struct {
	// Trigger is the payload that makes Process panic.
	Trigger string `toml:"trigger"`
}

// PanicFilter panics in Process on a message whose payload is Trigger.
type PanicFilter struct{ trigger string }

func newPanicFilter(c PanicConfig, _ *pipeline.Env) (pipeline.Filter, error) {
	return &PanicFilter{trigger: c.Trigger}, nil
}

// Process panics on the trigger payload and does nothing otherwise.
func (f *PanicFilter) Process(_ context.Context, p *pipeline.Pack, _ pipeline.Injector) error {
	if p.Message().GetPayload() == f.trigger {
		panic("PanicFilter triggered")
	}
	return nil
}

var _ pipeline.Filter = (*PanicFilter)(nil)
