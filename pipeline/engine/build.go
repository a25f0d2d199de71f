package engine

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// template is a splitter or decoder section from which the engine builds a
// fresh instance per stream (splitters) or per input/stream (decoders).
type template struct {
	name string // instance name: "<input>-<section>"
	sec  config.Section
	env  *pipeline.Env
}

func (t *template) build() (any, error) {
	reg, err := registration(t.sec)
	if err != nil {
		return nil, err
	}
	return reg.Build(t.sec.Config, t.env)
}

func registration(s config.Section) (*pipeline.Registration, error) {
	if s.Registration != nil {
		return s.Registration, nil
	}
	typ := s.Type
	if typ == "" {
		typ = s.Name
	}
	reg, ok := pipeline.Lookup(typ)
	if !ok {
		return nil, fmt.Errorf("no registered plugin type: %s", typ)
	}
	return reg, nil
}

func sectionType(s config.Section) string {
	if s.Type != "" {
		return s.Type
	}
	return s.Name
}

// build builds every plugin of plan; it returns every error joined.
func (e *Engine) build(plan *config.Plan) error {
	var errs []error
	fail := func(s config.Section, err error) {
		errs = append(errs, fmt.Errorf("[%s] (%s): %w", s.Name, sectionType(s), err))
	}
	splitters := map[string]*config.Splitter{}
	for i := range plan.Splitters {
		splitters[plan.Splitters[i].Name] = &plan.Splitters[i]
	}
	decoders := map[string]config.Section{}
	for _, d := range plan.Decoders {
		decoders[d.Name] = d
	}
	encoders := map[string]config.Section{}
	for _, d := range plan.Encoders {
		encoders[d.Name] = d
	}
	e.sections = planSections{pipeline.KindDecoder: decoders, pipeline.KindEncoder: encoders}
	e.shared = pipeline.NewShared()
	seen := map[string]bool{}
	dup := func(s config.Section) bool {
		if seen[s.Name] {
			fail(s, errors.New("duplicate plugin name"))
			return true
		}
		seen[s.Name] = true
		return false
	}

	for _, in := range plan.Inputs {
		if dup(in.Section) {
			continue
		}
		ir, err := e.buildInput(in, splitters, decoders)
		if err != nil {
			fail(in.Section, err)
			continue
		}
		e.inputs = append(e.inputs, ir)
	}
	for _, f := range plan.Filters {
		if dup(f.Section) {
			continue
		}
		s, err := e.buildFilter(f)
		if err != nil {
			fail(f.Section, err)
			continue
		}
		e.filters = append(e.filters, s)
	}
	for _, o := range plan.Outputs {
		if dup(o.Section) {
			continue
		}
		s, err := e.buildOutput(o, encoders)
		if err != nil {
			fail(o.Section, err)
			continue
		}
		e.outputs = append(e.outputs, s)
	}
	return errors.Join(errs...)
}

func (e *Engine) env(name, typ string, opts ...pipeline.EnvOption) *pipeline.Env {
	opts = append([]pipeline.EnvOption{pipeline.WithReports(e), pipeline.WithSections(e.sections), pipeline.WithShared(e.shared)}, opts...)
	return pipeline.NewEnv(name, typ, &e.g, e.opts.Logger, e.opts.Metrics, opts...)
}

// planSections are the template sections of the Plan, by kind and name,
// from which plugins build instances of their own (pipeline.Sections).
type planSections map[pipeline.Kind]map[string]config.Section

// Section implements pipeline.Sections.
func (ps planSections) Section(kind pipeline.Kind, name string) (*pipeline.Registration, any, error) {
	s, ok := ps[kind][name]
	if !ok {
		return nil, nil, fmt.Errorf("no %s section named %q", strings.ToLower(kind.String()), name)
	}
	reg, err := registration(s)
	if err != nil {
		return nil, nil, err
	}
	return reg, s.Config, nil
}

func buildAs[T any](s config.Section, env *pipeline.Env, what string) (T, error) {
	var zero T
	reg, err := registration(s)
	if err != nil {
		return zero, err
	}
	p, err := reg.Build(s.Config, env)
	if err != nil {
		return zero, err
	}
	t, ok := p.(T)
	if !ok {
		return zero, fmt.Errorf("%s is not %s (%T)", reg.Name, what, p)
	}
	return t, nil
}

