package daemon

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// HekaVersion is the Heka release hekad is compatible with (configuration,
// wire format, tools); the first line of `hekad -version`, as Heka printed it.
const HekaVersion = "0.10.1"

// Version is kept for callers of earlier releases: the Heka version.
//
// Deprecated: use HekaVersion, or BuildVersion for hekad's own version.
const Version = HekaVersion

// version and commit are hekad's own version and VCS commit, stamped by
// `make build`:
//
//	go build -ldflags "-X github.com/hekad-go/hekad/daemon.version=v1.2.3 -X github.com/hekad-go/hekad/daemon.commit=0123abc"
//
// When they are empty, the module version and the vcs.* settings of
// runtime/debug.ReadBuildInfo are used, when the build recorded them.
var version, commit string

// BuildInfo is what `hekad -version` prints besides HekaVersion.
type BuildInfo struct {
	Version  string // hekad's version: "(devel)" when unknown
	Commit   string // VCS revision: "" when unknown
	Modified bool   // the work tree had uncommitted changes
	Go       string // the Go release hekad was built with
}

// ReadBuild returns hekad's own version and commit: those stamped with
// -ldflags first, then the build information Go recorded.
func ReadBuild() BuildInfo {
	return readBuild(version, commit, debug.ReadBuildInfo)
}

func readBuild(stampedVersion, stampedCommit string, read func() (*debug.BuildInfo, bool)) BuildInfo {
	bi := BuildInfo{Version: stampedVersion, Commit: stampedCommit, Go: runtime.Version()}
	if info, ok := read(); ok {
		if bi.Version == "" && info.Main.Version != "" {
			bi.Version = info.Main.Version // "(devel)" for a build in the checkout
		}
		if bi.Commit == "" {
			for _, s := range info.Settings {
				switch s.Key {
				case "vcs.revision":
					bi.Commit = s.Value
				case "vcs.modified":
					bi.Modified = s.Value == "true"
				}
			}
		}
		if info.GoVersion != "" {
			bi.Go = info.GoVersion
		}
	}
	if bi.Version == "" {
		bi.Version = "(devel)"
	}
	return bi
}

// writeVersion prints `hekad -version`: the Heka version alone on the
// first line (what Heka printed, so scripts that read it keep working),
// then hekad's own version, commit and Go release.
func writeVersion(w io.Writer, bi BuildInfo) {
	fmt.Fprintln(w, HekaVersion)
	fmt.Fprintf(w, "hekad %s\n", bi.Version)
	switch {
	case bi.Commit == "":
		fmt.Fprintln(w, "commit unknown (built without VCS information: use make build, or go build -buildvcs=true)")
	case bi.Modified:
		fmt.Fprintf(w, "commit %s (modified)\n", bi.Commit)
	default:
		fmt.Fprintf(w, "commit %s\n", bi.Commit)
	}
	fmt.Fprintf(w, "built with %s\n", bi.Go)
}
