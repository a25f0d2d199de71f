package process

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// chain is one run of a command chain: the commands, started in one
// process group, the stdout of each piped into the stdin of the next.
type chain struct {
	cmds []*exec.Cmd

	mu     sync.Mutex
	pgid   int
	reaped bool // every command was waited for: the group may be gone
	killed bool
}

// result is how a run of a chain ended.
type result struct {
	ExitStatus   int    // the last command's exit status (-1: killed by a signal)
	SubcmdErrors string // one line per command that failed, "" if none
	TimedOut     bool
}

// failed reports whether any command of the run failed.
func (r result) failed() bool { return r.SubcmdErrors != "" }

// startChain starts the commands of cfg with the last one's stdout and
// stderr going to stdout and stderr (nil: /dev/null). The caller must call
// wait. Every file descriptor of the parent's ends of the pipes between
// commands is closed before it returns.
func startChain(cmds []CommandConfig, stdout, stderr *os.File) (*chain, error) {
	c := &chain{}
	var toClose []*os.File
	defer func() {
		for _, f := range toClose {
			f.Close()
		}
	}()
	var stdin *os.File
	for i, cc := range cmds {
		cmd := exec.Command(cc.Bin, cc.Args...)
		cmd.Dir = cc.Directory
		if cc.Env != nil {
			cmd.Env = cc.Env
		}
		if stdin != nil {
			cmd.Stdin = stdin
		}
		if i < len(cmds)-1 {
			r, w, err := os.Pipe()
			if err != nil {
				c.abort()
				return nil, fmt.Errorf("pipe: %w", err)
			}
			toClose = append(toClose, r, w)
			cmd.Stdout = w
			stdin = r
		} else {
			if stdout != nil {
				cmd.Stdout = stdout
			}
			if stderr != nil {
				cmd.Stderr = stderr
			}
		}
		cmd.SysProcAttr = groupAttr(c.pgid)
		if err := cmd.Start(); err != nil {
			c.abort()
			return nil, fmt.Errorf("command.%d (%s): %w", i, cc.Bin, err)
		}
		if i == 0 {
			c.pgid = cmd.Process.Pid
		}
		c.cmds = append(c.cmds, cmd)
	}
	return c, nil
}

// abort kills and reaps what was started of a chain that failed to start.
func (c *chain) abort() {
	c.kill()
	for _, cmd := range c.cmds {
		cmd.Wait()
	}
	c.mu.Lock()
	c.reaped = true
	c.mu.Unlock()
}

// kill kills the chain's process group (every command and what they
// started in it), unless it was reaped already.
func (c *chain) kill() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reaped || len(c.cmds) == 0 {
		return
	}
	c.killed = true
	killGroup(c.pgid, c.cmds)
}

// wait waits for every command, killing the group when ctx is done or
// timeout (0: none) has passed, and then kills what is left in the group
// (background children of the commands), so that nothing outlives the
// run. It returns how the run ended.
func (c *chain) wait(ctx context.Context, timeout time.Duration) result {
	var timedOut bool
	var timer *time.Timer
	if timeout > 0 {
		timer = time.AfterFunc(timeout, func() {
			c.mu.Lock()
			timedOut = true
			c.mu.Unlock()
			c.kill()
		})
	}
	stop := context.AfterFunc(ctx, c.kill)
	var res result
	var errs []string
	for i, cmd := range c.cmds {
		err := cmd.Wait()
		if i == len(c.cmds)-1 {
			res.ExitStatus = cmd.ProcessState.ExitCode()
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("Subcommand[%d] returned an error: [%s]", i, err))
		}
	}
	if timer != nil {
		timer.Stop()
	}
	stop()
	c.kill() // stragglers: background children left in the group
	c.mu.Lock()
	c.reaped = true
	res.TimedOut = timedOut
	c.mu.Unlock()
	if res.TimedOut {
		errs = append(errs, fmt.Sprintf("timed out after %v: the process group was killed", timeout))
	}
	res.SubcmdErrors = strings.Join(errs, "\n")
	return res
}

// errNoCommand is returned for a chain without commands.
var errNoCommand = errors.New("command: at least one command (command.0) is required")
