// Command gen writes docs/plugins.md; run it through `go generate ./docs`.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/hekad-go/hekad/internal/plugindoc"
	_ "github.com/hekad-go/hekad/plugins/all"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen OUTPUT.md")
		os.Exit(2)
	}
	var b bytes.Buffer
	if err := plugindoc.Write(&b); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[1], b.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
