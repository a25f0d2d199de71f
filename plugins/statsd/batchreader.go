package statsd

import (
	"net"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// batchSize is how many datagrams one read asks the kernel for (recvmmsg
// on Linux).
const batchSize = 32

// datagramSize holds the largest UDP payload, so that no datagram is cut.
const datagramSize = 64 << 10

// batchReader reads datagrams from a UDP socket batchSize at a time.
type batchReader struct {
	read1 func(ms []ipv4.Message, flags int) (int, error)
	ms    []ipv4.Message
}

func newBatchReader(uc *net.UDPConn) *batchReader {
	r := &batchReader{ms: make([]ipv4.Message, batchSize)}
	if la, ok := uc.LocalAddr().(*net.UDPAddr); ok && la.IP.To4() != nil {
		r.read1 = ipv4.NewPacketConn(uc).ReadBatch
	} else {
		r.read1 = ipv6.NewPacketConn(uc).ReadBatch
	}
	buf := make([]byte, batchSize*datagramSize)
	for i := range r.ms {
		r.ms[i].Buffers = [][]byte{buf[i*datagramSize : (i+1)*datagramSize : (i+1)*datagramSize]}
	}
	return r
}

// read waits for at least one datagram and returns how many it got.
func (r *batchReader) read() (int, error) {
	for {
		n, err := r.read1(r.ms, 0)
		if err != nil {
			return 0, err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// datagram returns datagram i of the last read.
func (r *batchReader) datagram(i int) []byte { return r.ms[i].Buffers[0][:r.ms[i].N] }
