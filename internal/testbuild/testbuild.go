// Package testbuild builds the project's commands for the tests that run
// them as processes, in a way that go test's result cache can see.
//
// go test reuses a cached pass only while the test binary and the files the
// test opened are unchanged. A test that runs hekad built by `go build`
// opens none of hekad's sources, and the linker drops the code the test
// binary does not call, so a change that breaks hekad could otherwise still
// "pass" from the cache. Build stats every file of the repository first,
// which records them as inputs of the test.
package testbuild

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Root returns the repository's root directory (where the main go.mod is).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Build runs `go build args...` in dir, after recording every file of the
// repository (but .git, bin and fuzz corpora) as an input of the calling
// test. Its error holds the compiler's output.
func Build(dir string, args ...string) error {
	if err := statSources(Root()); err != nil {
		return err
	}
	cmd := exec.Command("go", append([]string{"build"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %w\n%s", strings.Join(args, " "), dir, err, out)
	}
	return nil
}

// statSources stats every build input under root; go test logs each stat.
func statSources(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "fuzz":
				return filepath.SkipDir
			}
			return nil
		}
		_, err = os.Stat(path)
		return err
	})
}
