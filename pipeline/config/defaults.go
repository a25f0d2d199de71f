package config

import (
	"fmt"

	"github.com/hekad-go/hekad/pipeline"
)

// DefaultPlugins are the plugin types every Plan holds, under their type
// name, without a section (when they are registered): inputs and outputs
// may name them directly. A section of the same name replaces the default.
var DefaultPlugins = []string{
	"ProtobufDecoder",
	"ProtobufEncoder",
	"TokenSplitter",
	"HekaFramingSplitter",
	"NullSplitter",
}

// addDefaults adds the registered default plugins that no section
// replaced, after the sections of their kind.
func (l *loader) addDefaults() {
	for _, name := range DefaultPlugins {
		if _, defined := l.kinds[name]; defined {
			continue
		}
		reg, ok := pipeline.Lookup(name)
		if !ok {
			continue
		}
		cfg := reg.NewConfig()
		if v, ok := cfg.(pipeline.Validator); ok {
			if err := v.Validate(); err != nil {
				// A plugin whose defaults do not validate is a bug in it.
				l.add(-1, 0, &Error{File: "(default)", Section: name, Type: name, Pos: -1,
					Err: fmt.Errorf("default configuration: %w", err)})
				continue
			}
		}
		l.kinds[name] = reg.Kind
		l.types[name] = name
		sec := Section{Name: name, Type: name, Kind: reg.Kind, Registration: reg, Config: cfg}
		switch reg.Kind {
		case pipeline.KindDecoder:
			l.plan.Decoders = append(l.plan.Decoders, sec)
		case pipeline.KindEncoder:
			l.plan.Encoders = append(l.plan.Encoders, sec)
		case pipeline.KindSplitter:
			l.plan.Splitters = append(l.plan.Splitters, Splitter{Section: sec, Common: defaultSplitterCommon(cfg)})
		}
	}
}
