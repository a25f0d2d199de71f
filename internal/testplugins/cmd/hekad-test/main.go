// Command hekad-test is hekad with the test-only plugins of
// internal/testplugins; the end-to-end tests use it.
package main

import (
	"github.com/hekad-go/hekad/daemon"
	_ "github.com/hekad-go/hekad/internal/testplugins"
	_ "github.com/hekad-go/hekad/plugins/all"
)

func main() { daemon.Main() }
