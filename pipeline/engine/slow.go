package engine

import (
	"context"
	"errors"

	"github.com/hekad-go/hekad/pipeline"
)

// slowReason is the Payload Heka gives a manager-loaded sandbox it ended
// for being slow.
const slowReason = "sandbox is running slowly and blocking the router"

// errSlow ends a slow filter whose Terminate returned no error of its own.
var errSlow = errors.New(slowReason)

// slowWatched reports whether Heka's slow-filter rule applies to s: a
// filter added at run time (AddFilter) whose plugin can report its own
// termination (pipeline.SlowTerminator).
func (s *sink) slowWatched() bool {
	if !s.dynamic || s.filter == nil {
		return false
	}
	_, ok := s.plugin.(pipeline.SlowTerminator)
	return ok
}

// backpressured reports whether s holds the router back: its queue is
// full, so the router waits to hand it the next batch.
func (s *sink) backpressured() bool { return len(s.ch) >= cap(s.ch) }

// slowSamples is how many timed calls the rule needs before it judges:
// plugin_chansize - 1, as Heka.
func (s *sink) slowSamples() int64 { return max(1, int64(s.e.g.PluginChanSize)-1) }

// checkSlow (sink goroutine, after a call made while backpressured) ends
// the filter when, over enough timed calls, its average call took longer
// than max_process_duration or its matcher's average took longer than a
// fifth of it. It returns the error that ends the filter, or nil.
func (s *sink) checkSlow(ctx context.Context) error {
	samples := s.procSamples.Load()
	if samples < s.slowSamples() {
		return nil
	}
	limit := int64(s.e.g.MaxProcessDuration)
	procAvg := avg(s.procNs.Load(), samples)
	matchAvg := avg(s.matchNs.Load(), s.matchSamples.Load())
	if procAvg <= limit && matchAvg <= limit/5 {
		return nil
	}
	fields := []pipeline.ReportField{
		{Name: "ProcessMessageCount", Value: s.processed.Load(), Representation: "count"},
		{Name: "ProcessMessageFailures", Value: s.dropped.Load(), Representation: "count"},
		{Name: "ProcessMessageSamples", Value: samples, Representation: "count"},
		{Name: "ProcessMessageAvgDuration", Value: procAvg, Representation: "ns"},
		{Name: "MatchAvgDuration", Value: matchAvg, Representation: "ns"},
		{Name: "FilterChanLength", Value: s.queued.Load(), Representation: "count"},
		// hekad matches on the router: there is no match queue.
		{Name: "MatchChanLength", Value: int64(0), Representation: "count"},
		{Name: "RouterChanLength", Value: int64(len(s.e.router.in)), Representation: "count"},
	}
	s.log.Error("ending a slow filter: it blocks the router", "avg_process_ns", procAvg,
		"avg_match_ns", matchAvg, "max_process_duration", limit)
	t := s.plugin.(pipeline.SlowTerminator)
	if err := guard(func() error { return t.Terminate(ctx, s.inj, slowReason, fields) }); err != nil {
		return err
	}
	return errSlow
}
