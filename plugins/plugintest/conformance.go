package plugintest

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/hekad-go/hekad/message/matcher"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/pipeline/config"
)

// Option is one documented option: its TOML key (dotted for sub-tables)
// and its default as the README writes it.
type Option struct {
	Key     string
	Default string
}

// Options lists the options of a registered plugin with their defaults:
// every toml-tagged field of its config (sub-tables as "table.key"),
// followed by the common options whose defaults the plugin changes through
// an XCommonDefaulter. Defaults are written as TOML literals ("644", 5,
// true, "250ms"); a default that cannot be written so (an unset pointer, a
// list, a table) is "".
func Options(reg *pipeline.Registration) []Option {
	cfg := reg.NewConfig()
	opts := structOptions("", reflect.ValueOf(cfg).Elem())
	before, after := commonDefaults(reg.Kind, cfg)
	if before.IsValid() {
		base := structOptions("", before)
		changed := structOptions("", after)
		for i, o := range changed {
			if base[i] != o {
				opts = append(opts, o)
			}
		}
	}
	return opts
}

// commonDefaults returns the kind's standard common options and the same
// after the plugin's defaulter, or invalid values when the kind has none.
func commonDefaults(kind pipeline.Kind, cfg any) (std, adjusted reflect.Value) {
	switch kind {
	case pipeline.KindInput:
		c := pipeline.DefaultInputCommon()
		d := c
		if f, ok := cfg.(pipeline.InputCommonDefaulter); ok {
			f.DefaultInputCommon(&d)
		}
		return reflect.ValueOf(c), reflect.ValueOf(d)
	case pipeline.KindFilter:
		c := pipeline.DefaultFilterCommon()
		d := c
		if f, ok := cfg.(pipeline.FilterCommonDefaulter); ok {
			f.DefaultFilterCommon(&d)
		}
		return reflect.ValueOf(c), reflect.ValueOf(d)
	case pipeline.KindOutput:
		c := pipeline.DefaultOutputCommon()
		d := c
		if f, ok := cfg.(pipeline.OutputCommonDefaulter); ok {
			f.DefaultOutputCommon(&d)
		}
		return reflect.ValueOf(c), reflect.ValueOf(d)
	case pipeline.KindSplitter:
		c := pipeline.DefaultSplitterCommon()
		d := c
		if f, ok := cfg.(pipeline.SplitterCommonDefaulter); ok {
			f.DefaultSplitterCommon(&d)
		}
		return reflect.ValueOf(c), reflect.ValueOf(d)
	}
	return reflect.Value{}, reflect.Value{}
}

var textMarshaler = reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()

// structOptions lists the toml-tagged fields of the struct v.
func structOptions(prefix string, v reflect.Value) []Option {
	var opts []Option
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct && !fv.Type().Implements(textMarshaler) {
			opts = append(opts, structOptions(prefix+name+".", fv)...)
			continue
		}
		opts = append(opts, Option{Key: prefix + name, Default: literal(fv)})
	}
	return opts
}

// literal writes v as a TOML literal, or "" when it has no simple one.
func literal(v reflect.Value) string {
	if v.Type().Implements(textMarshaler) {
		b, err := v.Interface().(interface{ MarshalText() ([]byte, error) }).MarshalText()
		if err != nil {
			return ""
		}
		return strconv.Quote(string(b))
	}
	switch v.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return literal(v.Elem())
	}
	return ""
}

// readmeSection returns the lines of the "## name" section of readme.
func readmeSection(readme, name string) ([]string, bool) {
	var out []string
	in := false
	for line := range strings.Lines(readme) {
		line = strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(line, "## ") {
			if in {
				break
			}
			in = strings.TrimSpace(strings.TrimPrefix(line, "## ")) == name
			continue
		}
		if in {
			out = append(out, line)
		}
	}
	return out, in
}

// tableRows returns the option rows of the markdown tables in lines, by
// option name: the cells after the name (type, default, meaning).
func tableRows(lines []string) map[string][]string {
	rows := map[string][]string{}
	for _, line := range lines {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if len(cells) < 4 {
			continue
		}
		rows[strings.Trim(cells[0], "`")] = cells[1:]
	}
	return rows
}

// CheckREADME checks that the "## <type name>" section of readme has an
// options table (name | type | default | meaning) with a row for every
// option Options lists, whose default cell is the real default (where it
// has a literal form).
func CheckREADME(t testing.TB, readme, typeName string) {
	t.Helper()
	reg, ok := pipeline.Lookup(typeName)
	if !ok {
		t.Fatalf("%s is not registered", typeName)
	}
	lines, ok := readmeSection(readme, typeName)
	if !ok {
		t.Fatalf("README has no \"## %s\" section", typeName)
	}
	rows := tableRows(lines)
	for _, o := range Options(reg) {
		row, ok := rows[o.Key]
		if !ok {
			t.Errorf("README section %s: no options table row for %q", typeName, o.Key)
			continue
		}
		if o.Default == "" {
			continue
		}
		if got := strings.Trim(row[1], "`"); got != o.Default {
			t.Errorf("README section %s: option %q documented with default %s, real default is %s", typeName, o.Key, row[1], o.Default)
		}
	}
}

