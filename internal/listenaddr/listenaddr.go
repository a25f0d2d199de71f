// Package listenaddr formats the address a socket input listens on for
// its log line: in the form and address family of the configured address,
// with the port the kernel picked.
//
// Go listens on both families for "0.0.0.0:5565" with net "tcp" and then
// reports the listener as "[::]:5565"; a user who wrote 0.0.0.0 should read
// 0.0.0.0 back.
package listenaddr

import (
	"net"
	"net/netip"
	"strconv"
)

// String returns the listening address a for the configured address:
// the configured host when it is an IP literal or empty (all interfaces),
// otherwise the address the name resolved to (an IPv4-mapped IPv6 address
// as IPv4), and always a's port (the one picked for port 0). Addresses
// that are not IP (unix sockets, fd:N) are returned as a.String().
func String(configured string, a net.Addr) string {
	var ip net.IP
	var port int
	switch v := a.(type) {
	case *net.TCPAddr:
		ip, port = v.IP, v.Port
	case *net.UDPAddr:
		ip, port = v.IP, v.Port
	default:
		if a == nil {
			return configured
		}
		return a.String()
	}
	ps := strconv.Itoa(port)
	host, _, err := net.SplitHostPort(configured)
	if err == nil {
		if host == "" {
			return ":" + ps
		}
		if h, err := netip.ParseAddr(host); err == nil {
			return net.JoinHostPort(h.String(), ps)
		}
	}
	if a, ok := netip.AddrFromSlice(ip); ok {
		return net.JoinHostPort(a.Unmap().String(), ps)
	}
	return net.JoinHostPort(ip.String(), ps)
}
