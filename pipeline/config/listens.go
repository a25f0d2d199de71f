package config

import (
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"strings"

	"github.com/hekad-go/hekad/pipeline"
)

// A socket input's configuration declares the address it binds
// (pipeline.Listening); two inputs whose addresses would conflict are a
// configuration error, found by -check rather than by the second listen.

// binding is the address one section binds.
type binding struct {
	sc               *sectionCtx
	network, address string
	proto            string // "tcp", "udp" or "path" (unix, unixgram)
	port             string // tcp and udp
	ips              []ipBind
	name             string // a host name, compared by its text; path: the cleaned path
}

// ipBind is one address family's part of a binding: every address of
// the family (wildcard) or one.
type ipBind struct {
	v6       bool
	wildcard bool
	ip       netip.Addr
}

// recordListens records the address the input section binds, when its
// configuration declares one.
func (sc *sectionCtx) recordListens(cfg any) {
	li, ok := cfg.(pipeline.Listening)
	if !ok {
		return
	}
	network, address := li.Listens()
	if b, ok := newBinding(network, address); ok {
		b.sc = sc
		sc.l.binds = append(sc.l.binds, b)
	}
}

// newBinding parses what network and address bind; ok is false when it
// cannot conflict with anything (port 0, fd:N) or cannot be compared.
func newBinding(network, address string) (binding, bool) {
	b := binding{network: network, address: address}
	switch network {
	case "unix", "unixgram":
		if strings.HasPrefix(address, "fd:") || address == "" {
			return b, false
		}
		b.proto, b.name = "path", address
		if !strings.HasPrefix(address, "@") { // @: Linux abstract namespace
			b.name = filepath.Clean(address)
		}
		return b, true
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
	default:
		return b, false
	}
	if strings.HasPrefix(address, "fd:") {
		return b, false
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return b, false
	}
	p, err := net.LookupPort(network, port)
	if err != nil || p == 0 {
		return b, false // port 0: the kernel picks a free one
	}
	b.proto, b.port = network[:3], fmt.Sprint(p)
	family := network[3:] // "", "4" or "6"
	ip, err := netip.ParseAddr(host)
	switch {
	case host == "" || err == nil && ip.IsUnspecified():
		// Go binds "tcp" wildcards (":p", "0.0.0.0:p", "[::]:p") on a
		// dual-stack socket: every address of both families; "tcp6" ones
		// are IPv6 only.
		if family != "6" {
			b.ips = append(b.ips, ipBind{wildcard: true})
		}
		if family != "4" {
			b.ips = append(b.ips, ipBind{v6: true, wildcard: true})
		}
	case err == nil:
		ip = ip.Unmap()
		b.ips = append(b.ips, ipBind{v6: ip.Is6(), ip: ip})
	default:
		b.name = strings.ToLower(host) // a name: resolved only when listening
	}
	return b, true
}

// overlaps reports whether a and b cannot both be bound.
func (a binding) overlaps(b binding) bool {
	if a.proto != b.proto {
		return false
	}
	if a.proto == "path" {
		return a.name == b.name
	}
	if a.port != b.port {
		return false
	}
	if a.name != "" || b.name != "" {
		// A name may resolve to any address: it conflicts with the same
		// name and with a wildcard.
		if a.name != "" && b.name != "" {
			return a.name == b.name
		}
		ips := a.ips
		if a.name != "" {
			ips = b.ips
		}
		for _, x := range ips {
			if x.wildcard {
				return true
			}
		}
		return false
	}
	for _, x := range a.ips {
		for _, y := range b.ips {
			if x.v6 == y.v6 && (x.wildcard || y.wildcard || x.ip == y.ip) {
				return true
			}
		}
	}
	return false
}

// checkListens reports every input that binds an address an earlier input
// (in load order) binds.
func (l *loader) checkListens() {
	for i, b := range l.binds {
		for _, a := range l.binds[:i] {
			if !a.overlaps(b) {
				continue
			}
			at := pos(a.sc.raw.file.name, a.sc.raw.file.lines.lineOf(a.sc.raw.name, "address"))
			var err error
			if a.address == b.address && a.network == b.network {
				err = fmt.Errorf("%q (net %s) is also the address of [%s] (%s) at %s: two inputs cannot listen on one address",
					b.address, b.network, a.sc.raw.name, a.sc.typ, at)
			} else {
				err = fmt.Errorf("%q (net %s) overlaps %q (net %s) of [%s] (%s) at %s: two inputs cannot listen on one address",
					b.address, b.network, a.address, a.network, a.sc.raw.name, a.sc.typ, at)
			}
			b.sc.fail("address", err)
			break
		}
	}
}
