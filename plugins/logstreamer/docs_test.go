package logstreamer

import (
	_ "embed"
	"testing"

	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) { plugintest.CheckDocs(t, readme, "LogstreamerInput") }
