// Command heka-inject sends one message to a hekad TcpInput as framed
// protobuf, optionally HMAC-signed. It takes Heka's flags; run without flags
// it prints its usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/hekad-go/hekad/message"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("heka-inject", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("heka", "127.0.0.1:5565", "address of the hekad TcpInput to send to")
	typ := fl.String("type", "inject.message", "message Type")
	logger := fl.String("logger", "Inject Client", "message Logger")
	severity := fl.Int("severity", 7, "message Severity (syslog level)")
	payload := fl.String("payload", "", "message Payload")
	pid := fl.Int("pid", 0, "message Pid (0 = this process)")
	hostname := fl.String("hostname", "", "message Hostname (\"\" = this host)")
	signer := fl.String("signer", "", "sign the message as this signer name (unsigned when empty)")
	key := fl.String("signer-key", "", "HMAC key of the signer")
	version := fl.Uint("signer-version", 0, "key version of the signer")
	hash := fl.String("signer-hash", "md5", "HMAC hash: md5 or sha1")
	timeout := fl.Duration("timeout", 10*time.Second, "give up connecting and sending after this long")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NFlag() == 0 {
		fl.SetOutput(stdout)
		fl.PrintDefaults()
		return 0
	}

	var msg message.Message
	msg.SetNewUUID()
	msg.SetTimestamp(time.Now().UnixNano())
	msg.SetType(*typ)
	msg.SetLogger(*logger)
	msg.SetSeverity(int32(*severity))
	msg.SetPayload(*payload)
	if *pid == 0 {
		*pid = os.Getpid()
	}
	msg.SetPid(int32(*pid))
	if *hostname == "" {
		*hostname, _ = os.Hostname()
	}
	msg.SetHostname(*hostname)

	var sc *message.SigningConfig
	if *signer != "" {
		if *hash != "md5" && *hash != "sha1" {
			fmt.Fprintf(stderr, "heka-inject: -signer-hash must be md5 or sha1, got %q\n", *hash)
			return 2
		}
		sc = &message.SigningConfig{Name: *signer, Hash: *hash, Key: *key, Version: uint32(*version)}
	}
	frame, err := message.AppendFrame(nil, msg.Marshal(), sc, message.DefaultMaxMessageSize)
	if err != nil {
		fmt.Fprintf(stderr, "heka-inject: encode message: %v\n", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := send(ctx, *addr, frame); err != nil {
		fmt.Fprintf(stderr, "heka-inject: %v\n", err)
		return 1
	}
	return 0
}

// send writes frame to a new TCP connection to addr and closes it cleanly.
func send(ctx context.Context, addr string, frame []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("send message: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetWriteDeadline(dl)
	}
	if _, err := conn.Write(frame); err != nil {
		return fmt.Errorf("send message to %s: %w", addr, err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		if err := tc.CloseWrite(); err != nil {
			return fmt.Errorf("send message to %s: %w", addr, err)
		}
	}
	return nil
}
