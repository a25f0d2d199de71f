package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hekad-go/hekad/message"
)

// receiver is the downstream of the tcpout workload: it accepts TCP
// connections (a TcpOutput may reconnect) and counts the framed messages
// and their bytes that arrive on all of them.
type receiver struct {
	ln     net.Listener
	frames atomic.Int64
	bytes  atomic.Int64 // whole frames, framing included
	errs   atomic.Int64 // connections that ended with a read error
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func newReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{ln: ln}
	r.wg.Add(1)
	go r.accept()
	return r, nil
}

func (r *receiver) addr() string { return r.ln.Addr().String() }

func (r *receiver) accept() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		r.conns = append(r.conns, c)
		r.mu.Unlock()
		r.wg.Add(1)
		go r.read(c)
	}
}

// read counts the frames of one connection until it ends.
func (r *receiver) read(c net.Conn) {
	defer r.wg.Done()
	fr := message.NewReader(c, message.FrameOptions{})
	for {
		f, err := fr.Next()
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				r.errs.Add(1)
			}
			return
		}
		r.bytes.Add(int64(len(f.Bytes)))
		r.frames.Add(1)
	}
}

// close stops accepting, closes every connection and waits for the
// readers.
func (r *receiver) close() {
	r.ln.Close()
	r.mu.Lock()
	for _, c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// sink is the downstream of the filetail workloads: it accepts TCP
// connections and counts the bytes (raw payloads) that arrive on all of
// them. With ack it also speaks the receiving side of hekad's acknowledged
// shipping (plugins/tcp/README.md): it answers the hello and acknowledges,
// every 10 ms, every byte it has read, as a TcpInput with ack = true does
// once its outputs made the records durable (here: received is durable).
type sink struct {
	ln    net.Listener
	ack   bool
	bytes atomic.Int64 // payload bytes, the hello excluded
	lines atomic.Int64
	errs  atomic.Int64
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

var ackHello = []byte("\x00HEKAD-ACK 1\n")

func newSink(ack bool) (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &sink{ln: ln, ack: ack}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

func (s *sink) addr() string { return s.ln.Addr().String() }

func (s *sink) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Add(1)
		go s.read(c)
	}
}

func (s *sink) read(c net.Conn) {
	defer s.wg.Done()
	buf := make([]byte, 256<<10)
	var conn atomic.Int64 // bytes after the hello on this connection
	if s.ack {
		hello := make([]byte, len(ackHello))
		if _, err := io.ReadFull(c, hello); err != nil || string(hello) != string(ackHello) {
			s.errs.Add(1)
			return
		}
		if _, err := c.Write(ackHello); err != nil {
			s.errs.Add(1)
			return
		}
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			var frame [9]byte
			frame[0] = 'A'
			var sent int64
			t := time.NewTicker(10 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				if n := conn.Load(); n != sent {
					binary.BigEndian.PutUint64(frame[1:], uint64(n))
					if _, err := c.Write(frame[:]); err != nil {
						return
					}
					sent = n
				}
			}
		}()
	}
	for {
		n, err := c.Read(buf)
		s.lines.Add(int64(bytes.Count(buf[:n], []byte{'\n'})))
		s.bytes.Add(int64(n))
		conn.Add(int64(n))
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.errs.Add(1)
			}
			return
		}
	}
}

func (s *sink) close() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}
