// Command hekad is the Heka daemon: it loads a TOML configuration (a file
// or a directory of *.toml files) and runs the pipeline it describes until
// SIGINT or SIGTERM. See package daemon for its flags. It takes flags only:
// an argument that is not a flag (`hekad cfg/agent.toml`, where -config was
// forgotten) is refused with the usage, rather than silently running the
// embedded default configuration.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/hekad-go/hekad/daemon"
	_ "github.com/hekad-go/hekad/plugins/all"
)

func main() {
	if arg, ok := positional(os.Args[1:]); ok {
		hint := ""
		if strings.HasSuffix(arg, ".toml") || isDir(arg) {
			hint = fmt.Sprintf(" (did you mean -config %s?)", arg)
		}
		fmt.Fprintf(os.Stderr, "hekad: unexpected argument %q: hekad takes flags only%s\n", arg, hint)
		daemon.Run([]string{"-h"}, os.Stdout, os.Stderr) // prints the usage
		os.Exit(2)
	}
	daemon.Main()
}

// valueFlags are the flags of daemon.Run that take a value; the others are
// booleans.
var valueFlags = map[string]bool{"config": true, "sample": true}

// positional returns the first argument that the flag package would leave
// over as a positional argument, following its rules: flags end at the
// first non-flag argument, at "-" and after "--"; "-name value" consumes
// value unless the flag is a boolean or written -name=value. An unknown
// flag ends the scan: daemon.Run reports it.
func positional(args []string) (string, bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return args[i+1], true
			}
			return "", false
		}
		if len(a) < 2 || a[0] != '-' {
			return a, true
		}
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if valueFlags[name] {
			i++ // its value
		}
	}
	return "", false
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
