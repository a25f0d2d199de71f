package client

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/hekad-go/hekad/message"
)

// The message types of the metric calls, as heka-py and heka-node send them
// (a StatFilter or a Lua filter in hekad turns them into statistics).
const (
	TypeCounter = "counter"
	TypeTimer   = "timer"
	TypeGauge   = "gauge"
)

// sampled reports whether a metric call at the given sample rate is sent,
// as heka-py decides it: a rate of 1 or more always is, a lower rate is
// sent when a uniform draw in [0, 1) falls below it (so a rate of 0 or less
// never is).
func (c *Client) sampled(rate float64) bool {
	if rate >= 1 || rand.Float64() < rate {
		return true
	}
	c.sampledOut.Add(1)
	return false
}

// metric sends a metric message: Type typ, Payload the value, and the fields
// name (STRING) and rate (DOUBLE) before the caller's fields.
func (c *Client) metric(typ, name string, value []byte, rate float64, fields []Field) error {
	e := c.start(typ, c.opts.Severity, "")
	n := copy(e.scratch[:], value)
	e.msg.SetPayload(scratchString(e.scratch[:n]))
	e.msg.AppendField("name", message.ValueString, "").AddString(name)
	e.msg.AppendField("rate", message.ValueDouble, "").AddDouble(rate)
	return c.finish(e, fields)
}

// Incr sends a counter increment (heka-py's incr): Type "counter", Payload
// the count in decimal, Fields name and rate. With a rate below 1 the call
// is sampled on the client: only that fraction of calls send anything, and
// the receiver scales the count by 1/rate.
func (c *Client) Incr(name string, count int64, rate float64, fields ...Field) error {
	if !c.sampled(rate) {
		return nil
	}
	var b [24]byte
	return c.metric(TypeCounter, name, strconv.AppendInt(b[:0], count, 10), rate, fields)
}

// Gauge sends a gauge's current value (heka-py's gauge): Type "gauge",
// Payload the value in decimal (without exponent or trailing zeros: 42,
// 0.5), Fields name and rate; sampled as Incr.
func (c *Client) Gauge(name string, value float64, rate float64, fields ...Field) error {
	if !c.sampled(rate) {
		return nil
	}
	var b [64]byte
	v := strconv.AppendFloat(b[:0], value, 'f', -1, 64)
	if len(v) > len(b) { // a huge value: keep the shortest form
		v = strconv.AppendFloat(b[:0], value, 'g', -1, 64)
	}
	return c.metric(TypeGauge, name, v, rate, fields)
}

// TimerSend sends a timing (heka-py's timer_send): Type "timer", Payload
// the elapsed time in whole milliseconds (rounded), Fields name and rate.
// Like heka-py's timer_send, it does not sample: rate is only recorded.
func (c *Client) TimerSend(name string, elapsed time.Duration, rate float64, fields ...Field) error {
	var b [24]byte
	ms := elapsed.Round(time.Millisecond).Milliseconds()
	return c.metric(TypeTimer, name, strconv.AppendInt(b[:0], ms, 10), rate, fields)
}

// TimerSince sends the time elapsed since start as TimerSend does, sampled
// by rate. Deferred, it times the rest of a function:
//
//	defer c.TimerSince("db.query", time.Now(), 1)
func (c *Client) TimerSince(name string, start time.Time, rate float64, fields ...Field) error {
	if !c.sampled(rate) {
		return nil
	}
	return c.TimerSend(name, c.opts.Now().Sub(start), rate, fields...)
}

// Timer runs fn and sends how long it took as TimerSend does (heka-py's
// timer used as a decorator). The sample rate decides only whether the
// timing is sent: fn always runs. The timing is sent even when fn panics.
func (c *Client) Timer(name string, rate float64, fn func(), fields ...Field) (err error) {
	if !c.sampled(rate) {
		fn()
		return nil
	}
	start := c.opts.Now()
	defer func() { err = c.TimerSend(name, c.opts.Now().Sub(start), rate, fields...) }()
	fn()
	return nil
}
