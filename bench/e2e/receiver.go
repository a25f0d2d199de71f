package main

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"

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
