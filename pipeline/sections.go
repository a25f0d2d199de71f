package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sections gives plugins the sections of the configuration, so that a
// plugin may build fresh instances of other sections for its own use
// (MultiDecoder builds its subs; a plugin managing others may build them
// later). The engine, the configuration check (hekad -check) and
// plugintest provide one; plugins use it through Env.Build and Env.Decoder.
type Sections interface {
	// Section returns the registration and the decoded, validated config
	// (the pointer made by the registration's NewConfig) of the section
	// name, which must be of kind. Its error reads well after "KEY: ":
	// `no decoder section named "x"`, `"x" is an input section, not a
	// decoder`.
	Section(kind Kind, name string) (*Registration, any, error)
}

// ErrNoSections is returned by Env.Build when the Env has no Sections
// (one made by NewEnv without WithSections).
var ErrNoSections = errors.New("no configuration sections to build from")

// CycleError is returned by Env.Build when the section to build is one of
// those already being built: a MultiDecoder that names itself, or several
// that name each other.
type CycleError struct {
	// Path is the sections from the first occurrence of the repeated one
	// to its repetition: ["a", "a"], ["a", "b", "a"].
	Path []string
}

func (e *CycleError) Error() string {
	if len(e.Path) == 2 {
		return fmt.Sprintf("%q names its own section", e.Path[0])
	}
	return "sections name each other in a cycle: " + strings.Join(e.Path, " -> ")
}

// BuildError is returned by Env.Build when the section it builds fails to
// build (its constructor, or Sections, refused it).
type BuildError struct {
	Kind    Kind
	Section string
	Err     error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("%s %q: %v", strings.ToLower(e.Kind.String()), e.Section, e.Err)
}

func (e *BuildError) Unwrap() error { return e.Err }

// Build builds a fresh instance of the configuration section name, which
// must be of kind, for the plugin's own use; the result implements kind's
// interface. Its Env is named "<this plugin's name>-<name>" and has this
// Env's globals, logger, metrics, reports and sections. A constructor may
// call it (Build opens no sockets and starts no goroutines, so neither
// does this). The plugin owns what it builds: it calls its methods, and
// closes it when it implements io.Closer.
//
// Errors: ErrNoSections, the Sections' lookup error as it is, a
// *CycleError when name is being built already (through any number of
// plugins), or a *BuildError wrapping the constructor's error.
func (e *Env) Build(kind Kind, name string) (any, error) {
	if e.sections == nil {
		return nil, ErrNoSections
	}
	lineage := append(slices.Clone(e.chain), e.section)
	if i := slices.Index(lineage, name); i >= 0 {
		return nil, &CycleError{Path: append(lineage[i:], name)}
	}
	reg, cfg, err := e.sections.Section(kind, name)
	if err != nil {
		return nil, err
	}
	if reg.Kind != kind {
		return nil, fmt.Errorf("%q is %s section, not %s", name, reg.Kind.article(), kind.article())
	}
	sub := NewEnv(e.name+"-"+name, reg.Name, e.globals, e.baseLogger, e.baseMetrics,
		WithReports(e.reports), WithSections(e.sections), WithSection(name))
	sub.chain = lineage
	p, err := reg.Build(cfg, sub)
	if err != nil {
		var ce *CycleError
		if errors.As(err, &ce) {
			return nil, ce
		}
		return nil, &BuildError{Kind: kind, Section: name, Err: err}
	}
	return p, nil
}

// Decoder builds a fresh instance of the decoder section name (see Build).
func (e *Env) Decoder(name string) (Decoder, error) {
	p, err := e.Build(KindDecoder, name)
	if err != nil {
		return nil, err
	}
	d, ok := p.(Decoder)
	if !ok {
		return nil, &BuildError{Kind: KindDecoder, Section: name, Err: fmt.Errorf("%T is not a decoder", p)}
	}
	return d, nil
}

// article returns the kind's name in lower case with "a" or "an".
func (k Kind) article() string {
	s := strings.ToLower(k.String())
	if strings.IndexByte("aeiou", s[0]) >= 0 {
		return "an " + s
	}
	return "a " + s
}
