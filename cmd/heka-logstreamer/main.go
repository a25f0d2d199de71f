// Command heka-logstreamer shows how the LogstreamerInput sections of a
// hekad configuration resolve: for each, the streams found and their
// files, in the order they are read (oldest first), and where each
// stream's seek journal stands. It uses LogstreamerInput's own matching
// code.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/hekad-go/hekad/pipeline/config"
	_ "github.com/hekad-go/hekad/plugins/all"
	"github.com/hekad-go/hekad/plugins/logstreamer"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("heka-logstreamer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "logstreamer.toml", "hekad configuration file or directory holding LogstreamerInput sections")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NFlag() == 0 {
		fs.PrintDefaults()
		return 0
	}
	plan, err := config.Load(*configPath)
	if err != nil {
		fmt.Fprintf(stderr, "heka-logstreamer: %v\n", err)
		return 1
	}
	found := 0
	for _, in := range plan.Inputs {
		cfg, ok := in.Config.(*logstreamer.Config)
		if !ok {
			continue
		}
		found++
		res, err := logstreamer.Resolve(*cfg, in.Name, plan.Globals.BaseDir)
		if err != nil {
			fmt.Fprintf(stderr, "heka-logstreamer: [%s]: %v\n", in.Name, err)
		}
		names := make([]string, 0, len(res))
		for n := range res {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(stdout, "Found %d Logstream(s) for section [%s].\n", len(res), in.Name)
		for _, n := range names {
			st := res[n]
			fmt.Fprintf(stdout, "\nLogstream name: [%s]\n", n)
			if st.Journal.FileName != "" {
				fmt.Fprintf(stdout, "Journal: %s, SeekPosition: %d (%s)\n", st.Journal.FileName, st.Journal.Seek, st.JournalFile)
			} else {
				fmt.Fprintf(stdout, "Journal: none (%s)\n", st.JournalFile)
			}
			fmt.Fprintf(stdout, "Files: %d (printing oldest to newest)\n", len(st.Files))
			for _, f := range st.Files {
				fmt.Fprintf(stdout, "\t%s\n", f)
			}
		}
	}
	if found == 0 {
		fmt.Fprintf(stderr, "heka-logstreamer: no LogstreamerInput section in %s\n", *configPath)
		return 1
	}
	return 0
}
