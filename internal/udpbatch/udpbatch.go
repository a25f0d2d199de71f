// Package udpbatch reads a UDP socket's datagrams several per system call
// (recvmmsg on Linux; elsewhere one per call), into buffers that hold the
// largest datagram whole. UdpInput and StatsdInput use it.
package udpbatch

import (
	"net"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// Size is how many datagrams one read asks the kernel for.
const Size = 32

// MaxDatagram is the buffer of each datagram of a batch: the largest UDP
// payload (65,507 bytes over IPv4, 65,527 over IPv6), rounded up, so that
// no datagram is truncated. The pages of a buffer are only touched by
// what the kernel writes into them.
const MaxDatagram = 64 << 10

// batchConn is what ipv4.PacketConn and ipv6.PacketConn have in common.
type batchConn interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
}

// ipv6.Message is the same type as ipv4.Message (socket.Message).
var _ batchConn = (*ipv6.PacketConn)(nil)

// Reader reads the datagrams of one UDP socket Size at a time. It is not
// safe for concurrent use.
type Reader struct {
	bc batchConn
	ms []ipv4.Message
}

// New returns the batch reader of pc, or nil where batches do not apply
// (unixgram, or an inherited descriptor that is no UDP socket): read those
// with ReadFrom.
func New(pc net.PacketConn) *Reader {
	uc, ok := pc.(*net.UDPConn)
	if !ok {
		return nil
	}
	la, ok := uc.LocalAddr().(*net.UDPAddr)
	if !ok {
		return nil
	}
	r := &Reader{ms: make([]ipv4.Message, Size)}
	if la.IP.To4() != nil {
		r.bc = ipv4.NewPacketConn(uc)
	} else {
		// Also a dual-stack socket ("udp" on [::]): IPv4 senders arrive as
		// IPv4-mapped addresses, and the sender is parsed from its own
		// family.
		r.bc = ipv6.NewPacketConn(uc)
	}
	buf := make([]byte, Size*MaxDatagram)
	for i := range r.ms {
		r.ms[i].Buffers = [][]byte{buf[i*MaxDatagram : (i+1)*MaxDatagram : (i+1)*MaxDatagram]}
	}
	return r
}

// Read waits for at least one datagram and returns how many it received
// (Datagram and Addr give them until the next Read).
func (r *Reader) Read() (int, error) {
	for {
		n, err := r.bc.ReadBatch(r.ms, 0)
		if err != nil {
			return 0, err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// Datagram returns datagram i of the last Read.
func (r *Reader) Datagram(i int) []byte { return r.ms[i].Buffers[0][:r.ms[i].N] }

// Addr returns the sender of datagram i of the last Read, once: it
// forgets it.
func (r *Reader) Addr(i int) net.Addr {
	a := r.ms[i].Addr
	r.ms[i].Addr = nil
	return a
}
