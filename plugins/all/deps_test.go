package all_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLayering enforces design.md's import rules with `go list -deps`: no
// plugin reaches the engine, and the plugin API (package pipeline) depends
// only on package message, the standard library and the chosen modules.
func TestLayering(t *testing.T) {
	const mod = "github.com/hekad-go/hekad/"
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		return strings.Fields(string(out))
	}
	for _, d := range deps(mod + "plugins/...") {
		if strings.HasPrefix(d, mod+"pipeline/engine") {
			t.Errorf("a plugin imports %s", d)
		}
	}
	for _, d := range deps(mod + "pipeline") {
		if !strings.Contains(strings.SplitN(d, "/", 2)[0], ".") {
			continue // standard library
		}
		switch {
		case d == mod+"pipeline", strings.HasPrefix(d, mod+"message"),
			strings.HasPrefix(d, "github.com/rcrowley/go-metrics"),
			strings.HasPrefix(d, "google.golang.org/protobuf"),
			strings.HasPrefix(d, "github.com/golang/protobuf"),
			strings.HasPrefix(d, "github.com/BurntSushi/toml"):
		default:
			t.Errorf("package pipeline depends on %s", d)
		}
	}
}
