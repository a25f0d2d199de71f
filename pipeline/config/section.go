package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/matcher"
	"github.com/hekad-go/hekad/pipeline"
)

// Freeform is implemented by plugin config types whose section holds
// sub-tables of free-form keys that the plugin reads itself (the sandboxes'
// config table). FreeformKeys names those sub-tables (or keys); nothing
// under them is reported as unknown. The plugin's config struct still
// decodes them, typically into a map[string]any field.
type Freeform interface {
	FreeformKeys() []string
}

// typeOnly decodes the type key of a section.
type typeOnly struct {
	Type string `toml:"type"`
}

// decodeSection decodes one plugin section into the Plan. Errors are
// recorded; a broken section is left out of the Plan.
func (l *loader) decodeSection(r *rawSection) {
	sc := &sectionCtx{l: l, raw: r}
	l.kinds[r.name] = -1
	if !sc.isTable() {
		return
	}
	var t typeOnly
	if !sc.decode(&t) {
		return
	}
	sc.typ = t.Type
	if sc.typ == "" {
		sc.typ = r.name
	}
	reg, ok := pipeline.Lookup(sc.typ)
	if !ok {
		if k, isKind := pipeline.KindOf(sc.typ); isKind {
			l.kinds[r.name] = k // references to it are still checked
		}
		sc.fail("type", unregisteredType(sc.typ))
		return
	}
	kind := reg.Kind
	l.kinds[r.name] = kind
	l.types[r.name] = sc.typ
	cfg := reg.NewConfig()
	if f, ok := cfg.(Freeform); ok {
		sc.free = f.FreeformKeys()
	}
	sec := Section{Name: r.name, Type: sc.typ, Kind: kind, Source: r.file.name, Registration: reg, Config: cfg}
	before := len(l.errs)

	// The common options first, then the plugin's own, from the same
	// section: each marks the keys it knows as decoded.
	decoded := true
	switch kind {
	case pipeline.KindInput:
		in := Input{Section: sec, Common: sc.inputCommon(cfg, &decoded)}
		if decoded {
			sc.ref("decoder", in.Common.Decoder, pipeline.KindDecoder)
			sc.ref("splitter", in.Common.Splitter, pipeline.KindSplitter)
		}
		decoded = sc.decode(cfg) && decoded
		if decoded {
			sc.checkUnknown(sc.free)
			sc.validate(in.Common.Validate())
		}
		sc.validatePlugin(cfg, decoded)
		if decoded && l.onlyUnknownKeysSince(before) {
			sc.probe(reg, cfg, in.Common.TickerInterval)
		}
		if len(l.errs) == before {
			l.plan.Inputs = append(l.plan.Inputs, in)
			sc.recordListens(cfg)
		}
	case pipeline.KindFilter:
		f := Filter{Section: sec, Common: sc.filterCommon(cfg, &decoded)}
		decoded = sc.decode(cfg) && decoded
		if decoded {
			sc.checkUnknown(sc.free)
			c := &f.Common
			sc.validate(c.Retries.Validate())
			sc.validate(c.Buffering.Validate())
			sc.checkBuffering(c.UseBuffering, c.Buffering)
			sc.checkMatcher(c.MessageMatcher)
		}
		sc.validatePlugin(cfg, decoded)
		if decoded && l.onlyUnknownKeysSince(before) {
			sc.probe(reg, cfg, f.Common.TickerInterval)
		}
		if len(l.errs) == before {
			l.plan.Filters = append(l.plan.Filters, f)
		}
	case pipeline.KindOutput:
		o := Output{Section: sec, Common: sc.outputCommon(cfg, &decoded)}
		if decoded {
			sc.ref("encoder", o.Common.Encoder, pipeline.KindEncoder)
		}
		decoded = sc.decode(cfg) && decoded
		if decoded {
			sc.checkUnknown(sc.free)
			c := &o.Common
			sc.validate(c.Retries.Validate())
			sc.validate(c.Buffering.Validate())
			sc.checkBuffering(c.UseBuffering, c.Buffering)
			sc.checkMatcher(c.MessageMatcher)
		}
		sc.validatePlugin(cfg, decoded)
		if decoded && l.onlyUnknownKeysSince(before) {
			sc.probe(reg, cfg, o.Common.TickerInterval)
		}
		if len(l.errs) == before {
			l.plan.Outputs = append(l.plan.Outputs, o)
		}
	case pipeline.KindSplitter:
		s := Splitter{Section: sec, Common: sc.splitterCommon(cfg, &decoded)}
		decoded = sc.decode(cfg) && decoded
		if decoded {
			sc.checkUnknown(sc.free)
			sc.checkMinBuffer(s.Common.MinBufferSize)
		}
		sc.validatePlugin(cfg, decoded)
		if decoded && l.onlyUnknownKeysSince(before) {
			sc.probe(reg, cfg, 0)
		}
		if len(l.errs) == before {
			l.plan.Splitters = append(l.plan.Splitters, s)
		}
	case pipeline.KindDecoder, pipeline.KindEncoder:
		decoded = sc.decode(cfg)
		if decoded {
			sc.checkUnknown(sc.free)
		}
		sc.validatePlugin(cfg, decoded)
		if decoded && l.onlyUnknownKeysSince(before) {
			// Probed once every section is known: a decoder may build
			// others (MultiDecoder's subs), defined before or after it.
			l.later = append(l.later, func() { sc.probe(reg, cfg, 0) })
		}
		if len(l.errs) != before {
			break
		}
		if kind == pipeline.KindDecoder {
			l.plan.Decoders = append(l.plan.Decoders, sec)
		} else {
			l.plan.Encoders = append(l.plan.Encoders, sec)
		}
	}
}

