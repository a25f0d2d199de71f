package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSamplesPassCheck prints the sample of every plugin type that -list
// shows and runs -check on it as printed: every sample must be a complete
// configuration that loads.
func TestSamplesPassCheck(t *testing.T) {
	code, list, _ := runHekad(t, "-list")
	if code != 0 {
		t.Fatalf("-list exit %d", code)
	}
	var types []string
	for _, line := range strings.Split(list, "\n") {
		if strings.HasPrefix(line, "  ") {
			types = append(types, strings.TrimSpace(line))
		}
	}
	if len(types) < 10 {
		t.Fatalf("-list shows only %v", types)
	}
	for _, typ := range types {
		t.Run(typ, func(t *testing.T) {
			code, sample, stderr := runHekad(t, "-sample", typ)
			if code != 0 {
				t.Fatalf("-sample %s: exit %d: %s", typ, code, stderr)
			}
			path := filepath.Join(t.TempDir(), typ+".toml")
			if err := os.WriteFile(path, []byte(sample), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, stderr = runHekad(t, "-check", "-config", path)
			if code != 0 {
				t.Errorf("-check of the %s sample: exit %d:\n%s\nsample:\n%s", typ, code, stderr, sample)
			}
		})
	}
}
