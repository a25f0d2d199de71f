package multi_test

import (
	_ "embed"
	"testing"

	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "MultiDecoder")
}

func TestInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "MultiDecoder", map[string]string{
		"[m]\ntype = 'MultiDecoder'\n":                                                        "subs",
		"[m]\ntype = 'MultiDecoder'\nsubs = ['']\n":                                           "subs",
		"[m]\ntype = 'MultiDecoder'\nsubs = ['ProtobufDecoder']\ncascade_strategy = 'each'\n": "cascade_strategy",
	})
}