func (e *Engine) buildInput(in config.Input, splitters map[string]*config.Splitter, decoders map[string]config.Section) (*inputRunner, error) {
	env := e.env(in.Name, sectionType(in.Section))
	plugin, err := buildAs[pipeline.Input](in.Section, env, "an input")
	if err != nil {
		return nil, err
	}
	ir := &inputRunner{
		e:      e,
		name:   in.Name,
		typ:    sectionType(in.Section),
		sec:    in.Section,
		env:    env,
		log:    env.Logger(),
		input:  plugin,
		common: in.Common,
		tick:   in.Common.TickerInterval.Duration(),
	}
	var errs []error
	if ir.tick > 0 {
		if _, ok := plugin.(pipeline.Ticker); !ok {
			errs = append(errs, fmt.Errorf("'%s' can't support a ticker_interval setting", in.Name))
		}
	}
	spName := in.Common.Splitter
	if spName == "" {
		spName = "NullSplitter"
	}
	if sp, ok := splitters[spName]; !ok {
		errs = append(errs, fmt.Errorf("splitter %q: no such splitter section", spName))
	} else {
		name := in.Name + "-" + sp.Name
		ir.splitter = &template{name: name, sec: sp.Section, env: e.env(name, sectionType(sp.Section))}
		ir.split = sp.Common
		if ir.split.MinBufferSize == 0 {
			ir.split.MinBufferSize = pipeline.DefaultSplitterCommon().MinBufferSize
		}
		if v, err := ir.splitter.build(); err != nil {
			errs = append(errs, fmt.Errorf("splitter %q: %w", sp.Name, err))
		} else if _, ok := v.(pipeline.Splitter); !ok {
			errs = append(errs, fmt.Errorf("splitter %q: %T is not a splitter", sp.Name, v))
		}
	}
	if in.Common.Decoder != "" {
		if d, ok := decoders[in.Common.Decoder]; !ok {
			errs = append(errs, fmt.Errorf("decoder %q: no such decoder section", in.Common.Decoder))
		} else {
			name := in.Name + "-" + d.Name
			ir.decoder = &template{name: name, sec: d, env: e.env(name, sectionType(d), pipeline.WithSection(d.Name))}
			if v, err := ir.decoder.build(); err != nil {
				errs = append(errs, fmt.Errorf("decoder %q: %w", d.Name, err))
			} else if _, ok := v.(pipeline.Decoder); !ok {
				errs = append(errs, fmt.Errorf("decoder %q: %T is not a decoder", d.Name, v))
			} else if c, ok := v.(io.Closer); ok {
				c.Close() // built to check the section only: each stream builds its own
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ir, nil
}

func (e *Engine) newSink(sec config.Section, kind pipeline.Kind, matcher, signer string, tick pipeline.Seconds, canExit bool, retries pipeline.RetryOptions) (*sink, []error) {
	var opts []pipeline.EnvOption
	if kind == pipeline.KindFilter {
		opts = append(opts, pipeline.WithFilters(filterHost{e}))
	}
	env := e.env(sec.Name, sectionType(sec), opts...)
	s := &sink{
		e:       e,
		name:    sec.Name,
		typ:     sectionType(sec),
		kind:    kind,
		env:     env,
		log:     env.Logger(),
		signer:  signer,
		canExit: canExit,
		retries: retries,
		tick:    tick.Duration(),
		ch:      make(chan *batch, e.chanSize),
		reopen:  make(chan struct{}, 1),
		stopReq: make(chan struct{}),
		ready:   make(chan struct{}),
	}
	var errs []error
	if matcher == "" {
		errs = append(errs, fmt.Errorf("'%s' missing message matcher", sec.Name))
	} else if m, err := e.opts.CompileMatcher(matcher); err != nil {
		errs = append(errs, fmt.Errorf("can't create message matcher for '%s': %w", sec.Name, err))
	} else {
		s.matcher = m
		s.matcherText = matcher
		s.need, s.constMatch = needs(m)
	}
	return s, errs
}

func (e *Engine) buildFilter(f config.Filter) (*sink, error) {
	s, errs := e.newSink(f.Section, pipeline.KindFilter, f.Common.MessageMatcher, f.Common.MessageSigner,
		f.Common.TickerInterval, f.Common.CanExit, f.Common.Retries)
	plugin, err := buildAs[pipeline.Filter](f.Section, s.env, "a filter")
	if err != nil {
		errs = append(errs, err)
	} else {
		s.filter = plugin
		s.plugin = plugin
	}
	s.buffered, s.buffering = f.Common.UseBuffering, f.Common.Buffering
	errs = append(errs, s.checkTicker()...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

func (e *Engine) buildOutput(o config.Output, encoders map[string]config.Section) (*sink, error) {
	s, errs := e.newSink(o.Section, pipeline.KindOutput, o.Common.MessageMatcher, o.Common.MessageSigner,
		o.Common.TickerInterval, o.Common.CanExit, o.Common.Retries)
	plugin, err := buildAs[pipeline.Output](o.Section, s.env, "an output")
	if err != nil {
		errs = append(errs, err)
	} else {
		s.output = plugin
		s.plugin = plugin
	}
	if o.Common.Encoder != "" {
		if sec, ok := encoders[o.Common.Encoder]; !ok {
			errs = append(errs, fmt.Errorf("encoder %q: no such encoder section", o.Common.Encoder))
		} else {
			s.encName = o.Name + "-" + sec.Name
			enc, err := buildAs[pipeline.Encoder](sec, e.env(s.encName, sectionType(sec), pipeline.WithSection(sec.Name)), "an encoder")
			if err != nil {
				errs = append(errs, fmt.Errorf("encoder %q: %w", sec.Name, err))
			}
			s.encoder = enc
		}
	}
	s.framing = o.UseFraming
	s.buffered, s.buffering = o.Common.UseBuffering, o.Common.Buffering
	errs = append(errs, s.checkTicker()...)
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *sink) checkTicker() []error {
	if s.tick <= 0 || s.plugin == nil {
		return nil
	}
	if _, ok := s.plugin.(pipeline.Ticker); !ok {
		return []error{fmt.Errorf("'%s' can't support a ticker_interval setting", s.name)}
	}
	return nil
}