// inputCommon decodes the common input options over the defaults (Heka's,
// adjusted by the plugin). Empty names and a zero ticker_interval fall back
// to the plugin's defaults, as in Heka.
func (sc *sectionCtx) inputCommon(cfg any, ok *bool) pipeline.InputCommon {
	c := pipeline.DefaultInputCommon()
	if d, isD := cfg.(pipeline.InputCommonDefaulter); isD {
		d.DefaultInputCommon(&c)
	}
	def := c
	*ok = sc.decode(&c) && *ok
	// As in Heka, an explicit `decoder = ""` means no decoder and an
	// explicit `splitter = ""` the NullSplitter, even where the plugin
	// changes their defaults (TcpInput): Heka decoded the section into the
	// plugin's own struct, so an explicit empty value replaced its default.
	c.Splitter = orString(c.Splitter, "NullSplitter")
	if c.TickerInterval == 0 {
		c.TickerInterval = def.TickerInterval
	}
	return c
}

// filterCommon decodes the common filter options; see foCommon.
func (sc *sectionCtx) filterCommon(cfg any, ok *bool) pipeline.FilterCommon {
	c := pipeline.DefaultFilterCommon()
	if d, isD := cfg.(pipeline.FilterCommonDefaulter); isD {
		d.DefaultFilterCommon(&c)
	}
	def := c
	*ok = sc.decode(&c) && *ok
	c.MessageMatcher = orString(c.MessageMatcher, def.MessageMatcher)
	if c.TickerInterval == 0 {
		c.TickerInterval = def.TickerInterval
	}
	fixBuffering(&c.Buffering, def.Buffering)
	return c
}

// outputCommon decodes the common output options over the defaults
// (Heka's, adjusted by the plugin). Unlike Heka, a buffering table that sets
// only some keys keeps the plugin's buffering defaults for the others (Heka
// restarted from the standard defaults as soon as the table existed). Empty
// names and a zero ticker_interval fall back to the plugin's defaults.
func (sc *sectionCtx) outputCommon(cfg any, ok *bool) pipeline.OutputCommon {
	c := pipeline.DefaultOutputCommon()
	if d, isD := cfg.(pipeline.OutputCommonDefaulter); isD {
		d.DefaultOutputCommon(&c)
	}
	def := c
	*ok = sc.decode(&c) && *ok
	c.MessageMatcher = orString(c.MessageMatcher, def.MessageMatcher)
	// An explicit `encoder = ""` means no encoder, as in Heka.
	if c.TickerInterval == 0 {
		c.TickerInterval = def.TickerInterval
	}
	fixBuffering(&c.Buffering, def.Buffering)
	return c
}

// splitterCommon decodes the common splitter options; a zero
// min_buffer_size means the plugin's default.
func (sc *sectionCtx) splitterCommon(cfg any, ok *bool) pipeline.SplitterCommon {
	c := defaultSplitterCommon(cfg)
	def := c
	*ok = sc.decode(&c) && *ok
	if c.MinBufferSize == 0 {
		c.MinBufferSize = def.MinBufferSize
	}
	return c
}

// defaultSplitterCommon returns the common splitter defaults adjusted by
// the plugin.
func defaultSplitterCommon(cfg any) pipeline.SplitterCommon {
	c := pipeline.DefaultSplitterCommon()
	if d, ok := cfg.(pipeline.SplitterCommonDefaulter); ok {
		d.DefaultSplitterCommon(&c)
	}
	return c
}

// fixBuffering applies Heka's coercions of zero buffering values: a zero
// max_file_size or an empty full_action means the plugin's default (def),
// a zero cursor_update_count means 1.
func fixBuffering(b *pipeline.BufferConfig, def pipeline.BufferConfig) {
	if b.MaxFileSize == 0 {
		b.MaxFileSize = def.MaxFileSize
	}
	if b.CursorUpdateCount == 0 {
		b.CursorUpdateCount = 1
	}
	if b.FullAction == "" {
		b.FullAction = def.FullAction
	}
}

