package engine

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/hekad-go/hekad/pipeline"
)

// diagnostics logs, every Options.DiagInterval, the packs that have been
// with the same plugin for longer than max_pack_idle, per pool and per
// plugin (Heka's idle-pack diagnostics), and sets each plugin's LeakCount.
func (e *Engine) diagnostics() {
	t := time.NewTicker(e.opts.DiagInterval)
	defer t.Stop()
	for {
		select {
		case <-e.done:
			return
		case <-t.C:
			e.checkIdlePacks()
		}
	}
}

func (e *Engine) checkIdlePacks() {
	idle := int64(e.g.MaxPackIdle.Duration() / time.Second)
	cutoff := unixNow() - idle
	leaks := map[string]int{}
	for _, pl := range []*pipeline.Pool{e.inputPool, e.injectPool} {
		counts := map[string]int{}
		total := 0
		for _, p := range pl.Packs() {
			name, since, ok := p.Holder()
			if !ok || since > cutoff {
				continue
			}
			counts[name]++
			total++
		}
		if total == 0 {
			continue
		}
		e.log.Warn(fmt.Sprintf("Diagnostics: %d packs have been idle more than %d seconds.", total, idle), "pool", pl.Name())
		e.log.Warn(fmt.Sprintf("Diagnostics: (%s) Plugin names and quantities found on idle packs:", pl.Name()))
		names := make([]string, 0, len(counts))
		for n := range counts {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			e.log.Warn(fmt.Sprintf("Diagnostics: \t%s: %d", n, counts[n]), "plugin", n)
			leaks[n] += counts[n]
		}
	}
	for _, s := range e.sinks() {
		s.leaks.Store(int64(leaks[s.name]))
	}
}

var callNames = [...]string{callIdle: "", callMessage: "", callConnect: "Connect", callTick: "Tick"}

// watchdog names, once per episode, every filter or output that has been
// inside one call for longer than Options.StuckAfter while messages wait
// for it, and says when it moves again.
func (e *Engine) watchdog() {
	type state struct {
		last   int64
		since  time.Time
		warned bool
	}
	// Keyed by sink: filters come and go (AddFilter, RemoveFilter).
	st := map[*sink]*state{}
	now := time.Now()
	t := time.NewTicker(max(e.opts.StuckAfter/4, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-e.done:
			return
		case now = <-t.C:
		}
		sinks := e.sinks()
		for k := range st {
			if !slices.Contains(sinks, k) {
				delete(st, k)
			}
		}
		for _, s := range sinks {
			w := st[s]
			if w == nil {
				w = &state{last: s.processed.Load(), since: now}
				st[s] = w
			}
			prog, call := s.processed.Load(), s.busy.Load()
			if prog != w.last || call == callIdle {
				if w.warned {
					s.log.Info(fmt.Sprintf("%s '%s' is moving again", s.kindName(), s.name))
				}
				*w = state{last: prog, since: now}
				continue
			}
			waiting := s.queued.Load()
			if w.warned || (waiting == 0 && e.router.blockedOn.Load() != s) {
				continue
			}
			if d := now.Sub(w.since); d >= e.opts.StuckAfter {
				w.warned = true
				what := callNames[call]
				if what == "" {
					what = "Process"
					if s.kind == pipeline.KindOutput {
						what = "Write"
					}
				}
				s.log.Warn(fmt.Sprintf("%s '%s' has been stuck in %s for %s with %d messages waiting for it",
					s.kindName(), s.name, what, d.Round(time.Millisecond), waiting))
			}
		}
	}
}

// Reopen asks every output that implements pipeline.Reopener to reopen
// its files (SIGHUP). The call is made by the output's own goroutine,
// between two messages, so it never runs concurrently with Write.
func (e *Engine) Reopen() {
	for _, s := range e.outputs {
		if _, ok := s.plugin.(pipeline.Reopener); ok {
			select {
			case s.reopen <- struct{}{}:
			default: // one is already pending
			}
		}
	}
}

func (s *sink) doReopen() {
	r := s.plugin.(pipeline.Reopener)
	err := guard(func() error { return r.Reopen() })
	if err != nil {
		s.log.Error("reopen failed", "err", err)
		return
	}
	s.log.Info("reopened")
}
