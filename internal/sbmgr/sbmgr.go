// Package sbmgr is what heka-sbmgr and heka-sbmgrload share: their TOML
// configuration (Heka's), the heka.control.sandbox messages a
// SandboxManagerFilter obeys, and sending them signed over TCP.
package sbmgr

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/hekad-go/hekad/internal/tlsconf"
	"github.com/hekad-go/hekad/message"
)

// ControlType is the Type of a sandbox manager's control messages.
const ControlType = "heka.control.sandbox"

// Config is the configuration file of heka-sbmgr and heka-sbmgrload.
type Config struct {
	// IPAddress is the hekad TcpInput to send to, host:port.
	IPAddress string `toml:"ip_address"`
	// UseTLS is Heka's TLS switch; true is refused (TLS is not supported).
	UseTLS bool `toml:"use_tls"`
	// TLS is accepted and unused.
	TLS tlsconf.Config `toml:"tls"`
	// Signer signs the control messages (unsigned when it has no name).
	Signer message.SigningConfig `toml:"signer"`
}

// Load reads and checks the configuration file path; unknown keys are
// errors.
func Load(path string) (*Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	var errs []error
	for _, k := range md.Undecoded() {
		if len(k) > 0 && k[0] == "tls" {
			continue // accepted and unused
		}
		errs = append(errs, fmt.Errorf("config %s: unknown key %q", path, k.String()))
	}
	if c.IPAddress == "" {
		errs = append(errs, fmt.Errorf("config %s: ip_address: required", path))
	}
	if c.UseTLS {
		errs = append(errs, fmt.Errorf("config %s: use_tls: TLS is not supported yet", path))
	}
	if err := c.Signer.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("config %s: %w", path, err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &c, nil
}

// newControl is a control message with action, stamped now.
func newControl(action string) *message.Message {
	m := &message.Message{}
	m.SetNewUUID()
	m.SetTimestamp(time.Now().UnixNano())
	m.SetType(ControlType)
	m.SetLogger("hekad") // as Heka's heka-sbmgr
	m.SetSeverity(6)
	m.SetPid(int32(os.Getpid()))
	if h, err := os.Hostname(); err == nil {
		m.SetHostname(h)
	}
	addString(m, "action", action)
	return m
}

func addString(m *message.Message, name, value string) {
	f, err := message.NewField(name, value, "")
	if err != nil {
		panic(err) // a string field always builds
	}
	m.AddField(f)
}

// LoadMessage is the control message that loads the SandboxFilter of config (a
// TOML document with one section) running script.
func LoadMessage(config, script string) *message.Message {
	m := newControl("load")
	addString(m, "config", config)
	m.SetPayload(script)
	return m
}

// UnloadMessage is the control message that unloads the filter name (its
// section name, without the manager's prefix).
func UnloadMessage(name string) *message.Message {
	m := newControl("unload")
	addString(m, "name", name)
	return m
}

// Send frames msgs, signed with c.Signer when it has a name, and writes
// them to c.IPAddress over one TCP connection.
func Send(ctx context.Context, c *Config, msgs ...*message.Message) error {
	var signer *message.SigningConfig
	if c.Signer.Name != "" {
		signer = &c.Signer
	}
	var data []byte
	for _, m := range msgs {
		var err error
		if data, err = message.AppendFrame(data, m.Marshal(), signer, message.DefaultMaxMessageSize); err != nil {
			return fmt.Errorf("encode control message: %w", err)
		}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.IPAddress)
	if err != nil {
		return fmt.Errorf("send control message: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetWriteDeadline(dl)
	}
	if _, err := conn.Write(data); err != nil {
		return fmt.Errorf("send control message to %s: %w", c.IPAddress, err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		if err := tc.CloseWrite(); err != nil && !strings.Contains(err.Error(), "not connected") {
			return fmt.Errorf("send control message to %s: %w", c.IPAddress, err)
		}
	}
	return nil
}

// CounterScript is a SandboxFilter that counts the messages it is given
// and reports the count (a heka.sandbox-output message, payload_name
// "count") every tick and, with timer_event_on_shutdown, when it stops.
const CounterScript = `
count = 0
function process_message()
    count = count + 1
    return 0
end
function timer_event(ns)
    inject_payload("txt", "count", count)
end
`