// CheckSample decodes the registration's sample configuration strictly,
// as the configuration loader does (common options plus the plugin's own,
// every key known), and validates it. The sample must hold a section of
// typeName.
func CheckSample(t testing.TB, typeName string) {
	t.Helper()
	reg, ok := pipeline.Lookup(typeName)
	if !ok {
		t.Fatalf("%s is not registered", typeName)
	}
	if strings.TrimSpace(reg.Sample) == "" {
		t.Fatalf("%s has no sample configuration", typeName)
	}
	if err := DecodeSection(reg.Sample, typeName); err != nil {
		t.Fatalf("%s sample: %v\n%s", typeName, err, reg.Sample)
	}
}

// DecodeSection decodes the first section of type typeName in the TOML
// text doc strictly and validates it, returning the first problem. Tests
// use it to check that a bad configuration is rejected with an error that
// names the key.
func DecodeSection(doc, typeName string) error {
	_, err := DecodeConfig(doc, typeName)
	return err
}

// DecodeConfig is DecodeSection that also returns the plugin's decoded
// config (the pointer made by the registration's NewConfig).
func DecodeConfig(doc, typeName string) (any, error) {
	_, cfg, err := decodeConfig(doc, typeName)
	return cfg, err
}

// decodeConfig is DecodeConfig that also returns the section's common
// options (a pointer to the kind's XCommon struct, nil for kinds without
// any).
func decodeConfig(doc, typeName string) (common, cfg any, err error) {
	reg, ok := pipeline.Lookup(typeName)
	if !ok {
		return nil, nil, fmt.Errorf("%s is not registered", typeName)
	}
	var sections map[string]toml.Primitive
	md, err := toml.Decode(doc, &sections)
	if err != nil {
		return nil, nil, err
	}
	for _, key := range md.Keys() {
		if len(key) != 1 {
			continue
		}
		name := key[0]
		var typ struct {
			Type string `toml:"type"`
		}
		if err := md.PrimitiveDecode(sections[name], &typ); err != nil {
			return nil, nil, fmt.Errorf("[%s] type: %w", name, err)
		}
		if typ.Type == "" {
			typ.Type = name
		}
		if typ.Type != typeName {
			continue
		}
		return decodeSection(md, sections[name], name, reg)
	}
	return nil, nil, fmt.Errorf("no section of type %s", typeName)
}

func decodeSection(md toml.MetaData, prim toml.Primitive, name string, reg *pipeline.Registration) (commonCfg, cfg any, err error) {
	cfg = reg.NewConfig()
	_, common := commonDefaults(reg.Kind, cfg)
	var errs []error
	var validate []error
	if common.IsValid() {
		c := reflect.New(common.Type())
		c.Elem().Set(common)
		if err := md.PrimitiveDecode(prim, c.Interface()); err != nil {
			return nil, nil, fmt.Errorf("[%s]: %w", name, err)
		}
		commonCfg = c.Interface()
		switch c := c.Interface().(type) {
		case *pipeline.InputCommon:
			validate = append(validate, c.Validate())
		case *pipeline.FilterCommon:
			validate = append(validate, c.Retries.Validate(), c.Buffering.Validate(), checkMatcher(c.MessageMatcher))
		case *pipeline.OutputCommon:
			validate = append(validate, c.Retries.Validate(), c.Buffering.Validate(), checkMatcher(c.MessageMatcher))
		}
	}
	if err := md.PrimitiveDecode(prim, cfg); err != nil {
		return nil, nil, fmt.Errorf("[%s]: %w", name, err)
	}
	if err := config.CheckTables(md, name, cfg); err != nil {
		errs = append(errs, fmt.Errorf("[%s]: %w", name, err))
	}
	for _, k := range md.Undecoded() {
		if len(k) >= 2 && k[0] == name && k[1] != "type" {
			errs = append(errs, fmt.Errorf("[%s]: unknown key %q", name, strings.Join(k[1:], ".")))
		}
	}
	if v, ok := cfg.(pipeline.Validator); ok {
		validate = append(validate, v.Validate())
	}
	for _, err := range validate {
		if err != nil {
			errs = append(errs, fmt.Errorf("[%s] %w", name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return commonCfg, cfg, nil
}

func checkMatcher(expr string) error {
	if expr == "" {
		return errors.New("message_matcher: missing")
	}
	if _, err := matcher.Compile(expr); err != nil {
		return fmt.Errorf("message_matcher: %w", err)
	}
	return nil
}

// CheckDocs runs CheckREADME and CheckSample for every type name, and
// checks that the README shows each sample verbatim.
func CheckDocs(t *testing.T, readme string, typeNames ...string) {
	t.Helper()
	for _, name := range typeNames {
		t.Run(name, func(t *testing.T) {
			CheckREADME(t, readme, name)
			CheckSample(t, name)
			if reg, ok := pipeline.Lookup(name); ok && !strings.Contains(readme, reg.Sample) {
				t.Errorf("README does not show the %s sample verbatim", name)
			}
		})
	}
}

// CheckInvalid decodes each configuration of type typeName and checks that
// it is rejected with an error that mentions the key.
func CheckInvalid(t *testing.T, typeName string, cases map[string]string) {
	t.Helper()
	for doc, key := range cases {
		err := DecodeSection(doc, typeName)
		if err == nil {
			t.Errorf("%s: accepted, want an error naming %q:\n%s", typeName, key, doc)
			continue
		}
		if !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %q does not name %q:\n%s", typeName, err, key, doc)
		}
	}
}
