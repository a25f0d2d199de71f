package statsd

import (
	"math"
	"strconv"

	"github.com/hekad-go/hekad/message"
)

// namespace joins a metric namespace and a name as Heka does: a dot is
// added after name unless it is empty or already ends in one.
func namespace(parent, name string) string {
	if name == "" || name[len(name)-1] == '.' {
		return parent + name
	}
	return parent + name + "."
}

// emitter writes the metrics of a flush to a Graphite payload and/or to
// message fields.
type emitter struct {
	text    bool             // write to payload
	payload []byte           // the Graphite lines written
	m       *message.Message // nil: not in fields
	ts      []byte           // " <unix seconds>\n"
}

// integer emits an integer metric (printed as an integer, an INTEGER
// field).
func (e *emitter) integer(prefix, name string, v int64) {
	if e.text {
		e.payload = append(e.payload, prefix...)
		e.payload = append(e.payload, name...)
		e.payload = append(e.payload, ' ')
		e.payload = strconv.AppendInt(e.payload, v, 10)
		e.payload = append(e.payload, e.ts...)
	}
	if e.m != nil {
		e.m.AppendField(prefix+name, message.ValueInteger, "").AddInteger(v)
	}
}

// float emits a float metric (printed with six decimals, as Go's %f, a
// DOUBLE field).
func (e *emitter) float(prefix, name string, v float64) {
	e.floatPayload(prefix, name, v)
	if e.m != nil {
		e.m.AppendField(prefix+name, message.ValueDouble, "").AddDouble(v)
	}
}

func (e *emitter) floatPayload(prefix, name string, v float64) {
	if e.text {
		e.payload = append(e.payload, prefix...)
		e.payload = append(e.payload, name...)
		e.payload = append(e.payload, ' ')
		e.payload = strconv.AppendFloat(e.payload, v, 'f', 6, 64)
		e.payload = append(e.payload, e.ts...)
	}
}

// flushNames are the namespaces of a flush, computed once from the
// configuration.
type flushNames struct {
	global, counters, countsLegacy, timers, gauges, numStats string
}

func (c *AccumConfig) names() flushNames {
	global := namespace("", c.GlobalPrefix)
	n := flushNames{
		global:       global,
		counters:     namespace(global, c.CounterPrefix),
		countsLegacy: namespace("", "stats_counts"),
		timers:       namespace(global, c.TimerPrefix),
		gauges:       namespace(global, c.GaugePrefix),
		numStats:     namespace(global, c.StatsdPrefix),
	}
	if c.LegacyNamespaces {
		n.numStats = namespace("", c.StatsdPrefix)
	}
	return n
}

// write emits the metrics of snapshot s, in Heka's names and values, to e:
// counters, gauges, then timers (each sorted by bucket), then numStats.
func (c *AccumConfig) write(e *emitter, names flushNames, s *snapshot) {
	interval := float64(c.TickerInterval)
	for _, cv := range s.counters {
		rate := float64(cv.count) / interval
		if c.LegacyNamespaces {
			// Heka wrote the rate as a float in the payload but as an
			// integer (truncated) in the fields.
			e.floatPayload(names.global, cv.name, rate)
			if e.m != nil {
				e.m.AppendField(names.global+cv.name, message.ValueInteger, "").AddInteger(int64(rate))
			}
			e.integer(names.countsLegacy, cv.name, cv.count)
			continue
		}
		ns := namespace(names.counters, cv.name)
		e.float(ns, "rate", rate)
		e.integer(ns, "count", cv.count)
	}
	for _, g := range s.gauges {
		e.float(names.gauges, g.name, g.value)
	}
	for _, t := range s.timers {
		c.writeTimer(e, namespace(names.timers, t.name), t.timings, interval)
	}
	e.integer(names.numStats, "numStats", int64(len(s.counters)+len(s.gauges)+len(s.timers)))
}

// writeTimer emits the statistics of one timer's sorted timings.
func (c *AccumConfig) writeTimer(e *emitter, ns string, timings []float64, interval float64) {
	count := len(timings)
	var lower, upper, sum, mean, rate float64
	var cumulative []float64
	if count > 0 {
		cumulative = make([]float64, count)
		acc := 0.0
		for i, v := range timings {
			acc += v
			cumulative[i] = acc
		}
		lower, upper = timings[0], timings[count-1]
		sum = cumulative[count-1]
		mean = sum / float64(count)
		rate = float64(count) / interval
	}
	e.integer(ns, "count", int64(count))
	e.float(ns, "count_ps", rate)
	e.float(ns, "lower", lower)
	e.float(ns, "upper", upper)
	e.float(ns, "sum", sum)
	e.float(ns, "mean", mean)
	for _, pct := range c.PercentThreshold {
		meanN, upperN := percentile(timings, cumulative, pct)
		n := strconv.Itoa(pct)
		e.float(ns, "mean_"+n, meanN)
		e.float(ns, "upper_"+n, upperN)
	}
}

// percentile returns the mean and the largest of the timings that fall
// within pct percent, rounding the number of timings left out as
// JavaScript's Math.round (statsd's and Heka's definition). With no timing
// within it, the mean is the lowest timing and the upper the highest.
func percentile(timings, cumulative []float64, pct int) (mean, upper float64) {
	count := len(timings)
	if count == 0 {
		return 0, 0
	}
	out := (100 - float64(pct)) / 100 * float64(count)
	in := count - int(math.Floor(out+0.5))
	if in <= 0 {
		return timings[0], timings[count-1]
	}
	return cumulative[in-1] / float64(in), timings[in-1]
}
