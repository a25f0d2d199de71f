package config

import (
	"os"
	"path/filepath"
	"strconv"
)

// HekaBaseDir is Heka's default base_dir.
const HekaBaseDir = "/var/cache/hekad"

// DefaultBaseDir is the base_dir of a configuration that does not set one:
// Heka's /var/cache/hekad when this process can use it (it runs as root, or
// the directory exists and is writable), otherwise a directory of the
// user's: $XDG_CACHE_HOME/hekad or ~/.cache/hekad (os.UserCacheDir), or
// failing that <temp dir>/hekad-<uid>. So hekad runs for a user who is not
// root, with nothing to set up; a base_dir in [hekad] always wins.
func DefaultBaseDir() string {
	if usable(HekaBaseDir) {
		return HekaBaseDir
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "hekad")
	}
	return filepath.Join(os.TempDir(), "hekad-"+strconv.Itoa(os.Getuid()))
}

// applyDefaultBaseDir sets the Plan's base_dir when [hekad] does not.
func (l *loader) applyDefaultBaseDir(r *rawSection) {
	if r != nil && r.file.md.IsDefined(globalsSection, "base_dir") {
		return
	}
	l.plan.Globals.BaseDir = DefaultBaseDir()
	l.plan.BaseDirDefaulted = true
}
