package scribble_test

import (
	_ "embed"
	"testing"

	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "ScribbleDecoder")
}

func TestInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "ScribbleDecoder", map[string]string{
		"[s]\ntype = 'ScribbleDecoder'\n[s.message_fields]\nSeverity = 'high'\n": "message_fields",
		"[s]\ntype = 'ScribbleDecoder'\n[s.message_fields]\nPid = 'x'\n":         "message_fields",
		"[s]\ntype = 'ScribbleDecoder'\n[s.message_fields]\nUuid = 'abc'\n":      "message_fields",
		"[s]\ntype = 'ScribbleDecoder'\n[s.message_fields]\nType = 3\n":          "message_fields",
	})
}
