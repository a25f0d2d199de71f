package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// globalsSection is the name of the section holding hekad's own options.
const globalsSection = "hekad"

// Load reads the configuration at path, a file or a directory, and returns
// the validated Plan.
//
// A directory is read in file-name order and only its *.toml files are
// loaded; a section defined again in a later file replaces the earlier one
// as a whole. Each file gets %ENV[NAME] substitution (SubstituteEnv with
// os.Getenv) before it is parsed. Every problem found is reported at once,
// as *Error values joined with errors.Join, in file order; a configuration
// with any problem yields no Plan.
func Load(path string) (*Plan, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load configuration: %w", err)
	}
	if !fi.IsDir() {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("load configuration: %w", err)
		}
		return load(path, []source{{name: path, data: data}})
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("load configuration: %w", err)
	}
	var srcs []source
	var errs []error
	for _, e := range entries { // os.ReadDir sorts by name
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".toml") {
			continue
		}
		name := filepath.Join(path, e.Name())
		data, err := os.ReadFile(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("load configuration: %w", err))
			continue
		}
		srcs = append(srcs, source{name: name, data: data})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return load(path, srcs)
}

// LoadBytes loads a configuration held in memory, as Load loads a single
// file; name is used in error messages and as Section.Source.
func LoadBytes(name string, data []byte) (*Plan, error) {
	return load(name, []source{{name: name, data: data}})
}

// source is one configuration file's name and contents.
type source struct {
	name string
	data []byte
}

// file is one parsed configuration file.
type file struct {
	index int // position in load order
	name  string
	md    toml.MetaData
	lines keyLines
}

// rawSection is a top-level table of a file, not yet decoded.
type rawSection struct {
	file *file
	pos  int // order of appearance in the file
	name string
	prim toml.Primitive
}

// load parses and merges srcs, then decodes and validates the result.
func load(path string, srcs []source) (*Plan, error) {
	l := newLoader()
	var (
		hekad    *rawSection
		sections []*rawSection
		byName   = map[string]int{}
		parsed   = true
		over     []Override
	)
	for i, src := range srcs {
		f := &file{index: i, name: src.name}
		data, err := SubstituteEnv(src.name, src.data, os.Getenv)
		if err != nil {
			l.add(f.index, -1, err)
			parsed = false
			continue
		}
		data = quoteLegacyKeys(data)
		f.lines = scanKeyLines(data)
		var tables map[string]toml.Primitive
		f.md, err = toml.Decode(string(data), &tables)
		if err != nil {
			l.add(f.index, -1, parseError(src.name, err))
			parsed = false
			continue
		}
		for pos, name := range topLevelOrder(f.md, tables) {
			r := &rawSection{file: f, pos: pos, name: name, prim: tables[name]}
			if name == globalsSection {
				if hekad != nil {
					over = append(over, newOverride(hekad, r))
				}
				hekad = r
				continue
			}
			if j, dup := byName[name]; dup {
				over = append(over, newOverride(sections[j], r))
				sections[j] = nil // replaced as a whole by the later file
			}
			byName[name] = len(sections)
			sections = append(sections, r)
		}
	}
	sections = slices.DeleteFunc(sections, func(r *rawSection) bool { return r == nil })
	l.plan.Overrides = over

	l.decodeGlobals(hekad)
	l.applyDefaultBaseDir(hekad)
	l.applyDefaultShareDir(hekad)
	for _, r := range sections {
		l.decodeSection(r)
	}
	l.addDefaults()
	l.probeLater()
	l.checkReferences()
	l.checkListens()

	if len(sections) == 0 && parsed {
		l.add(len(srcs), 0, fmt.Errorf("%s: %w: no plugin section", path, ErrEmpty))
	}
	if err := l.err(); err != nil {
		return nil, err
	}
	return l.plan, nil
}

// newOverride records that r, of a later file, replaces old.
func newOverride(old, r *rawSection) Override {
	return Override{
		Section: r.name,
		File:    r.file.name, Line: r.file.lines.lineOf(r.name),
		ReplacedFile: old.file.name, ReplacedLine: old.file.lines.lineOf(old.name),
	}
}

// topLevelOrder returns the top-level keys of a file in order of
// appearance.
func topLevelOrder(md toml.MetaData, tables map[string]toml.Primitive) []string {
	order := make([]string, 0, len(tables))
	seen := make(map[string]bool, len(tables))
	for _, k := range md.Keys() {
		if _, ok := tables[k[0]]; ok && !seen[k[0]] {
			seen[k[0]] = true
			order = append(order, k[0])
		}
	}
	var rest []string
	for name := range tables { // should not happen; keeps the result complete
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	return append(order, rest...)
}

// parseError turns a TOML syntax error into an *Error with the line.
func parseError(name string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{File: name, Line: pe.Position.Line, Pos: -1, Err: fmt.Errorf("invalid TOML: %s", pe.Message)}
	}
	return &Error{File: name, Pos: -1, Err: fmt.Errorf("invalid TOML: %w", err)}
}
