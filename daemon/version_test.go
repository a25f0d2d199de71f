package daemon

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionOutput(t *testing.T) {
	withVCS := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123abcd"}, {Key: "vcs.modified", Value: "true"},
		}}, true
	}
	noVCS := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "(devel)"}}, true
	}
	installed := func() (*debug.BuildInfo, bool) {
		return &debug.BuildInfo{GoVersion: "go1.99", Main: debug.Module{Version: "v1.2.3"}}, true
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	tests := []struct {
		name            string
		version, commit string
		read            func() (*debug.BuildInfo, bool)
		want            []string
	}{
		{"stamped by make build", "v0.2.0", "feedbeef", noVCS, []string{"0.10.1", "hekad v0.2.0", "commit feedbeef", "built with go1.99"}},
		{"stamped wins over vcs", "v0.2.0", "feedbeef", withVCS, []string{"0.10.1", "hekad v0.2.0", "commit feedbeef", "built with go1.99"}},
		{"vcs info", "", "", withVCS, []string{"0.10.1", "hekad (devel)", "commit 0123abcd (modified)", "built with go1.99"}},
		{"go install module@version", "", "", installed, []string{"0.10.1", "hekad v1.2.3", "commit unknown (built without VCS information: use make build, or go build -buildvcs=true)", "built with go1.99"}},
		{"-buildvcs=false", "", "", noVCS, []string{"0.10.1", "hekad (devel)", "commit unknown (built without VCS information: use make build, or go build -buildvcs=true)", "built with go1.99"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			writeVersion(&b, readBuild(tc.version, tc.commit, tc.read))
			if got, want := b.String(), strings.Join(tc.want, "\n")+"\n"; got != want {
				t.Errorf("got:\n%swant:\n%s", got, want)
			}
		})
	}
	t.Run("no build info", func(t *testing.T) {
		bi := readBuild("", "", none)
		if bi.Version != "(devel)" || bi.Commit != "" || bi.Go == "" {
			t.Errorf("%+v", bi)
		}
	})
}
