package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
)

// ErrClosed is returned by a sender's Send after Close.
var ErrClosed = errors.New("sender closed")

// SenderStats counts what a sender did with the records given to it.
type SenderStats struct {
	// Sent is the number of records handed to the operating system.
	Sent uint64
	// Dropped is the number of records given to Send that will never be
	// sent: refused by the socket, over the queue's bound, left in the
	// queue when Close's deadline passed, or given after Close.
	Dropped uint64
	// Queued is the number of records waiting in the queue (stream senders).
	Queued uint64
	// Reconnects is the number of connections made after the first one
	// (stream senders).
	Reconnects uint64
}

// DatagramSender sends each record as one datagram, as heka-py's UdpStream:
// to a UdpInput (network "udp", "udp4" or "udp6") or a unixgram UdpInput
// (network "unixgram"). Datagrams carry no delivery guarantee: a record is
// sent once the kernel took it. A record the socket refuses (nothing
// listening, a full buffer, a record larger than the datagram limit) is
// dropped, counted and reported by Send's error. Send does not allocate.
type DatagramSender struct {
	conn    net.Conn
	sent    atomic.Uint64
	dropped atomic.Uint64
	closed  atomic.Bool
}

// NewDatagramSender returns a sender of datagrams to addr ("host:port", or
// a socket path for "unixgram"). It opens its socket at once: a datagram
// socket needs no peer.
func NewDatagramSender(network, addr string) (*DatagramSender, error) {
	switch network {
	case "udp", "udp4", "udp6", "unixgram":
	default:
		return nil, fmt.Errorf("datagram sender: network %q is not one of udp, udp4, udp6, unixgram", network)
	}
	conn, err := net.Dial(network, addr)
	if err != nil {
		return nil, fmt.Errorf("datagram sender: %w", err)
	}
	return &DatagramSender{conn: conn}, nil
}

// Send writes rec as one datagram.
func (s *DatagramSender) Send(rec []byte) error {
	if s.closed.Load() {
		s.dropped.Add(1)
		return ErrClosed
	}
	if _, err := s.conn.Write(rec); err != nil {
		s.dropped.Add(1)
		return err
	}
	s.sent.Add(1)
	return nil
}

// Close closes the socket; a datagram sender queues nothing.
func (s *DatagramSender) Close(context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.conn.Close()
}

// Stats returns the sender's counts so far.
func (s *DatagramSender) Stats() SenderStats {
	return SenderStats{Sent: s.sent.Load(), Dropped: s.dropped.Load()}
}

var (
	_ Sender = (*DatagramSender)(nil)
)
