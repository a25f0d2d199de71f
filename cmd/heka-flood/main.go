// Command heka-flood is Heka's load generator: it sends framed protobuf
// messages to a hekad TcpInput or UdpInput as fast as it can (or at a set
// interval), optionally corrupting, signing or oversizing a percentage of
// them, and reports its rate.
//
//	heka-flood -config flood.toml -test default
//
// The configuration file holds test sections with Heka's keys (ip_address,
// sender, num_messages, static_message_size, variable_size_messages,
// ascii_only, message_interval, corrupt_percentage, signed_percentage,
// oversized_percentage, [<test>.signer], use_tls, [<test>.tls],
// max_message_size, reconnect_on_error, reconnect_interval, pprof_file,
// encoder); flood.toml beside this file is a sample. Run without flags it
// prints its usage.
//
// Every second it prints "Sent N messages. X msg/sec Y Mbit/sec" for the last
// second; at the end the same line for the whole run, then "Clean shutdown:
// N messages sent; D messages delivered." where delivered counts what the
// sender handed to the operating system (after the queue was flushed) and,
// beyond Heka, the messages dropped. It stops after num_messages, or on
// SIGINT or SIGTERM.
//
// It is built on the client package: the messages are encoded once by a
// client.Client and sent again and again through a client.StreamSender
// (tcp, unix; in blocking mode, so that nothing generated is dropped) or a
// client.DatagramSender (udp, unixgram).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is heka-flood with its arguments and output streams; it returns the
// exit status: 0 after a run, 1 when the configuration or the sender
// cannot be set up, 2 for bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("heka-flood", flag.ContinueOnError)
	fl.SetOutput(stderr)
	configFile := fl.String("config", "flood.toml", "Heka Flood configuration file")
	testName := fl.String("test", "default", "test section to load")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NFlag() == 0 {
		fl.SetOutput(stdout)
		fl.PrintDefaults()
		return 0
	}
	t, err := loadTest(*configFile, *testName)
	if err != nil {
		fmt.Fprintf(stderr, "heka-flood: %v\n", err)
		return 1
	}
	if t.PprofFile != "" {
		f, err := os.Create(t.PprofFile)
		if err != nil {
			fmt.Fprintf(stderr, "heka-flood: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "heka-flood: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	hostname, _ := os.Hostname()
	f, err := newFlood(t, hostname, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "heka-flood: %v\n", err)
		return 1
	}
	sum := f.run(ctx, stdout)
	fmt.Fprintln(stdout, sum.rateLine())
	fmt.Fprintf(stdout, "Clean shutdown: %d messages sent; %d messages delivered; %d dropped.\n", sum.sent, sum.delivered, sum.dropped)
	if sum.closeErr != nil {
		fmt.Fprintf(stderr, "heka-flood: %v\n", sum.closeErr)
	}
	return 0
}

// closeTimeout bounds the flush of the queue at the end of a run.
const closeTimeout = 30 * time.Second
