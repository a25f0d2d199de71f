package plugindoc_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/internal/plugindoc"
	"github.com/hekad-go/hekad/pipeline"
	_ "github.com/hekad-go/hekad/plugins/all"
)

// TestPluginsDocCurrent fails when docs/plugins.md is not what the registry
// produces: run `go generate ./docs`.
func TestPluginsDocCurrent(t *testing.T) {
	var b bytes.Buffer
	if err := plugindoc.Write(&b); err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("../../docs/plugins.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Fatal("docs/plugins.md is stale: run go generate ./docs and commit it")
	}
	for _, r := range pipeline.Registered() {
		if !strings.Contains(b.String(), "| "+r.Name+" |") {
			t.Errorf("%s missing from the index", r.Name)
		}
	}
}
