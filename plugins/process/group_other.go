//go:build !unix

package process

import (
	"os/exec"
	"syscall"
)

// groupAttr does nothing where there are no process groups.
func groupAttr(int) *syscall.SysProcAttr { return nil }

// killGroup kills the chain's commands one by one.
func killGroup(_ int, cmds []*exec.Cmd) {
	for _, c := range cmds {
		if c.Process != nil {
			c.Process.Kill()
		}
	}
}
