package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hekad-go/hekad/pipeline"
)

// probeLater runs the probes of the template sections, once every section
// (and default plugin) is known, so that a plugin's constructor may build
// other sections (pipeline.Env.Build): a MultiDecoder naming a decoder
// defined after it.
func (l *loader) probeLater() {
	for _, probe := range l.later {
		probe()
	}
	l.later = nil
}

// errInvalidSection is returned by loaderSections for a section that is
// defined but was left out of the Plan: its own errors are reported.
var errInvalidSection = errors.New("invalid section")

// loaderSections gives probed plugins the sections decoded so far (all of
// them once probeLater runs), as the engine will (pipeline.Sections).
type loaderSections struct{ l *loader }

// Section implements pipeline.Sections.
func (ls loaderSections) Section(kind pipeline.Kind, name string) (*pipeline.Registration, any, error) {
	var secs []Section
	switch kind {
	case pipeline.KindDecoder:
		secs = ls.l.plan.Decoders
	case pipeline.KindEncoder:
		secs = ls.l.plan.Encoders
	case pipeline.KindSplitter:
		for _, s := range ls.l.plan.Splitters {
			secs = append(secs, s.Section)
		}
	}
	if i := slices.IndexFunc(secs, func(s Section) bool { return s.Name == name }); i >= 0 {
		return secs[i].Registration, secs[i].Config, nil
	}
	k, defined := ls.l.kinds[name]
	switch {
	case !defined:
		return nil, nil, fmt.Errorf("no %s section named %q", strings.ToLower(kind.String()), name)
	case k >= 0 && k != kind:
		return nil, nil, fmt.Errorf("%q is %s section, not %s", name, article(k), article(kind))
	}
	return nil, nil, fmt.Errorf("%w %q", errInvalidSection, name)
}

// ownErrors returns the errors joined in err that are about the section
// itself, leaving out those that another section reports (reportedElsewhere).
func (sc *sectionCtx) ownErrors(err error) error {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	return errors.Join(slices.DeleteFunc(errs, sc.reportedElsewhere)...)
}

// reportedElsewhere reports whether a probe's error is about another
// section, which reports it itself at its own line: a section that does
// not build, or a cycle this section is not part of.
func (sc *sectionCtx) reportedElsewhere(err error) bool {
	var ce *pipeline.CycleError
	if errors.As(err, &ce) {
		return !slices.Contains(ce.Path, sc.raw.name)
	}
	var be *pipeline.BuildError
	return errors.Is(err, errInvalidSection) || errors.As(err, &be)
}
