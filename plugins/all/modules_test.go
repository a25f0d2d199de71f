package all_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/internal/testbuild"
)

// TestOfflineAfterDownload: `go mod download` (what .ci/run does first)
// fetches every module that `make test` builds, tests included, and go.sum
// holds their sums, so that `make test` then runs with no network. It
// checks the main module and examples/plugin (a module the tests build),
// with GOPROXY=off and -mod=readonly: a module missing from go.mod or
// go.sum fails here, naming it, rather than reaching for the network.
func TestOfflineAfterDownload(t *testing.T) {
	root := testbuild.Root()
	for _, dir := range []string{root, filepath.Join(root, "examples", "plugin")} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			run := func(args ...string) []byte {
				t.Helper()
				cmd := exec.Command("go", args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOWORK=off")
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("go %s in %s (offline): %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
				}
				return out
			}
			// The modules `go mod download` fetches.
			downloaded := map[string]bool{}
			dec := json.NewDecoder(bytes.NewReader(run("mod", "download", "-json")))
			for {
				var m struct{ Path, Version, Error string }
				if err := dec.Decode(&m); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				if m.Error != "" {
					t.Errorf("go mod download: %s@%s: %s", m.Path, m.Version, m.Error)
				}
				downloaded[m.Path+"@"+m.Version] = true
			}
			// The modules of every package `go vet ./...` and `go test
			// ./...` build.
			out := run("list", "-deps", "-test", "-f", "{{with .Module}}{{if not .Main}}{{with .Replace}}{{.Path}}@{{.Version}}{{else}}{{.Path}}@{{.Version}}{{end}}{{end}}{{end}}", "./...")
			for _, m := range strings.Fields(string(out)) {
				if !strings.HasSuffix(m, "@") && !downloaded[m] { // "PATH@": replaced by a directory
					t.Errorf("%s is built by the tests but not fetched by go mod download", m)
				}
			}
		})
	}
}
