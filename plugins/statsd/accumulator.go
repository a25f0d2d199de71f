package statsd

import (
	"slices"
	"strings"
	"sync"
)

// Accumulator holds the counters, timers and gauges of one flush interval.
// It is safe for concurrent use: StatsdInputs and StatFilters add to it,
// the StatAccumInput that owns it flushes it.
type Accumulator struct {
	mu       sync.Mutex
	counters map[string]*int64
	timers   map[string]*[]float64
	gauges   map[string]*float64
	added    int64 // stats added since the start
}

// NewAccumulator returns an empty accumulator.
func NewAccumulator() *Accumulator {
	return &Accumulator{
		counters: map[string]*int64{},
		timers:   map[string]*[]float64{},
		gauges:   map[string]*float64{},
	}
}

// Add adds stats to the accumulator under one lock. A bucket seen before
// costs no allocation.
func (a *Accumulator) Add(stats ...Stat) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range stats {
		a.add(s)
	}
	a.added += int64(len(stats))
}

func (a *Accumulator) add(s Stat) {
	switch s.Kind {
	case Counter:
		inc, ok := counterIncrement(s)
		if !ok {
			return // ParseLine refuses these
		}
		p, ok := a.counters[string(s.Bucket)]
		if !ok {
			p = new(int64)
			a.counters[string(s.Bucket)] = p
		}
		*p += inc
	case Timer:
		p, ok := a.timers[string(s.Bucket)]
		if !ok {
			p = new([]float64)
			a.timers[string(s.Bucket)] = p
		}
		*p = append(*p, s.Value)
	case Gauge:
		p, ok := a.gauges[string(s.Bucket)]
		if !ok {
			p = new(float64)
			a.gauges[string(s.Bucket)] = p
		}
		if s.Delta {
			*p += s.Value
		} else {
			*p = s.Value
		}
	}
}

// Added returns how many stats were added since the accumulator was made.
func (a *Accumulator) Added() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.added
}

// snapshot is what one flush reports: every bucket, sorted by name.
type snapshot struct {
	counters []counterValue
	timers   []timerValue
	gauges   []gaugeValue
}

type counterValue struct {
	name  string
	count int64
}

type timerValue struct {
	name    string
	timings []float64 // sorted
}

type gaugeValue struct {
	name  string
	value float64
}

// take returns the interval's values and starts a new interval: counters
// go back to 0 and timers to no timing, gauges keep their value; with
// deleteIdle every bucket is forgotten instead, so that one that gets no
// sample in the next interval is not reported. The snapshot reuses the
// slices of prev.
func (a *Accumulator) take(deleteIdle bool, prev *snapshot) *snapshot {
	s := prev
	if s == nil {
		s = new(snapshot)
	}
	s.counters, s.timers, s.gauges = s.counters[:0], s.timers[:0], s.gauges[:0]
	a.mu.Lock()
	for k, p := range a.counters {
		s.counters = append(s.counters, counterValue{k, *p})
		*p = 0
	}
	for k, p := range a.timers {
		// The timings are copied: the accumulator keeps its slice.
		s.timers = append(s.timers, timerValue{k, slices.Clone(*p)})
		*p = (*p)[:0]
	}
	for k, p := range a.gauges {
		s.gauges = append(s.gauges, gaugeValue{k, *p})
	}
	if deleteIdle {
		clear(a.counters)
		clear(a.timers)
		clear(a.gauges)
	}
	a.mu.Unlock()
	slices.SortFunc(s.counters, func(x, y counterValue) int { return strings.Compare(x.name, y.name) })
	slices.SortFunc(s.timers, func(x, y timerValue) int { return strings.Compare(x.name, y.name) })
	slices.SortFunc(s.gauges, func(x, y gaugeValue) int { return strings.Compare(x.name, y.name) })
	for _, t := range s.timers {
		slices.Sort(t.timings)
	}
	return s
}