// checkBuffering checks that a disk queue file can hold the largest record
// (Heka's MAX_RECORD_SIZE, which depends on [hekad] max_message_size).
func (sc *sectionCtx) checkBuffering(use bool, b pipeline.BufferConfig) {
	maxRecord := sc.maxRecord()
	if use && b.MaxFileSize < maxRecord {
		sc.fail("buffering.max_file_size", fmt.Errorf("must be at least the largest record size (%d), got %d", maxRecord, b.MaxFileSize))
	}
}

// checkMinBuffer checks a splitter's min_buffer_size against the largest
// record size.
func (sc *sectionCtx) checkMinBuffer(n uint32) {
	maxRecord := sc.maxRecord()
	if uint64(n) > maxRecord {
		sc.fail("min_buffer_size", fmt.Errorf("must not exceed the largest record size (%d), got %d", maxRecord, n))
	}
}

// maxRecord is the largest framed record of a message of [hekad]
// max_message_size (Heka's MAX_RECORD_SIZE).
func (sc *sectionCtx) maxRecord() uint64 {
	return uint64(message.MaxRecordSize(int(sc.l.plan.Globals.MaxMessageSize)))
}

// checkMatcher requires a message_matcher and compiles it.
func (sc *sectionCtx) checkMatcher(expr string) {
	if expr == "" {
		sc.fail("message_matcher", errors.New("missing: filters and outputs need a message matcher"))
		return
	}
	if _, err := matcher.Compile(expr); err != nil {
		var se *matcher.SyntaxError
		if errors.As(err, &se) {
			sc.failAt("message_matcher", se.Pos, err)
			return
		}
		sc.fail("message_matcher", err)
	}
}

// validate records err, from a Validate method that names its key: each
// of the joined errors whose text starts with "KEY: " for a key the section
// accepts is filed against that key (so that it gets the key's line).
func (sc *sectionCtx) validate(err error) {
	if err == nil {
		return
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, err := range errs {
		key, rest, ok := strings.Cut(err.Error(), ": ")
		if ok && sc.accepts(key) {
			sc.fail(key, errors.New(rest))
			continue
		}
		sc.fail("", err)
	}
}

// accepts reports whether the dotted key names an option of the section.
func (sc *sectionCtx) accepts(key string) bool {
	if key == "" || strings.ContainsAny(key, " \t\n") {
		return false
	}
	parts := strings.Split(key, ".")
	for _, v := range sc.into {
		if slices.Contains(keysAt(reflect.TypeOf(v), parts[:len(parts)-1]), parts[len(parts)-1]) {
			return true
		}
	}
	return false
}

// validatePlugin runs the plugin config's Validate when the section was
// decoded completely.
func (sc *sectionCtx) validatePlugin(cfg any, decoded bool) {
	if v, ok := cfg.(pipeline.Validator); ok && decoded {
		sc.validate(v.Validate())
	}
	if r, ok := cfg.(pipeline.SectionReferrer); ok && decoded {
		for _, ref := range r.SectionRefs() {
			if ref.Name != "" {
				sc.l.refs = append(sc.l.refs, reference{sc: sc, key: ref.Key, name: ref.Name, typ: ref.Type})
			}
		}
	}
}

// onlyUnknownKeysSince reports whether every error recorded since the
// first before ones is an unknown key: such a section's values are
// complete and valid, so its plugin can still be probed.
func (l *loader) onlyUnknownKeysSince(before int) bool {
	for _, e := range l.errs[before:] {
		if !errors.Is(e.err, ErrUnknownKey) {
			return false
		}
	}
	return true
}

// probe builds the plugin once from its validated config, the way the
// engine will, and throws it away: so that the errors only its constructor
// finds, and a ticker_interval on a plugin that cannot tick, are reported
// with the others, in the same run and form (Build opens no sockets and
// starts no goroutines).
func (sc *sectionCtx) probe(reg *pipeline.Registration, cfg any, tick pipeline.Seconds) {
	env := pipeline.NewEnv(sc.raw.name, sc.typ, &sc.l.plan.Globals, nil, nil, pipeline.WithSections(loaderSections{sc.l}))
	p, err := reg.Build(cfg, env)
	if err != nil {
		sc.validate(sc.ownErrors(err))
		return
	}
	if tick > 0 {
		if _, ok := p.(pipeline.Ticker); !ok {
			sc.fail("ticker_interval", fmt.Errorf("%s has no timer, so it cannot take a ticker_interval: leave it out or set it to 0 (Heka refused it too), got %d", sc.typ, tick))
		}
	}
}

// orString returns s, or def when s is empty.
func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
