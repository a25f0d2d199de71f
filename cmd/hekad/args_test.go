package main

import (
	"strings"
	"testing"
)

// TestPositionalArgumentsRefused runs hekad with arguments that are not
// flags: each is refused with exit status 2, the argument named and the
// usage printed, instead of running the embedded default configuration.
// Flags alone still work.
func TestPositionalArgumentsRefused(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  []string // substrings of stderr
	}{
		{"config file without -config", []string{"cfg/agent.toml"}, 2,
			[]string{`unexpected argument "cfg/agent.toml"`, "did you mean -config cfg/agent.toml?", "-config"}},
		{"after a bool flag", []string{"-check", "agent.toml"}, 2, []string{`unexpected argument "agent.toml"`}},
		{"after -config and its value", []string{"-config", "a.toml", "extra"}, 2, []string{`unexpected argument "extra"`}},
		{"after --", []string{"--", "agent.toml"}, 2, []string{`unexpected argument "agent.toml"`}},
		{"a lone dash", []string{"-"}, 2, []string{`unexpected argument "-"`}},
		{"flags only", []string{"-version"}, 0, nil},
		{"-config=value", []string{"-config=testdata/config-errors/five.toml", "-check"}, 1, []string{"five.toml:5:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runHekad(t, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if tc.wantCode == 2 && !strings.Contains(stderr, "Usage of hekad") {
				t.Errorf("no usage printed:\n%s", stderr)
			}
		})
	}
}
