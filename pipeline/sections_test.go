package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/pipeline"
)

// chainConfig names the sections a chainDecoder builds.
type chainConfig struct{ Subs []string }

type chainDecoder struct{ env *pipeline.Env }

func (chainDecoder) Decode(_ context.Context, p *pipeline.Pack, out []*pipeline.Pack) ([]*pipeline.Pack, error) {
	return append(out, p), nil
}

func init() {
	pipeline.RegisterDecoder("EnvBuildTestDecoder", func() chainConfig { return chainConfig{} },
		func(c chainConfig, env *pipeline.Env) (pipeline.Decoder, error) {
			var errs []error
			for _, s := range c.Subs {
				if _, err := env.Decoder(s); err != nil {
					errs = append(errs, fmt.Errorf("subs: %w", err))
				}
			}
			built = append(built, env.Name())
			return chainDecoder{env}, errors.Join(errs...)
		})
}

var built []string

// mapSections is a pipeline.Sections over EnvBuildTestDecoder configs.
type mapSections map[string]chainConfig

func (m mapSections) Section(kind pipeline.Kind, name string) (*pipeline.Registration, any, error) {
	c, ok := m[name]
	if !ok {
		return nil, nil, fmt.Errorf("no %s section named %q", strings.ToLower(kind.String()), name)
	}
	reg, _ := pipeline.Lookup("EnvBuildTestDecoder")
	return reg, &c, nil
}

func TestEnvBuild(t *testing.T) {
	secs := mapSections{
		"leaf": {}, "mid": {Subs: []string{"leaf"}},
		"self": {Subs: []string{"self"}},
		"a":    {Subs: []string{"b"}}, "b": {Subs: []string{"leaf", "a"}},
		"outer": {Subs: []string{"a"}}, "bad": {Subs: []string{"nope"}},
	}
	tests := []struct {
		name, section string
		noSections    bool
		wantErr       string
		wantBuilt     []string
	}{
		{name: "nested", section: "mid", wantBuilt: []string{"in-top-mid-leaf", "in-top-mid"}},
		{name: "missing", section: "nope", wantErr: `no decoder section named "nope"`},
		{name: "own section", section: "self", wantErr: `"self" names its own section`},
		{name: "cycle", section: "a", wantErr: `sections name each other in a cycle: a -> b -> a`},
		{name: "cycle below", section: "outer", wantErr: `sections name each other in a cycle: a -> b -> a`},
		{name: "sub fails", section: "bad", wantErr: `decoder "bad": subs: no decoder section named "nope"`},
		{name: "no sections", section: "leaf", noSections: true, wantErr: pipeline.ErrNoSections.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			built = nil
			var opts []pipeline.EnvOption
			if !tc.noSections {
				opts = append(opts, pipeline.WithSections(secs))
			}
			env := pipeline.NewEnv("in-top", "EnvBuildTestDecoder", nil, nil, nil, append(opts, pipeline.WithSection("top"))...)
			d, err := env.Decoder(tc.section)
			if tc.wantErr != "" {
				if err == nil || !strings.HasSuffix(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one ending in %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || d == nil {
				t.Fatalf("Decoder: %v", err)
			}
			if fmt.Sprint(built) != fmt.Sprint(tc.wantBuilt) {
				t.Fatalf("built %v, want %v", built, tc.wantBuilt)
			}
		})
	}
}
