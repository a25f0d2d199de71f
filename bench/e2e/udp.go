package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
)

// udpConfig: text datagrams (NullSplitter: one record each) into a
// FileOutput that writes every payload, so that the lines in the file
// count the datagrams hekad handled.
const udpConfig = `
[hekad]
base_dir = %q
cpuprof = %q

[in]
type = "UdpInput"
address = %q
decoder = ""
read_buffer_size = %d

[out]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"
flush_interval = 50

[PayloadEncoder]
append_newlines = false
`

// udpRate is the sending rate of the udp workload (datagrams per second):
// issue 9's target for datagrams handled without loss.
var udpRate = 500_000

// udpRun sends n text datagrams of about 100 bytes to a UdpInput and waits
// until hekad has written what it received. It returns the rate at which
// hekad handled them, the rate the sender reached, the datagrams lost (sent
// but never written: dropped by the kernel when the socket buffer was full)
// and hekad's CPU time per datagram.
//
// Paced (burst false): the sender aims at udpRate in 1 ms slices and the
// rate is from the first send to the last line written. On a 2-core machine
// the sender shares the cores with hekad, and the kernel's loopback path
// costs it more than hekad spends per datagram, so it may fall short of
// udpRate.
//
// Burst: hekad is stopped (SIGSTOP) while all n datagrams are sent into a
// socket buffer large enough to hold them, then continued (SIGCONT); the
// rate is from SIGCONT to the last line written: how fast hekad takes
// datagrams off its socket and delivers them, with the sender out of the
// way.
func udpRun(hekad string, n int, burst bool) (rate, sendRate float64, lost int, cpuPerMsg float64, err error) {
	dir, err := os.MkdirTemp("", "hekad-bench")
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer os.RemoveAll(dir)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, 0, 0, err
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	out := filepath.Join(dir, "out.log")
	readBuffer := 8 << 20
	if burst {
		// The kernel caps the buffer at net.core.rmem_max: raise it for
		// this run (as root) so that the whole burst fits.
		readBuffer = n * 1024
		restore, err := raiseRmemMax(readBuffer)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		defer restore()
	}
	cmd, err := start(hekad, dir, fmt.Sprintf(udpConfig, dir, cpuProf, addr, readBuffer, out))
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer stop(cmd)
	// The input listens once it logs so; a first datagram that reaches
	// the file says the same without reading the log.
	c, err := net.Dial("udp", addr)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for countLines(out) < 1 {
		if time.Now().After(deadline) {
			return 0, 0, 0, 0, fmt.Errorf("udp input does not answer")
		}
		c.Write([]byte("warm-up\n"))
		time.Sleep(10 * time.Millisecond)
	}
	cpu0, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	// The sender hands the kernel up to 64 datagrams per system call
	// (sendmmsg): one write per datagram costs the sender more CPU than
	// hekad spends on it, and both share this machine's cores.
	batch := make([]ipv4.Message, 64)
	bufs := make([][]byte, len(batch))
	for i := range batch {
		bufs[i] = make([]byte, 0, 128)
		batch[i].Buffers = [][]byte{nil}
	}
	sender := ipv4.NewPacketConn(c.(*net.UDPConn))
	if burst {
		// hekad reads nothing until the whole burst is in its socket
		// buffer; the sender then runs alone on the machine.
		if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			return 0, 0, 0, 0, err
		}
		defer cmd.Process.Signal(syscall.SIGCONT)
	}
	t0 := time.Now()
	perSlice := max(udpRate/1000, 1)
	if burst {
		perSlice = n
	}
	for sent := 0; sent < n; {
		sliceEnd := t0.Add(time.Duration(sent/perSlice+1) * time.Millisecond)
		for k := 0; k < perSlice && sent < n; {
			m := min(len(batch), perSlice-k, n-sent)
			for i := range m {
				b := strconv.AppendInt(append(bufs[i][:0], "udp bench datagram "...), int64(sent+i), 10)
				b = append(b, " 0123456789012345678901234567890123456789012345678901234567890123456789\n"...)
				bufs[i], batch[i].Buffers[0] = b, b
			}
			for done := 0; done < m; {
				w, err := sender.WriteBatch(batch[done:m], 0)
				if err != nil {
					return 0, 0, 0, 0, err
				}
				done += w
			}
			sent, k = sent+m, k+m
		}
		if d := time.Until(sliceEnd); d > 0 {
			time.Sleep(d)
		}
	}
	sendRate = float64(n) / time.Since(t0).Seconds()
	if burst {
		// Everything is in the socket buffer: hekad starts reading now.
		t0 = time.Now()
		if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
			return 0, 0, 0, 0, err
		}
	}
	lastChange := waitStable(out, time.Second)
	elapsed := lastChange.Sub(t0)
	cpu1, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	// Warm-up datagrams still in flight may land after the burst started:
	// count only the burst's.
	b, _ := os.ReadFile(out)
	got := bytes.Count(b, []byte("udp bench datagram "))
	return float64(got) / elapsed.Seconds(), sendRate, n - got, float64((cpu1 - cpu0).Microseconds()) / float64(max(got, 1)), nil
}

// raiseRmemMax makes net.core.rmem_max at least size bytes for as long as
// the returned function has not been called.
func raiseRmemMax(size int) (restore func(), err error) {
	const path = "/proc/sys/net/core/rmem_max"
	old, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	cur, err := strconv.Atoi(strings.TrimSpace(string(old)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cur >= size {
		return func() {}, nil
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(size)), 0o644); err != nil {
		return nil, fmt.Errorf("udp-burst needs net.core.rmem_max >= %d (run as root or sysctl -w net.core.rmem_max=%d): %w", size, size, err)
	}
	return func() { os.WriteFile(path, old, 0o644) }, nil
}

// waitStable waits until the file at path has not grown for quiet and
// returns when it last grew.
func waitStable(path string, quiet time.Duration) time.Time {
	var last int64 = -1
	lastChange := time.Now()
	for time.Since(lastChange) < quiet {
		if fi, err := os.Stat(path); err == nil && fi.Size() != last {
			last, lastChange = fi.Size(), time.Now()
		}
		time.Sleep(5 * time.Millisecond)
	}
	return lastChange
}
