package plugintest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// Sections is the pipeline.Sections of a TOML document: what a plugin
// built from it finds with Env.Build and Env.Decoder. Each section is
// decoded strictly and validated, as the loader does, when a plugin asks
// for it; the registered default plugins (config.DefaultPlugins) that the
// document does not define are there with their defaults, as in a Plan.
type Sections struct {
	md       toml.MetaData
	sections map[string]toml.Primitive
}

// NewSections parses doc.
func NewSections(doc string) (*Sections, error) {
	s := &Sections{}
	md, err := toml.Decode(doc, &s.sections)
	if err != nil {
		return nil, err
	}
	s.md = md
	return s, nil
}

// Section implements pipeline.Sections.
func (s *Sections) Section(kind pipeline.Kind, name string) (*pipeline.Registration, any, error) {
	prim, ok := s.sections[name]
	if !ok {
		if slices.Contains(config.DefaultPlugins, name) {
			if reg, ok := pipeline.Lookup(name); ok && reg.Kind == kind {
				return reg, reg.NewConfig(), nil
			}
		}
		return nil, nil, fmt.Errorf("no %s section named %q", strings.ToLower(kind.String()), name)
	}
	var typ struct {
		Type string `toml:"type"`
	}
	if err := s.md.PrimitiveDecode(prim, &typ); err != nil {
		return nil, nil, fmt.Errorf("[%s] type: %w", name, err)
	}
	if typ.Type == "" {
		typ.Type = name
	}
	reg, ok := pipeline.Lookup(typ.Type)
	if !ok {
		return nil, nil, fmt.Errorf("[%s]: %s is not registered", name, typ.Type)
	}
	if reg.Kind != kind {
		return nil, nil, fmt.Errorf("%q is %s section, not %s", name, article(reg.Kind), article(kind))
	}
	_, cfg, err := decodeSection(s.md, prim, name, reg)
	if err != nil {
		return nil, nil, err
	}
	return reg, cfg, nil
}

// Build builds the plugin of section name of the TOML document doc,
// decoded strictly and validated as the loader does, with an Env whose
// base_dir is a temporary directory and whose Sections are doc's (so a
// MultiDecoder finds its subs there). It fails t when any of that fails.
func Build(t testing.TB, doc, name string) any {
	t.Helper()
	p, err := TryBuild(t, doc, name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TryBuild is Build returning the error rather than failing t.
func TryBuild(t testing.TB, doc, name string) (any, error) {
	t.Helper()
	secs, err := NewSections(doc)
	if err != nil {
		return nil, err
	}
	prim, ok := secs.sections[name]
	if !ok {
		return nil, fmt.Errorf("no section [%s]", name)
	}
	var typ struct {
		Type string `toml:"type"`
	}
	if err := secs.md.PrimitiveDecode(prim, &typ); err != nil {
		return nil, err
	}
	if typ.Type == "" {
		typ.Type = name
	}
	reg, ok := pipeline.Lookup(typ.Type)
	if !ok {
		return nil, fmt.Errorf("[%s]: %s is not registered", name, typ.Type)
	}
	_, cfg, err := decodeSection(secs.md, prim, name, reg)
	if err != nil {
		return nil, err
	}
	g := pipeline.DefaultGlobals()
	g.BaseDir = t.TempDir()
	env := pipeline.NewEnv(name, reg.Name, &g, nil, nil, pipeline.WithSections(secs))
	return reg.Build(cfg, env)
}

// article returns the kind's name in lower case with "a" or "an".
func article(k pipeline.Kind) string {
	s := strings.ToLower(k.String())
	if strings.IndexByte("aeiou", s[0]) >= 0 {
		return "an " + s
	}
	return "a " + s
}
