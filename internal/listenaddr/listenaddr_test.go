package listenaddr

import (
	"net"
	"testing"
)

func TestString(t *testing.T) {
	tcp := func(ip string, port int) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: port} }
	udp := func(ip string, port int) net.Addr { return &net.UDPAddr{IP: net.ParseIP(ip), Port: port} }
	tests := []struct {
		name, configured string
		a                net.Addr
		want             string
	}{
		{"IPv4 wildcard on a dual-stack socket", "0.0.0.0:5565", tcp("::", 5565), "0.0.0.0:5565"},
		{"IPv4 wildcard, udp", "0.0.0.0:5565", udp("::", 5565), "0.0.0.0:5565"},
		{"empty host", ":5565", tcp("::", 5565), ":5565"},
		{"IPv6 wildcard", "[::]:5565", tcp("::", 5565), "[::]:5565"},
		{"port 0 gets the picked port", "127.0.0.1:0", tcp("127.0.0.1", 40001), "127.0.0.1:40001"},
		{"IPv6 loopback", "[::1]:0", tcp("::1", 40002), "[::1]:40002"},
		{"a name: the resolved address, unmapped", "localhost:5565", tcp("::ffff:127.0.0.1", 5565), "127.0.0.1:5565"},
		{"unix socket", "/run/hekad.sock", &net.UnixAddr{Name: "/run/hekad.sock", Net: "unix"}, "/run/hekad.sock"},
		{"no address", "fd:3", nil, "fd:3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := String(tc.configured, tc.a); got != tc.want {
				t.Errorf("String(%q, %v) = %q, want %q", tc.configured, tc.a, got, tc.want)
			}
		})
	}
}
