package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
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

// udpRun sends n text datagrams of about 100 bytes to a UdpInput at
// udpRate, paced in 1 ms slices, and waits until hekad has written what
// it received. It returns the rate at which hekad handled them (from the
// first send to the last line written), the rate the sender reached (on
// the same cores as hekad, it may fall short of udpRate), the datagrams
// lost (sent but
// never written: dropped by the kernel when the socket buffer was full)
// and hekad's CPU time per datagram.
func udpRun(hekad string, n int) (rate, sendRate float64, lost int, cpuPerMsg float64, err error) {
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
	cmd, err := start(hekad, dir, fmt.Sprintf(udpConfig, dir, cpuProf, addr, out))
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
	base := countLines(out)
	msg := make([]byte, 0, 128)
	cpu0, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	t0 := time.Now()
	perSlice := max(udpRate/1000, 1)
	for sent := 0; sent < n; {
		sliceEnd := t0.Add(time.Duration(sent/perSlice+1) * time.Millisecond)
		for k := 0; k < perSlice && sent < n; k++ {
			msg = strconv.AppendInt(append(msg[:0], "udp bench datagram "...), int64(sent), 10)
			msg = append(msg, " 0123456789012345678901234567890123456789012345678901234567890123456789\n"...)
			if _, err := c.Write(msg); err != nil {
				return 0, 0, 0, 0, err
			}
			sent++
		}
		if d := time.Until(sliceEnd); d > 0 {
			time.Sleep(d)
		}
	}
	sendRate = float64(n) / time.Since(t0).Seconds()
	// Wait until the file stops growing for 1 s (FileOutput flushes every
	// 50 ms here).
	last, lastChange := -1, time.Now()
	for time.Since(lastChange) < time.Second {
		if got := countLines(out); got != last {
			last, lastChange = got, time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := lastChange.Sub(t0)
	cpu1, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	got := last - base
	return float64(got) / elapsed.Seconds(), sendRate, n - got, float64((cpu1 - cpu0).Microseconds()) / float64(max(got, 1)), nil
}
