package payload

import (
	_ "embed"
	"testing"

	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "PayloadRegexDecoder", "PayloadEncoder")
}

func TestEncoderInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "PayloadEncoder", map[string]string{
		"[PayloadEncoder]\nappend_newline = true\n": "append_newline",
		"[PayloadEncoder]\nprefix_ts = 'yes'\n":     "prefix_ts",
	})
}
