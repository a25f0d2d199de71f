package udp

import (
	"net"

	"github.com/hekad-go/hekad/internal/udpbatch"
)

// readBatch is the number of datagrams a UDP socket read asks the kernel
// for at once.
const readBatch = udpbatch.Size

// maxDatagram holds the largest UDP payload whole.
const maxDatagram = udpbatch.MaxDatagram

// batch holds the datagrams of the last batch read that Read has not
// returned yet.
type batch struct {
	r    *udpbatch.Reader
	next int // the next datagram to return
	n    int // the datagrams the last read received
}

// buffered is the number of received datagrams read has not returned yet.
func (b *batch) buffered() int { return b.n - b.next }

// read copies the next datagram into p (as ReadFrom does, what p cannot
// hold is dropped) and returns its size and sender, receiving a new batch
// only when the one received is used up.
func (b *batch) read(p []byte) (int, net.Addr, error) {
	if b.next == b.n {
		b.next, b.n = 0, 0
		n, err := b.r.Read()
		if err != nil {
			return 0, nil, err
		}
		b.n = n
	}
	i := b.next
	b.next++
	return copy(p, b.r.Datagram(i)), b.r.Addr(i), nil
}
