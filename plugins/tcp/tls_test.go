package tcp

import (
	"strings"
	"testing"

	"github.com/hekad-go/hekad/plugins/plugintest"
)

// TestHekaTLSKeys loads Heka 0.10's TLS options: use_tls = false with a
// tls table loads, use_tls = true is refused naming the key.
func TestHekaTLSKeys(t *testing.T) {
	const tlsTable = "[s.tls]\ncert_file = \"/etc/hekad/cert.pem\"\nkey_file = \"/etc/hekad/key.pem\"\n" +
		"client_auth = \"RequireAndVerifyClientCert\"\nprefer_server_ciphers = true\nmin_version = \"TLS11\"\n" +
		"ciphers = [\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"]\nsesion_ticket_key = \"k\"\n"
	tests := []struct {
		name, typ, body string
		wantErr         bool
	}{
		{"input use_tls false", "TcpInput", "address = \":5565\"\nuse_tls = false\n", false},
		{"input tls table", "TcpInput", "address = \":5565\"\nuse_tls = false\n" + tlsTable, false},
		{"input use_tls true", "TcpInput", "address = \":5565\"\nuse_tls = true\n" + tlsTable, true},
		{"output use_tls false", "TcpOutput", "address = \"h:5565\"\nmessage_matcher = \"TRUE\"\nuse_tls = false\n" + tlsTable, false},
		{"output use_tls true", "TcpOutput", "address = \"h:5565\"\nmessage_matcher = \"TRUE\"\nuse_tls = true\n", true},
		{"output ticker_interval 0", "TcpOutput", "address = \"h:5565\"\nmessage_matcher = \"TRUE\"\nticker_interval = 0\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := "[s]\ntype = \"" + tc.typ + "\"\n" + tc.body
			err := plugintest.DecodeSection(doc, tc.typ)
			switch {
			case tc.wantErr && err == nil:
				t.Fatalf("accepted:\n%s", doc)
			case tc.wantErr && !strings.Contains(err.Error(), "use_tls"):
				t.Fatalf("error %q does not name use_tls", err)
			case !tc.wantErr && err != nil:
				t.Fatalf("refused: %v\n%s", err, doc)
			}
		})
	}
}
