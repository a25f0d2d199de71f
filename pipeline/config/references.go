package config

import (
	"fmt"
	"strings"

	"github.com/hekad-go/hekad/pipeline"
)

// reference is an option of a section that names another section.
type reference struct {
	sc   *sectionCtx
	key  string
	name string
	want pipeline.Kind
	typ  string // when set, the plugin type wanted instead of a kind
}

// ref records that key of the section names a section of kind want (""
// names none).
func (sc *sectionCtx) ref(key, name string, want pipeline.Kind) {
	if name != "" {
		sc.l.refs = append(sc.l.refs, reference{sc: sc, key: key, name: name, want: want})
	}
}

// checkReferences checks every recorded reference against the sections
// and auto-registered defaults, then resolves use_framing.
func (l *loader) checkReferences() {
	for _, r := range l.refs {
		if r.typ != "" {
			l.checkTyped(r)
			continue
		}
		kind, ok := l.kinds[r.name]
		want := strings.ToLower(r.want.String())
		switch {
		case !ok:
			r.sc.fail(r.key, fmt.Errorf("no %s section named %q", want, r.name))
		case kind >= 0 && kind != r.want:
			r.sc.fail(r.key, fmt.Errorf("%q is %s section, not %s", r.name, article(kind), article(r.want)))
		}
	}
	types := make(map[string]string, len(l.plan.Encoders))
	for _, e := range l.plan.Encoders {
		types[e.Name] = e.Type
	}
	for i := range l.plan.Outputs {
		o := &l.plan.Outputs[i]
		o.UseFraming = resolveFraming(o.Common.UseFraming, types[o.Common.Encoder], o.Config)
	}
}

// checkTyped checks a reference to a section of a plugin type.
func (l *loader) checkTyped(r reference) {
	typ, ok := l.types[r.name]
	_, defined := l.kinds[r.name]
	switch {
	case !defined:
		r.sc.fail(r.key, fmt.Errorf("no %s section named %q", r.typ, r.name))
	case ok && typ != r.typ:
		r.sc.fail(r.key, fmt.Errorf("%q is a %s section, not a %s", r.name, typ, r.typ))
	}
}

// resolveFraming returns use_framing: the value set, or else true when the
// encoder is a ProtobufEncoder and the output frames protobuf by default.
func resolveFraming(set *bool, encoderType string, cfg any) bool {
	if set != nil {
		return *set
	}
	d, ok := cfg.(pipeline.FramingDefaulter)
	return ok && encoderType == "ProtobufEncoder" && d.FramesProtobufByDefault()
}

// article returns the kind's name in lower case with "a" or "an".
func article(k pipeline.Kind) string {
	s := strings.ToLower(k.String())
	if strings.IndexByte("aeiou", s[0]) >= 0 {
		return "an " + s
	}
	return "a " + s
}
