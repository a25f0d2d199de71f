package carbon_test

import (
	_ "embed"
	"testing"

	"github.com/hekad-go/hekad/plugins/plugintest"
)

//go:embed README.md
var readme string

func TestDocs(t *testing.T) {
	plugintest.CheckDocs(t, readme, "CarbonOutput")
}

func TestInvalidConfig(t *testing.T) {
	plugintest.CheckInvalid(t, "CarbonOutput", map[string]string{
		"[c]\ntype = 'CarbonOutput'\nmessage_matcher = 'TRUE'\nprotocol = 'sctp'\n":                                "protocol",
		"[c]\ntype = 'CarbonOutput'\nmessage_matcher = 'TRUE'\naddress = 'nohost'\n":                               "address",
		"[c]\ntype = 'CarbonOutput'\nmessage_matcher = 'TRUE'\ntcp_keep_alive = true\ntcp_keep_alive_period = 0\n": "tcp_keep_alive_period",
	})
}
