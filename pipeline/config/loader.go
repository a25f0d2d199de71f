package config

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/hekad-go/hekad/pipeline"
)

// loader holds the state of one Load: the Plan being built and the errors
// found so far, each tagged with where it was found so that they can be
// reported in file order.
type loader struct {
	plan *Plan
	errs []located
	// kinds maps every section name (defined or auto-registered) to its
	// kind, or to -1 when the kind is unknown, for reference checks.
	kinds map[string]pipeline.Kind
	// types maps every section name whose plugin is registered to its
	// plugin type, for typed references (pipeline.SectionReferrer).
	types map[string]string
	// refs are the options naming other sections, checked once every
	// section is known.
	refs []reference
	// later are the probes of template sections (decoders, encoders),
	// run once every section is decoded (probeLater).
	later []func()
	// binds are the addresses of the inputs that declare one
	// (pipeline.Listening), in load order.
	binds []binding
}

// located is an error with the position of what caused it.
type located struct {
	file, pos int
	err       error
}

func newLoader() *loader {
	return &loader{
		plan:  &Plan{Globals: pipeline.DefaultGlobals()},
		kinds: map[string]pipeline.Kind{},
		types: map[string]string{},
	}
}

// add records err as found in file number fileIdx at section position pos.
func (l *loader) add(fileIdx, pos int, err error) {
	l.errs = append(l.errs, located{fileIdx, pos, err})
}

// err returns every recorded error in file order, or nil.
func (l *loader) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(l.errs, func(a, b located) int {
		if c := cmp.Compare(a.file, b.file); c != 0 {
			return c
		}
		if c := cmp.Compare(a.pos, b.pos); c != 0 {
			return c
		}
		return cmp.Compare(lineOf(a.err), lineOf(b.err))
	})
	errs := make([]error, len(l.errs))
	for i, e := range l.errs {
		errs[i] = e.err
	}
	return errors.Join(errs...)
}

// decodeGlobals decodes [hekad] strictly into the Plan's Globals.
func (l *loader) decodeGlobals(r *rawSection) {
	if r == nil {
		l.validateGlobals(nil)
		return
	}
	sc := &sectionCtx{l: l, raw: r}
	if !sc.isTable() {
		return
	}
	if !sc.decode(&l.plan.Globals) {
		return
	}
	sc.checkUnknown(nil)
	l.validateGlobals(sc)
}

// validateGlobals runs Globals.Validate and reports each of its errors
// against the [hekad] section (or the defaults when there is none).
func (l *loader) validateGlobals(sc *sectionCtx) {
	err := l.plan.Globals.Validate()
	if err == nil {
		return
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, err := range errs {
		if sc == nil {
			l.add(-1, 0, fmt.Errorf("[hekad] defaults: %w", err))
			continue
		}
		// Globals.Validate prefixes its messages with "[hekad] KEY: ".
		msg := strings.TrimPrefix(err.Error(), "[hekad] ")
		key, rest, ok := strings.Cut(msg, ": ")
		if !ok || strings.ContainsAny(key, " ") {
			sc.fail("", err)
			continue
		}
		sc.fail(key, errors.New(rest))
	}
}

// sectionCtx is one section being decoded: it knows where the section came
// from and files errors against it.
type sectionCtx struct {
	l    *loader
	raw  *rawSection
	typ  string
	free []string // free-form sub-tables declared by the plugin
	into []any    // what the section was decoded into, for suggestions
}

// fail records an error about key ("" for the whole section).
func (sc *sectionCtx) fail(key string, err error) {
	sc.failAt(key, -1, err)
}

// failAt records an error about key at byte offset pos of its value.
func (sc *sectionCtx) failAt(key string, pos int, err error) {
	sc.addErr(key, nil, 0, pos, err)
}

// addErr records an error about key (whose parts, when known, are
// keyParts) at line (0: the line the key, or else the section, is defined
// on).
func (sc *sectionCtx) addErr(key string, keyParts []string, line, pos int, err error) {
	if line == 0 {
		if keyParts == nil && key != "" {
			keyParts = strings.Split(key, ".")
		}
		line = sc.raw.file.lines.lineOf(append([]string{sc.raw.name}, keyParts...)...)
	}
	sc.l.add(sc.raw.file.index, sc.raw.pos, &Error{
		File: sc.raw.file.name, Line: line, Section: sc.raw.name, Type: sc.typ, Key: key, Pos: pos, Err: err,
	})
}

// isTable reports whether the section is a TOML table, recording an error
// when it is not.
func (sc *sectionCtx) isTable() bool {
	// A table only implied by a sub-table header ([a.b] without [a]) has
	// no type of its own.
	if t := sc.raw.file.md.Type(sc.raw.name); t != "Hash" && t != "" {
		sc.fail("", fmt.Errorf("not a table (a TOML %s): every top-level key must be a [section]", strings.ToLower(t)))
		return false
	}
	return true
}

// decode decodes the section into v, recording a failure. It reports
// whether decoding succeeded.
func (sc *sectionCtx) decode(v any) bool {
	sc.into = append(sc.into, v)
	err := sc.raw.file.md.PrimitiveDecode(sc.raw.prim, v)
	if err == nil {
		bad := notTables(sc.raw.file.md, toml.Key{sc.raw.name}, v)
		for _, b := range bad {
			sc.fail(b.key, fmt.Errorf("must be a table, not a TOML %s", b.kind))
		}
		return len(bad) == 0
	}
	line, key, msg := sc.splitDecodeError(err)
	sc.addErr(key, nil, line, -1, errors.New(msg))
	return false
}

// decodeErrorRE matches the errors of MetaData.PrimitiveDecode that are
// not ParseError values.
var decodeErrorRE = regexp.MustCompile(`(?s)^toml: (?:line (\d+) )?\(last key ("(?:[^"\\]|\\.)*")\): (.*)$`)

// splitDecodeError extracts the line, the key relative to the section and
// the message of a decoding error.
func (sc *sectionCtx) splitDecodeError(err error) (line int, key, msg string) {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return pe.Position.Line, sc.relKey(pe.LastKey), pe.Message
	}
	m := decodeErrorRE.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, "", strings.TrimPrefix(err.Error(), "toml: ")
	}
	line, _ = strconv.Atoi(m[1])
	full, uerr := strconv.Unquote(m[2])
	if uerr != nil {
		full = m[2]
	}
	return line, sc.relKey(full), m[3]
}

// relKey strips the section name from a dotted key.
func (sc *sectionCtx) relKey(full string) string {
	prefix := toml.Key{sc.raw.name}.String() + "."
	return strings.TrimPrefix(full, prefix)
}

// checkUnknown reports every key of the section that nothing decoded,
// except those under the free-form sub-tables. Only the outermost unknown
// key of a sub-table is reported.
func (sc *sectionCtx) checkUnknown(free []string) {
	var reported []toml.Key
outer:
	for _, k := range sc.raw.file.md.Undecoded() {
		if len(k) < 2 || k[0] != sc.raw.name {
			continue
		}
		if slices.Contains(free, k[1]) {
			continue
		}
		for _, p := range reported {
			if len(k) > len(p) && slices.Equal(k[:len(p)], p) {
				continue outer
			}
		}
		reported = append(reported, k)
		sc.addErr(toml.Key(k[1:]).String(), k[1:], 0, -1, sc.unknownKey(k[1:]))
	}
}

// lineOf is the line of an *Error, 0 for other errors.
func lineOf(err error) int {
	if e, ok := err.(*Error); ok {
		return e.Line
	}
	return 0
}
