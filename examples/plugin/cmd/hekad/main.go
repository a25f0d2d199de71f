// Command hekad is hekad with every standard plugin plus KeywordFilter.
package main

import (
	"github.com/hekad-go/hekad/daemon"
	_ "github.com/hekad-go/hekad/plugins/all"

	_ "example.com/hekad-keyword/keyword"
)

func main() { daemon.Main() }
