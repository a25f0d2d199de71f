package config

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDefaultShareDir: Heka's /usr/share/heka when it exists, else
// share/heka beside the binary's bin/, else a checkout's share/ holding
// lua_modules, else Heka's.
func TestDefaultShareDir(t *testing.T) {
	mkdir := func(t *testing.T, p string) {
		t.Helper()
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		layout []string // directories to make under the root
		want   string   // under the root
	}{
		{"system install", []string{"usr/share/heka", "prefix/bin", "prefix/share/heka"}, "usr/share/heka"},
		{"make install PREFIX", []string{"prefix/bin", "prefix/share/heka"}, "prefix/share/heka"},
		{"source checkout", []string{"prefix/bin", "prefix/share/lua_modules"}, "prefix/share"},
		{"a share/ that is not hekad's", []string{"prefix/bin", "prefix/share/man"}, "usr/share/heka"},
		{"nothing", []string{"prefix/bin"}, "usr/share/heka"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for _, d := range tc.layout {
				mkdir(t, filepath.Join(root, d))
			}
			got := defaultShareDir(filepath.Join(root, "usr/share/heka"), filepath.Join(root, "prefix/bin"))
			if want := filepath.Join(root, tc.want); got != want {
				t.Errorf("share_dir %s, want %s", got, want)
			}
		})
	}
}
