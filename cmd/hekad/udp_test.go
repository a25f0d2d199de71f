package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUdpRoundTrip: lines sent over TCP leave through a UdpOutput, one
// datagram each, come back through a UdpInput of the same hekad and reach
// a file: every line, in order (one sender, loopback).
func TestUdpRoundTrip(t *testing.T) {
	tcpAddr := freePort(t)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	udpAddr := pc.LocalAddr().String()
	pc.Close()
	out := filepath.Join(t.TempDir(), "out.log")
	p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[tcp_in]
type = "TcpInput"
address = %q
splitter = "TokenSplitter"
decoder = ""

[udp_out]
type = "UdpOutput"
message_matcher = "Type == 'tcp_in'"
address = %q
encoder = "PayloadEncoder"

[udp_in]
type = "UdpInput"
address = %q
splitter = "TokenSplitter"
set_hostname = true

[file_out]
type = "FileOutput"
message_matcher = "Type == 'udp_in' && Hostname == '127.0.0.1'"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
append_newlines = false
`, tcpAddr, udpAddr, udpAddr, out))
	p.waitListening(tcpAddr)
	// Datagrams sent before the UdpInput listens would be lost (hekad logs
	// informational lines on stdout, as Heka).
	waitFor(t, 30*time.Second, "the UdpInput to listen", func() bool {
		for _, l := range strings.Split(p.Stdout(), "\n") {
			if strings.Contains(l, "udp_in") && strings.Contains(l, "listening") {
				return true
			}
		}
		return false
	})
	// A datagram's end that is not a whole line is dropped, not glued to
	// the next datagram.
	c, err := net.Dial("udp", udpAddr)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("direct\npartial"))
	c.Close()
	waitFor(t, 30*time.Second, "the direct datagram", func() bool { return countLines(out) == 1 })
	const n = 500
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "line %d\n", i)
	}
	send(t, tcpAddr, []byte(sb.String()))
	waitFor(t, 30*time.Second, "every line back through UDP", func() bool { return countLines(out) >= n+1 })
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d\n%s", code, p.Stderr())
	}
	got, _ := os.ReadFile(out)
	if string(got) != "direct\n"+sb.String() {
		t.Errorf("file differs from what was sent (%d bytes of %d): %.60q", len(got), sb.Len(), got)
	}
}
