// Package tlsconf holds Heka's tls sub-table, shared by the TCP plugins and
// the tools that connect to hekad (heka-flood, heka-sbmgr). This build does
// not speak TLS yet: the table is accepted so that Heka configurations
// load, and use_tls = true is refused with ErrNotSupported.
package tlsconf

import "errors"

// Config is Heka's tls sub-table.
type Config struct {
	// ServerName is the name the peer's certificate must hold.
	ServerName string `toml:"server_name"`
	// CertFile is the PEM certificate file.
	CertFile string `toml:"cert_file"`
	// KeyFile is the PEM private key file.
	KeyFile string `toml:"key_file"`
	// ClientAuth is the server's client certificate policy
	// ("NoClientCert", "RequestClientCert", ...).
	ClientAuth string `toml:"client_auth"`
	// Ciphers names the cipher suites allowed.
	Ciphers []string `toml:"ciphers"`
	// InsecureSkipVerify accepts any server certificate.
	InsecureSkipVerify bool `toml:"insecure_skip_verify"`
	// PreferServerCiphers makes the server's cipher order win.
	PreferServerCiphers bool `toml:"prefer_server_ciphers"`
	// SessionTicketsDisabled turns session resumption off.
	SessionTicketsDisabled bool `toml:"session_tickets_disabled"`
	// SessionTicketKey is the session ticket key (Heka's documented key
	// name).
	SessionTicketKey string `toml:"session_ticket_key"`
	// SesionTicketKey is the same, under the misspelt key Heka's code
	// actually read.
	SesionTicketKey string `toml:"sesion_ticket_key"`
	// MinVersion is the lowest TLS version ("SSL30", "TLS10", ...).
	MinVersion string `toml:"min_version"`
	// MaxVersion is the highest TLS version.
	MaxVersion string `toml:"max_version"`
	// ClientCAFile is the PEM file of the CAs that sign client
	// certificates.
	ClientCAFile string `toml:"client_cafile"`
	// RootCAFile is the PEM file of the CAs that sign server certificates.
	RootCAFile string `toml:"root_cafile"`
}

// Default returns Heka's tls defaults.
func Default() Config { return Config{PreferServerCiphers: true} }

// ErrNotSupported is the error for use_tls = true.
var ErrNotSupported = errors.New("use_tls: TLS is not supported by this build of hekad yet; " +
	"set use_tls = false (a tls table is then accepted and unused, as in Heka)")
