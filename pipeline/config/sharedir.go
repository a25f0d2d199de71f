package config

import (
	"os"
	"path/filepath"
)

// HekaShareDir is Heka's default share_dir.
const HekaShareDir = "/usr/share/heka"

// DefaultShareDir is the share_dir of a configuration that does not set
// one, the first of these that is a directory: Heka's /usr/share/heka (a
// system install, `make install`); <prefix>/share/heka next to the running
// binary's <prefix>/bin (`make install PREFIX=...`); the share directory of
// a source checkout whose bin/ holds the binary (`make run`, which finds
// share/lua_modules and the Lua plugins there). Otherwise Heka's, and the
// sandboxes name the files they cannot find. A share_dir in [hekad]
// always wins.
func DefaultShareDir() string {
	return defaultShareDir(HekaShareDir, executableDir())
}

func defaultShareDir(system, exeDir string) string {
	cands := []string{system}
	if exeDir != "" {
		cands = append(cands,
			filepath.Join(exeDir, "..", "share", "heka"),
			filepath.Join(exeDir, "..", "share"))
	}
	for i, c := range cands {
		fi, err := os.Stat(c)
		if err != nil || !fi.IsDir() {
			continue
		}
		if i == len(cands)-1 {
			// A checkout's share/ only when it holds hekad's Lua files.
			if fi, err := os.Stat(filepath.Join(c, "lua_modules")); err != nil || !fi.IsDir() {
				continue
			}
		}
		return filepath.Clean(c)
	}
	return system
}

// executableDir is the directory of the running binary ("" when unknown).
func executableDir() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return filepath.Dir(exe)
}

// applyDefaultShareDir sets the Plan's share_dir when [hekad] does not.
func (l *loader) applyDefaultShareDir(r *rawSection) {
	if r != nil && r.file.md.IsDefined(globalsSection, "share_dir") {
		return
	}
	l.plan.Globals.ShareDir = DefaultShareDir()
	l.plan.ShareDirDefaulted = l.plan.Globals.ShareDir != HekaShareDir
}
