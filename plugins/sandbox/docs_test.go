package sandbox_test

import (
	_ "embed"
	"testing"

	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "SandboxDecoder", "SandboxFilter", "SandboxEncoder", "SandboxOutput", "SandboxInput", "SandboxManagerFilter")
}

func TestInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "SandboxFilter", map[string]string{
		"[f]\ntype = 'SandboxFilter'\nmessage_matcher = 'TRUE'\n":                                             "filename",
		"[f]\ntype = 'SandboxFilter'\nmessage_matcher = 'TRUE'\nfilename = 'x.lua'\nscript_type = 'js'\n":     "script_type",
		"[f]\ntype = 'SandboxFilter'\nmessage_matcher = 'TRUE'\nfilename = 'x.lua'\nmemory_limit = -1\n":      "memory_limit",
		"[f]\ntype = 'SandboxFilter'\nmessage_matcher = 'TRUE'\nfilename = 'x.lua'\ninstruction_limit = -1\n": "instruction_limit",
		"[f]\ntype = 'SandboxFilter'\nmessage_matcher = 'TRUE'\nfilename = 'x.lua'\nfoo = 1\n":                "foo",
	})
	plugintest.CheckInvalid(t, "SandboxInput", map[string]string{
		"[i]\ntype = 'SandboxInput'\nfilename = 'x.lua'\ntimer_event_on_shutdown = true\n": "timer_event_on_shutdown",
		"[i]\ntype = 'SandboxInput'\nfilename = 'x.lua'\nmemory_limit = -1\n":              "memory_limit",
	})
	plugintest.CheckInvalid(t, "SandboxDecoder", map[string]string{
		"[d]\ntype = 'SandboxDecoder'\n":                                        "filename",
		"[d]\ntype = 'SandboxDecoder'\nfilename = 'x.lua'\noutput_limit = -5\n": "output_limit",
	})
}
