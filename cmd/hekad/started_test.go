package main

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestInputStartedLine: "input started" is logged once the input listens,
// after its "listening" line, and never for an input whose listen fails;
// the listen address is logged in the family it was configured in
// (0.0.0.0, not Go's dual-stack [::]), with the port picked for port 0.
func TestInputStartedLine(t *testing.T) {
	t.Run("listening", func(t *testing.T) {
		p := startHekad(t, `
[hekad]
base_dir = "%BASE%"

[tin]
type = "TcpInput"
address = "0.0.0.0:0"

[uin]
type = "UdpInput"
address = "0.0.0.0:0"

[out]
type = "LogOutput"
message_matcher = "TRUE"
encoder = "PayloadEncoder"

[PayloadEncoder]
`)
		re := regexp.MustCompile(`listening plugin=tin type=TcpInput address=0\.0\.0\.0:(\d+) net=tcp`)
		var port string
		waitFor(t, 30*time.Second, "the listening line", func() bool {
			m := re.FindStringSubmatch(p.Stdout())
			if m != nil {
				port = m[1]
			}
			return m != nil && strings.Contains(p.Stdout(), "input started plugin=uin")
		})
		p.waitListening("127.0.0.1:" + port)
		waitFor(t, 30*time.Second, "input started", func() bool { return strings.Contains(p.Stdout(), "input started plugin=tin") })
		log := p.Stdout()
		for _, name := range []string{"tin", "uin"} {
			l := strings.Index(log, "listening plugin="+name+" ")
			s := strings.Index(log, "input started plugin="+name+" ")
			if l < 0 || s < l {
				t.Errorf("%s: \"input started\" at %d, \"listening\" at %d:\n%s", name, s, l, log)
			}
			if strings.Count(log, "input started plugin="+name+" ") != 1 {
				t.Errorf("%s: not one \"input started\" line:\n%s", name, log)
			}
		}
		if !regexp.MustCompile(`listening plugin=uin type=UdpInput address=0\.0\.0\.0:[1-9]\d* net=udp`).MatchString(log) {
			t.Errorf("the UdpInput's address is not logged as 0.0.0.0:PORT:\n%s", log)
		}
		if strings.Contains(log, "[::]") {
			t.Errorf("an IPv4 wildcard logged as [::]:\n%s", log)
		}
		if code := p.stop(); code != 0 {
			t.Errorf("exit code %d", code)
		}
	})
	t.Run("listen fails", func(t *testing.T) {
		busy, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer busy.Close()
		p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[tin]
type = "TcpInput"
address = %q

[out]
type = "LogOutput"
message_matcher = "TRUE"
encoder = "PayloadEncoder"

[PayloadEncoder]
`, busy.Addr().String()))
		if code := p.wait(60 * time.Second); code == 0 {
			t.Errorf("exit code 0 with the address in use")
		}
		log := p.Stdout() + p.Stderr()
		if !strings.Contains(log, "address already in use") {
			t.Errorf("the listen error is not logged:\n%s", log)
		}
		if strings.Contains(log, "input started plugin=tin") || strings.Contains(log, "listening plugin=tin") {
			t.Errorf("the input is logged as started although its listen failed:\n%s", log)
		}
	})
}
