package statsd_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/plugins/plugintest"
)

// BenchmarkStatsdInputUDP sends batched datagrams (20 lines of 100
// buckets, as a client's pipeline sends them) to a StatsdInput over a real
// UDP socket, paced so that the socket buffer never overflows, and waits
// until its accumulator took every line: lines/s is the input's
// throughput, parsing and aggregation included.
func BenchmarkStatsdInputUDP(b *testing.B) {
	acc, _, in := runStatsd(b)
	<-acc.Ready()
	c, err := net.Dial("udp", in.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	const perDatagram = 20
	datagrams := make([][]byte, 100)
	for i := range datagrams {
		var sb strings.Builder
		for j := range perDatagram {
			k := (i*perDatagram + j) % 100
			switch k % 4 {
			case 0, 1:
				fmt.Fprintf(&sb, "app.requests.%d:1|c\n", k)
			case 2:
				fmt.Fprintf(&sb, "app.latency.%d:%d|ms\n", k, k)
			case 3:
				fmt.Fprintf(&sb, "app.queue.%d:+1|g\n", k)
			}
		}
		datagrams[i] = []byte(sb.String())
	}
	b.ReportAllocs()
	b.ResetTimer()
	sent := int64(0)
	start := reportValue(in, "StatCount")
	for i := 0; b.Loop(); i++ {
		if _, err := c.Write(datagrams[i%len(datagrams)]); err != nil {
			b.Fatal(err)
		}
		sent += perDatagram
		// Stay within the socket buffer: wait when 2,000 datagrams are
		// in flight.
		for sent-(reportValue(in, "StatCount")-start) > 2000*perDatagram {
			time.Sleep(50 * time.Microsecond)
		}
	}
	deadline := time.Now().Add(plugintest.Deadline)
	for reportValue(in, "StatCount")-start < sent {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d lines arrived", reportValue(in, "StatCount")-start, sent)
		}
		time.Sleep(100 * time.Microsecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "lines/s")
	if bad := reportValue(in, "MalformedCount"); bad != 0 {
		b.Fatalf("%d malformed", bad)
	}
}
