package lpeg

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/internal/lua/oracle"
)

// conformanceScript is the Lua script that prints one line per
// conformance case: its name, a tab and show() of the match's results.
func conformanceScript(t *testing.T) string {
	t.Helper()
	prelude, err := os.ReadFile("testdata/lib/prelude.lua")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.Write(prelude)
	for _, c := range conformance {
		extra := ""
		if strings.Contains(c.pattern, "Carg") {
			extra = `, 1, "extra", "x2"`
		}
		fmt.Fprintf(&b, "t(%q, %s, %q%s)\n", c.name, c.pattern, c.subject, extra)
	}
	return b.String()
}

func checkConformance(t *testing.T, impl, out string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(conformance) {
		t.Fatalf("%s printed %d lines for %d cases:\n%s", impl, len(lines), len(conformance), out)
	}
	for i, c := range conformance {
		if want := c.name + "\t" + c.want; lines[i] != want {
			t.Errorf("%s: %s: lpeg.match(%s, %q) printed %q, want %q", impl, c.name, c.pattern, c.subject, lines[i], want)
		}
	}
}

// TestConformance checks each case under this package and under C LPeg.
func TestConformance(t *testing.T) {
	script := conformanceScript(t)
	got, err := runGo(t, script)
	if err != nil {
		t.Fatalf("gopher-lua: %v", err)
	}
	checkConformance(t, "gopher-lua", got)
	res := oracle.MustRun(t, script)
	if !res.OK {
		t.Fatalf("C Lua: %s", res.Stderr)
	}
	checkConformance(t, "C LPeg", res.Stdout)
}
