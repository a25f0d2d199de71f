package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/hekad-go/hekad/internal/tlsconf"
	"github.com/hekad-go/hekad/message"
)

// duration is a TOML duration: a Go duration string ("10ms"), or an integer
// number of seconds.
type duration time.Duration

// UnmarshalTOML accepts a duration string or an integer of seconds.
func (d *duration) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		x, err := time.ParseDuration(v)
		if err != nil {
			return err
		}
		*d = duration(x)
	case int64:
		*d = duration(time.Duration(v) * time.Second)
	default:
		return fmt.Errorf("want a duration string or an integer of seconds, got %T", v)
	}
	if *d < 0 {
		return errors.New("negative duration")
	}
	return nil
}

// test is one test section of the configuration, with Heka's keys.
type test struct {
	// IPAddress is where to send: host:port, or a socket path for the unix
	// senders.
	IPAddress string `toml:"ip_address"`
	// Sender is "tcp" or "udp" (Heka's), or "unix" or "unixgram".
	Sender string `toml:"sender"`
	// NumMessages is how many messages to send; 0 sends until interrupted.
	NumMessages uint64 `toml:"num_messages"`
	// StaticMessageSize is the size of the random part of the payload of
	// the fixed-size message (default 1000).
	StaticMessageSize uint64 `toml:"static_message_size"`
	// VariableSizeMessages sends 64 different messages of random sizes and
	// random fields instead of one fixed-size message.
	VariableSizeMessages bool `toml:"variable_size_messages"`
	// AsciiOnly makes the random payload printable ASCII.
	AsciiOnly bool `toml:"ascii_only"`
	// MessageInterval is the pause after each message (0: none).
	MessageInterval duration `toml:"message_interval"`
	// CorruptPercentage is the percentage of messages sent with one random
	// byte replaced by a random value.
	CorruptPercentage float64 `toml:"corrupt_percentage"`
	// SignedPercentage is the percentage of messages signed with Signer.
	SignedPercentage float64 `toml:"signed_percentage"`
	// OversizedPercentage is the percentage of messages sent larger than
	// MaxMessageSize, which hekad must skip.
	OversizedPercentage float64 `toml:"oversized_percentage"`
	// Signer signs the signed messages.
	Signer message.SigningConfig `toml:"signer"`
	// UseTLS is Heka's TLS switch; true is refused (TLS is not supported).
	UseTLS bool `toml:"use_tls"`
	// TLS is accepted and unused.
	TLS tlsconf.Config `toml:"tls"`
	// MaxMessageSize is the receiver's message size limit, which oversized
	// messages exceed (default 64 KiB).
	MaxMessageSize uint32 `toml:"max_message_size"`
	// ReconnectOnError is accepted for Heka's configurations: the tcp and
	// unix senders always reconnect.
	ReconnectOnError bool `toml:"reconnect_on_error"`
	// ReconnectInterval is the first wait before reconnecting (it doubles
	// up to 5s on repeated failures; default 50ms).
	ReconnectInterval duration `toml:"reconnect_interval"`
	// PprofFile, when set, receives a CPU profile of the run.
	PprofFile string `toml:"pprof_file"`
	// Encoder is accepted and unused, as in Heka.
	Encoder string `toml:"encoder"`
}

// defaultStaticMessageSize is Heka's default static_message_size.
const defaultStaticMessageSize = 1000

// validate checks the test and fills in defaults.
func (t *test) validate() error {
	var errs []error
	switch t.Sender {
	case "tcp", "udp", "unix", "unixgram":
	default:
		errs = append(errs, fmt.Errorf("sender: %q is not one of tcp, udp, unix, unixgram", t.Sender))
	}
	if t.IPAddress == "" {
		errs = append(errs, errors.New("ip_address: required"))
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"corrupt_percentage", t.CorruptPercentage}, {"signed_percentage", t.SignedPercentage}, {"oversized_percentage", t.OversizedPercentage}} {
		if p.v < 0 || p.v > 100 {
			errs = append(errs, fmt.Errorf("%s: %v is not between 0 and 100", p.name, p.v))
		}
	}
	if t.SignedPercentage > 0 {
		if t.Signer.Name == "" {
			errs = append(errs, errors.New("signer: signed_percentage needs a [<test>.signer] with a name"))
		}
		if err := t.Signer.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if t.UseTLS {
		errs = append(errs, errors.New("use_tls: TLS is not supported yet"))
	}
	if t.StaticMessageSize == 0 {
		t.StaticMessageSize = defaultStaticMessageSize
	}
	if t.MaxMessageSize == 0 {
		t.MaxMessageSize = message.DefaultMaxMessageSize
	}
	return errors.Join(errs...)
}

// loadTest reads the configuration file at path and returns its section
// name, checked. Keys that no test knows are errors.
func loadTest(path, name string) (*test, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tests map[string]*test
	md, err := toml.Decode(string(b), &tests)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		sort.Strings(keys)
		return nil, fmt.Errorf("%s: unknown keys: %s", path, strings.Join(keys, ", "))
	}
	t, ok := tests[name]
	if !ok {
		names := make([]string, 0, len(tests))
		for n := range tests {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("%s: no test section [%s] (sections: %s)", path, name, strings.Join(names, ", "))
	}
	if err := t.validate(); err != nil {
		return nil, fmt.Errorf("%s: [%s]: %w", path, name, err)
	}
	return t, nil
}
