package udp

import (
	"net"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// readBatch is the number of datagrams a UDP socket read asks the kernel
// for at once (recvmmsg on Linux; elsewhere ReadBatch reads one).
const readBatch = 32

// maxDatagram is the buffer of each datagram of a batch: the largest UDP
// payload (65,507 bytes over IPv4, 65,527 over IPv6), rounded up, so that
// no datagram is truncated. The pages of a buffer are only touched by
// what the kernel writes into them.
const maxDatagram = 64 << 10

// batchConn is what ipv4.PacketConn and ipv6.PacketConn have in common.
type batchConn interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
}

// ipv6.Message is the same type as ipv4.Message (socket.Message).
var _ batchConn = (*ipv6.PacketConn)(nil)

// newBatchConn returns the batch reader of pc, or nil where ReadBatch does
// not apply (unixgram, or an inherited descriptor that is no UDP socket):
// those are read with ReadFrom.
func newBatchConn(pc net.PacketConn) batchConn {
	uc, ok := pc.(*net.UDPConn)
	if !ok {
		return nil
	}
	la, ok := uc.LocalAddr().(*net.UDPAddr)
	if !ok {
		return nil
	}
	if la.IP.To4() != nil {
		return ipv4.NewPacketConn(uc)
	}
	// Also a dual-stack socket ("udp" on [::]): IPv4 senders arrive as
	// IPv4-mapped addresses, and the sender is parsed from its own family.
	return ipv6.NewPacketConn(uc)
}

// batch holds the datagrams of the last ReadBatch that Read has not
// returned yet.
type batch struct {
	bc   batchConn
	ms   []ipv4.Message
	next int // the next message of ms to return
	n    int // the messages the last ReadBatch filled
}

func newBatch(bc batchConn) *batch {
	b := &batch{bc: bc, ms: make([]ipv4.Message, readBatch)}
	buf := make([]byte, readBatch*maxDatagram)
	for i := range b.ms {
		b.ms[i].Buffers = [][]byte{buf[i*maxDatagram : (i+1)*maxDatagram : (i+1)*maxDatagram]}
	}
	return b
}

// buffered is the number of received datagrams read has not returned yet.
func (b *batch) buffered() int { return b.n - b.next }

// read copies the next datagram into p (as ReadFrom does, what p cannot
// hold is dropped) and returns its size and sender, receiving a new batch
// only when the one received is used up.
func (b *batch) read(p []byte) (int, net.Addr, error) {
	if b.next == b.n {
		b.next, b.n = 0, 0
		n, err := b.bc.ReadBatch(b.ms, 0)
		if n <= 0 {
			if err == nil {
				err = net.ErrClosed // not expected: no datagram and no error
			}
			return 0, nil, err
		}
		b.n = n
	}
	m := &b.ms[b.next]
	b.next++
	n := copy(p, m.Buffers[0][:m.N])
	addr := m.Addr
	m.Addr = nil
	return n, addr, nil
}
