package rst

import (
	_ "embed"
	"testing"

	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "RstEncoder")
}

func TestInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "RstEncoder", map[string]string{
		"[RstEncoder]\nappend_newlines = true\n": "append_newlines",
	})
}
