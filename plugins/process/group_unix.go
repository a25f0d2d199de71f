//go:build unix

package process

import (
	"os/exec"
	"syscall"
)

// groupAttr puts a command in the process group pgid (0: a new group led
// by the command), so that a whole chain is killed with one signal.
func groupAttr(pgid int) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pgid: pgid}
}

// killGroup sends SIGKILL to the process group pgid.
func killGroup(pgid int, _ []*exec.Cmd) {
	syscall.Kill(-pgid, syscall.SIGKILL)
}
