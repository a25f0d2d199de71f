package udp

import (
	"bytes"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestDatagramReaderBatch: datagrams that arrive in one recvmmsg batch (and
// more than one batch) are returned one per Read, whole and in order, each
// with its own sender; empty datagrams are skipped.
func TestDatagramReaderBatch(t *testing.T) {
	for _, tc := range []struct {
		network, listen string
		senders         []string
	}{
		{"udp4", "127.0.0.1:0", []string{"127.0.0.1", "127.0.0.2"}},
		{"udp6", "[::1]:0", []string{"::1"}},
		{"udp", "[::]:0", []string{"127.0.0.1", "::1"}}, // dual stack
	} {
		t.Run(tc.network, func(t *testing.T) {
			pc, err := net.ListenPacket(tc.network, tc.listen)
			if err != nil {
				t.Skip(err)
			}
			defer pc.Close()
			r := newDatagramReader(&Input{}, pc)
			if r.batch == nil {
				t.Fatal("no batch reader on a UDP socket")
			}
			port := pc.LocalAddr().(*net.UDPAddr).Port
			var conns []net.PacketConn
			for _, s := range tc.senders {
				c, err := net.ListenPacket("udp", net.JoinHostPort(s, "0"))
				if err != nil {
					t.Skip(err)
				}
				defer c.Close()
				conns = append(conns, c)
			}
			type dg struct {
				payload []byte
				from    string
			}
			var want []dg
			const n = 3*readBatch + 5
			for i := range n {
				c := conns[i%len(conns)]
				to := &net.UDPAddr{IP: net.IPv6loopback, Port: port}
				if c.LocalAddr().(*net.UDPAddr).IP.To4() != nil {
					to.IP = net.IPv4(127, 0, 0, 1)
				}
				p := []byte(fmt.Sprintf("datagram %d\n", i))
				if i == 7 {
					p = bytes.Repeat([]byte("x"), 60000)
				}
				if i%10 == 3 {
					if _, err := c.WriteTo(nil, to); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := c.WriteTo(p, to); err != nil {
					t.Fatal(err)
				}
				want = append(want, dg{p, c.LocalAddr().(*net.UDPAddr).IP.String()})
			}
			pc.SetReadDeadline(time.Now().Add(waitLong))
			buf := make([]byte, maxDatagram)
			for i, w := range want {
				m, err := r.Read(buf)
				if err != nil {
					t.Fatalf("datagram %d: %v", i, err)
				}
				if !bytes.Equal(buf[:m], w.payload) {
					t.Fatalf("datagram %d: got %d bytes %.20q, want %d bytes %.20q", i, m, buf[:m], len(w.payload), w.payload)
				}
				got := r.peer()
				if ip := net.ParseIP(got); ip == nil || !ip.Equal(net.ParseIP(w.from)) {
					t.Errorf("datagram %d: peer %q, want %s", i, got, w.from)
				}
			}
			if r.batch.n < 2 {
				t.Logf("last batch held %d datagrams", r.batch.n)
			}
		})
	}
}

// TestInputInheritedFD: fd:N with an inherited UDP socket is read in
// batches too.
func TestInputInheritedFD(t *testing.T) {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	f, err := pc.(*net.UDPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := syscall.Dup(int(f.Fd())) // listen closes the descriptor it is given
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	host, addr, stop := runInput(t, func(c *InputConfig) { c.Address = "fd:" + strconv.Itoa(fd) })
	defer stop()
	c, err := net.Dial("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, d := range []string{"one\n", "two\n", "three\n"} {
		c.Write([]byte(d))
	}
	ds := host.WaitDeliveries(t, 3, waitLong)
	if ds[0].Message.GetPayload() != "one\n" || ds[2].Message.GetPayload() != "three\n" {
		t.Errorf("got %q .. %q", ds[0].Message.GetPayload(), ds[2].Message.GetPayload())
	}
}

// BenchmarkDatagramReader: the cost per datagram of reading 100-byte
// datagrams that wait in the socket buffer (as under load), with recvmmsg
// batches and with one ReadFrom each. Sending is not timed.
func BenchmarkDatagramReader(b *testing.B) {
	for _, mode := range []string{"batch", "readfrom"} {
		b.Run(mode, func(b *testing.B) {
			pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer pc.Close()
			pc.(*net.UDPConn).SetReadBuffer(8 << 20)
			r := newDatagramReader(&Input{}, pc)
			if mode == "readfrom" {
				r.batch = nil
			}
			c, err := net.Dial("udp4", pc.LocalAddr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			payload := bytes.Repeat([]byte("x"), 100)
			buf := make([]byte, maxDatagram)
			const burst = 1000
			b.ResetTimer()
			for i := 0; i < b.N; i += burst {
				b.StopTimer()
				k := min(burst, b.N-i)
				for range k {
					if _, err := c.Write(payload); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				for range k {
					if _, err := r.Read(buf); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
