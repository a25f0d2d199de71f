package config

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/<case>/")

// TestGolden loads every testdata/<case>/ (config.toml, or the conf.d
// directory) and compares the result with expected.err or
// expected.plan.txt. An optional file "env" holds NAME=VALUE lines set in
// the environment first.
func TestGolden(t *testing.T) {
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range dirs {
		if !d.IsDir() || d.Name() == "fuzz" {
			continue
		}
		n++
		dir := filepath.Join("testdata", d.Name())
		t.Run(d.Name(), func(t *testing.T) {
			setEnvFile(t, filepath.Join(dir, "env"))
			path := filepath.Join(dir, "config.toml")
			if fi, err := os.Stat(filepath.Join(dir, "conf.d")); err == nil && fi.IsDir() {
				path = filepath.Join(dir, "conf.d")
			}
			plan, err := Load(path)
			var got, want, other string
			if err != nil {
				if plan != nil {
					t.Errorf("Load returned a Plan with an error")
				}
				got, want, other = err.Error()+"\n", "expected.err", "expected.plan.txt"
			} else {
				got, want, other = dumpPlan(plan), "expected.plan.txt", "expected.err"
			}
			want, other = filepath.Join(dir, want), filepath.Join(dir, other)
			if *update {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.Remove(other); err != nil && !errors.Is(err, os.ErrNotExist) {
					t.Fatal(err)
				}
				return
			}
			if _, err := os.Stat(other); err == nil {
				t.Fatalf("got %s but the case expects %s:\n%s", filepath.Base(want), filepath.Base(other), got)
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run with -update to create it); got:\n%s", err, got)
			}
			if got != string(exp) {
				t.Errorf("%s differs\n--- got:\n%s--- want:\n%s", want, got, exp)
			}
		})
	}
	if n == 0 {
		t.Fatal("no golden cases found")
	}
}

// setEnvFile sets the NAME=VALUE lines of path (if it exists) for the test.
func setEnvFile(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			t.Fatalf("%s: bad line %q", path, sc.Text())
		}
		t.Setenv(name, value)
	}
}

// dumpPlan renders a Plan as stable text: one block per section, options
// as JSON. The hostname and base_dir defaults depend on the machine and
// the user, and are masked.
func dumpPlan(p *Plan) string {
	var b strings.Builder
	g := p.Globals
	g.Hostname = "<hostname>"
	if p.BaseDirDefaulted {
		if g.BaseDir != DefaultBaseDir() {
			g.BaseDir = "WRONG DEFAULT " + g.BaseDir
		} else {
			g.BaseDir = "<default base_dir>"
		}
	}
	fmt.Fprintf(&b, "[hekad] %s\n", js(g))
	section := func(s Section) {
		src := s.Source
		if src == "" {
			src = "(default)"
		}
		fmt.Fprintf(&b, "%v %s (%s) from %s\n", s.Kind, s.Name, s.Type, filepath.ToSlash(src))
		if s.Registration == nil || s.Registration.Name != s.Type || s.Registration.Kind != s.Kind {
			fmt.Fprintf(&b, "  BAD REGISTRATION %+v\n", s.Registration)
		}
		fmt.Fprintf(&b, "  config: %s\n", js(s.Config))
	}
	for _, s := range p.Decoders {
		section(s)
	}
	for _, s := range p.Encoders {
		section(s)
	}
	for _, s := range p.Splitters {
		section(s.Section)
		fmt.Fprintf(&b, "  common: %s\n", js(s.Common))
	}
	for _, s := range p.Inputs {
		section(s.Section)
		fmt.Fprintf(&b, "  common: %s\n", js(s.Common))
	}
	for _, s := range p.Filters {
		section(s.Section)
		fmt.Fprintf(&b, "  common: %s\n", js(s.Common))
	}
	for _, s := range p.Outputs {
		section(s.Section)
		fmt.Fprintf(&b, "  common: %s\n", js(s.Common))
		fmt.Fprintf(&b, "  use_framing: %v\n", s.UseFraming)
	}
	return b.String()
}

// js renders v as one line of JSON.
func js(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "ERROR " + err.Error()
	}
	return strings.TrimSuffix(b.String(), "\n")
}
