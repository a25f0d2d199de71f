package tcp

import "github.com/hekad-go/hekad/internal/tlsconf"

// TLSConfig is Heka's tls sub-table. This build does not speak TLS yet: the
// table is accepted so that Heka configurations load, and use_tls = true
// is refused (see Validate of the configs that hold one).
type TLSConfig = tlsconf.Config

// defaultTLSConfig returns Heka's tls defaults.
func defaultTLSConfig() TLSConfig { return tlsconf.Default() }

// errNoTLS is the error for use_tls = true.
var errNoTLS = tlsconf.ErrNotSupported
