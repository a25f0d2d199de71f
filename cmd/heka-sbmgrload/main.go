// Command heka-sbmgrload loads or unloads many copies of a counting
// SandboxFilter (CounterSandbox0, CounterSandbox1, ...) through a running
// hekad's SandboxManagerFilter, to exercise it. It takes Heka's flags and
// heka-sbmgr's configuration file.
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

// counterConfig is the configuration of CounterSandbox<n>.
const counterConfig = `[CounterSandbox%d]
type = "SandboxFilter"
message_matcher = "Type == 'hekabench'"
ticker_interval = 1
preserve_data = true
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("heka-sbmgrload", flag.ContinueOnError)
	fl.SetOutput(stderr)
	configFile := fl.String("config", "sbmgrload.toml", "Sandbox manager load configuration file")
	action := fl.String("action", "load", "Sandbox manager action: load or unload")
	num := fl.Int("num", 1, "Number of sandbox filters to load or unload")
	timeout := fl.Duration("timeout", 30*time.Second, "give up connecting and sending after this long")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 || *num < 0 {
		fmt.Fprintln(stderr, "heka-sbmgrload: bad arguments")
		return 2
	}
	cfg, err := sbmgr.Load(*configFile)
	if err != nil {
		fmt.Fprintf(stderr, "heka-sbmgrload: %v\n", err)
		return 1
	}
	msgs := make([]*message.Message, 0, *num)
	for i := range *num {
		switch *action {
		case "load":
			msgs = append(msgs, sbmgr.LoadMessage(fmt.Sprintf(counterConfig, i), sbmgr.CounterScript))
		case "unload":
			msgs = append(msgs, sbmgr.UnloadMessage(fmt.Sprintf("CounterSandbox%d", i)))
		default:
			fmt.Fprintf(stderr, "heka-sbmgrload: invalid action %q: want load or unload\n", *action)
			return 2
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := sbmgr.Send(ctx, cfg, msgs...); err != nil {
		fmt.Fprintf(stderr, "heka-sbmgrload: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d control messages sent\n", *action, len(msgs))
	return 0
}
