package engine

import (
	"sync"
)

// group starts every goroutine of the engine. Each goroutine is counted in
// the group's WaitGroup and in the stage WaitGroup the caller names, so that
// shutdown can wait for one stage after another and, at the end, for all
// of them. Once closed, the group refuses to start anything new.
type group struct {
	mu     sync.Mutex
	closed bool
	all    sync.WaitGroup
}

// Go runs f in a new goroutine counted in stage (may be nil) and in the
// group. It returns false, and does not run f, once the group is closed.
func (g *group) Go(stage *sync.WaitGroup, f func()) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	if stage != nil {
		stage.Add(1)
	}
	g.all.Add(1)
	go func() {
		defer g.all.Done()
		if stage != nil {
			defer stage.Done()
		}
		f()
	}()
	return true
}

// Close makes every later Go call fail.
func (g *group) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// Wait waits for every goroutine the group started.
func (g *group) Wait() { g.all.Wait() }
