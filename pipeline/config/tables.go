package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// badTable is an option that must be a table but is given another value.
type badTable struct {
	key  string // relative to the section, dotted
	kind string // the TOML type found, in lower case
}

var textUnmarshalerType = reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()

// notTables returns the options of v (a pointer to a config struct decoded
// from the table at key section) that are maps in Go but are given a value
// that is not a table in TOML. BurntSushi/toml (v1.6.0) decodes such a
// value into an empty map without an error, so that `message_fields =
// "Type"` would silently configure nothing.
func notTables(md toml.MetaData, section toml.Key, v any) []badTable {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	return walkTables(md, section, len(section), t)
}

func walkTables(md toml.MetaData, key toml.Key, rel int, t reflect.Type) []badTable {
	var bad []badTable
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		k := append(slices.Clip(key), name)
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case reflect.PointerTo(ft).Implements(textUnmarshalerType):
		case ft.Kind() == reflect.Struct:
			if md.IsDefined(k...) && isTable(md.Type(k...)) {
				bad = append(bad, walkTables(md, k, rel, ft)...)
			}
		case ft.Kind() == reflect.Map:
			if md.IsDefined(k...) {
				if typ := md.Type(k...); !isTable(typ) {
					bad = append(bad, badTable{key: toml.Key(k[rel:]).String(), kind: strings.ToLower(typ)})
				}
			}
		}
	}
	return bad
}

// isTable reports whether a MetaData.Type is that of a table: "Hash", or
// "" for a table defined implicitly by its sub-tables ([a.b.c] defines b).
func isTable(typ string) bool { return typ == "Hash" || typ == "" }

// CheckTables returns an error naming every option of v (a pointer to a
// config struct decoded from the section named section) that is a table
// in Go but not in TOML; see notTables. Tools that decode sections
// themselves (plugintest) call it after MetaData.PrimitiveDecode.
func CheckTables(md toml.MetaData, section string, v any) error {
	var errs []error
	for _, b := range notTables(md, toml.Key{section}, v) {
		errs = append(errs, fmt.Errorf("%s: must be a table, not a TOML %s", b.key, b.kind))
	}
	return errors.Join(errs...)
}
