// Command client is a small application that reports to hekad with the
// client package: a log line, a counter, a timer, a gauge and an exception.
//
// Start hekad on its embedded default configuration (make run: a TcpInput
// on 127.0.0.1:5565 and every message printed to stdout), then:
//
//	go run ./examples/client
//
// hekad prints the five messages. Flags: -addr (default 127.0.0.1:5565) and
// -network (tcp, unix, udp or unixgram).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hekad-go/hekad/client"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("client", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("addr", "127.0.0.1:5565", "address of the hekad input")
	network := fl.String("network", "tcp", "tcp or unix (a TcpInput), udp or unixgram (a UdpInput)")
	timeout := fl.Duration("timeout", 5*time.Second, "how long to wait for hekad to take the messages")
	if err := fl.Parse(args); err != nil {
		return 2
	}

	// The sender: a stream for a TcpInput (queued, reconnecting), or one
	// datagram per message for a UdpInput.
	var sender client.Sender
	var err error
	switch *network {
	case "tcp", "unix":
		sender, err = client.NewStreamSender(*network, *addr, client.StreamOptions{})
	default:
		sender, err = client.NewDatagramSender(*network, *addr, client.DatagramOptions{})
	}
	if err != nil {
		fmt.Fprintln(stderr, "client:", err)
		return 1
	}
	c, err := client.New(sender, client.Options{Logger: "example-app"})
	if err != nil {
		fmt.Fprintln(stderr, "client:", err)
		return 1
	}

	// A log line (Type "oldstyle", severity info).
	c.Info("example app started", client.String("version", "1.0"))
	// A counter (Type "counter", Payload "1", fields name and rate).
	c.Incr("example.requests", 1, 1)
	// A timer (Type "timer", Payload the milliseconds the function took).
	c.Timer("example.work", 1, func() { time.Sleep(3 * time.Millisecond) })
	// A gauge (Type "gauge", Payload the value).
	c.Gauge("example.queue_depth", 42, 1)
	// An exception: the error with the stack of this call.
	c.Exception(errors.New("example failure: disk full"))

	// Close flushes the queue to hekad, within the timeout.
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	closeErr := c.Close(ctx)
	st := c.Stats()
	fmt.Fprintf(stdout, "sent %d messages to %s %s (%d failed)\n", st.Sent, *network, *addr, st.Failed)
	if closeErr != nil {
		fmt.Fprintln(stderr, "client:", closeErr)
		return 1
	}
	return 0
}
