// Command hekad is the Heka daemon: it loads a TOML configuration (a file
// or a directory of *.toml files) and runs the pipeline it describes until
// SIGINT or SIGTERM. See package daemon for its flags (it takes flags
// only).
package main

import (
	"github.com/hekad-go/hekad/daemon"
	_ "github.com/hekad-go/hekad/plugins/all"
)

func main() {
	daemon.Main()
}
