package hekadtest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
)

// StandardConfig listens on every transport the client has (udp_in,
// unixgram_in at %DIR%/dgram.sock, tcp_in, which acknowledges to senders
// that ask, unix_in at %DIR%/stream.sock),
// authenticates signer "app" with key version 1 and key "secret", and
// writes every message to %DIR%/all.log and the messages signed by app to
// %DIR%/signed.log, framed (read them with Hekad.Received).
const StandardConfig = `
[hekad]
base_dir = "%DIR%/base"

[udp_in]
type = "UdpInput"
address = "%UDP%"
splitter = "signed_framing"
decoder = "ProtobufDecoder"

[unixgram_in]
type = "UdpInput"
net = "unixgram"
address = "%DIR%/dgram.sock"
splitter = "signed_framing"
decoder = "ProtobufDecoder"

[tcp_in]
type = "TcpInput"
address = "%TCP%"
splitter = "signed_framing"
ack = true

[unix_in]
type = "TcpInput"
net = "unix"
address = "%DIR%/stream.sock"
splitter = "signed_framing"

[signed_framing]
type = "HekaFramingSplitter"

[signed_framing.signer.app_1]
hmac_key = "secret"

[all_out]
type = "FileOutput"
message_matcher = "TRUE"
path = "%DIR%/all.log"
encoder = "ProtobufEncoder"
flush_operator = "OR"
flush_interval = 20
flush_count = 10000

[signed_out]
type = "FileOutput"
message_matcher = "TRUE"
message_signer = "app"
path = "%DIR%/signed.log"
encoder = "ProtobufEncoder"
flush_operator = "OR"
flush_interval = 20
flush_count = 10000
`

// Hekad is a hekad running StandardConfig.
type Hekad struct {
	*Proc
	// Dir is hekad's directory (the %DIR% of the configuration).
	Dir string
	// TCP and UDP are the addresses of tcp_in and udp_in.
	TCP, UDP string
}

// StartStandard starts bin on StandardConfig in dir, with tcp_in on tcp
// ("" for a free port), and waits until every input listens.
func StartStandard(t testing.TB, bin, dir, tcp string) *Hekad {
	t.Helper()
	if tcp == "" {
		tcp = FreeAddr(t, "tcp")
	}
	h := &Hekad{Dir: dir, TCP: tcp, UDP: FreeAddr(t, "udp")}
	cfg := strings.NewReplacer("%TCP%", h.TCP, "%UDP%", h.UDP).Replace(StandardConfig)
	h.Proc = Start(t, bin, dir, cfg)
	for _, in := range []string{"udp_in", "unixgram_in", "tcp_in", "unix_in"} {
		h.WaitListening(in)
	}
	return h
}

// Path returns the path of a file in hekad's directory.
func (h *Hekad) Path(name string) string { return filepath.Join(h.Dir, name) }

// Received returns the messages of file (all.log or signed.log) whose
// Logger is logger ("" for all of them).
func (h *Hekad) Received(t testing.TB, file, logger string) []*message.Message {
	t.Helper()
	msgs, err := ReadMessages(h.Path(file))
	if err != nil {
		t.Fatal(err)
	}
	var mine []*message.Message
	for _, m := range msgs {
		if logger == "" || m.GetLogger() == logger {
			mine = append(mine, m)
		}
	}
	return mine
}

// WaitReceived waits until file holds at least n messages of logger and
// returns them.
func (h *Hekad) WaitReceived(t testing.TB, file, logger string, n int) []*message.Message {
	t.Helper()
	var got []*message.Message
	WaitFor(t, 30*time.Second, fmt.Sprintf("%d messages of logger %q in %s", n, logger, file), func() bool {
		got = h.Received(t, file, logger)
		return len(got) >= n
	})
	return got
}
