// Command heka-sbmgr loads a SandboxFilter into, or unloads one from, a
// running hekad's SandboxManagerFilter: it sends a signed
// heka.control.sandbox message to hekad's TcpInput. It takes Heka's flags
// and configuration file (ip_address, use_tls, [tls], [signer]).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hekad-go/hekad/internal/sbmgr"
	"github.com/hekad-go/hekad/message"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("heka-sbmgr", flag.ContinueOnError)
	fl.SetOutput(stderr)
	configFile := fl.String("config", "sbmgr.toml", "Sandbox manager configuration file")
	action := fl.String("action", "load", "Sandbox manager action: load or unload")
	script := fl.String("script", "xyz.lua", "Sandbox script file (load)")
	scriptConfig := fl.String("scriptconfig", "xyz.toml", "Sandbox script configuration file (load)")
	filterName := fl.String("filtername", "filter", "Sandbox filter name (unload)")
	timeout := fl.Duration("timeout", 10*time.Second, "give up connecting and sending after this long")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "heka-sbmgr: unexpected arguments %q\n", fl.Args())
		return 2
	}
	cfg, err := sbmgr.Load(*configFile)
	if err != nil {
		fmt.Fprintf(stderr, "heka-sbmgr: %v\n", err)
		return 1
	}
	var msg *message.Message
	switch *action {
	case "load":
		code, err := os.ReadFile(*script)
		if err != nil {
			fmt.Fprintf(stderr, "heka-sbmgr: %v\n", err)
			return 1
		}
		conf, err := os.ReadFile(*scriptConfig)
		if err != nil {
			fmt.Fprintf(stderr, "heka-sbmgr: %v\n", err)
			return 1
		}
		msg = sbmgr.LoadMessage(string(conf), string(code))
	case "unload":
		msg = sbmgr.UnloadMessage(*filterName)
	default:
		fmt.Fprintf(stderr, "heka-sbmgr: invalid action %q: want load or unload\n", *action)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := sbmgr.Send(ctx, cfg, msg); err != nil {
		fmt.Fprintf(stderr, "heka-sbmgr: %v\n", err)
		return 1
	}
	return 0
}
