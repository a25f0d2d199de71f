package pipeline

import (
	"context"
	"errors"
	"time"
)

// Reports is what the engine offers plugins that publish hekad's own
// figures: a dashboard, a metrics endpoint, a plugin that forwards the
// figures upstream. A plugin gets it from Env.Reports and may call it from
// Run, Write, Process or Tick, from any goroutine.
type Reports interface {
	// Snapshot returns the engine's figures now: the message totals and
	// every plugin's report, in the order of the SIGUSR1 report. It never
	// waits on a plugin (see Reporter).
	Snapshot() Snapshot
	// InjectReports routes a heka.all-report message (Logger "hekad", the
	// snapshot as JSON in the Payload, in Heka's shape) and then a
	// heka.memstat message (the Go heap figures as fields). It never
	// waits for a pack; it fails once the router has stopped.
	InjectReports(ctx context.Context) error
}

// ErrNoReports is returned by the Reports of an Env that is not attached
// to a running engine (a plugin built by a unit test).
var ErrNoReports = errors.New("no engine reports: the plugin is not run by an engine")

// Report categories, in the order of the SIGUSR1 report and the keys of
// the heka.all-report JSON payload.
const (
	ReportGlobals   = "globals"
	ReportInputs    = "inputs"
	ReportSplitters = "splitters"
	ReportDecoders  = "decoders"
	ReportFilters   = "filters"
	ReportOutputs   = "outputs"
	ReportEncoders  = "encoders"
)

// ReportCategories lists the report categories in report order.
var ReportCategories = []string{ReportGlobals, ReportInputs, ReportSplitters, ReportDecoders,
	ReportFilters, ReportOutputs, ReportEncoders}

// Snapshot is the engine's figures at one moment.
type Snapshot struct {
	// Time is when the snapshot was taken.
	Time time.Time
	// Totals are the engine's message figures.
	Totals Totals
	// Plugins holds one report per plugin and per global queue, category
	// by category in ReportCategories order.
	Plugins []PluginReport
}

// Plugin returns the report of name in category, if there is one.
func (s Snapshot) Plugin(category, name string) (PluginReport, bool) {
	for _, r := range s.Plugins {
		if r.Category == category && r.Name == name {
			return r, true
		}
	}
	return PluginReport{}, false
}

// PluginReport is the figures of one plugin, or of one of the engine's
// global queues (category "globals").
type PluginReport struct {
	// Category is one of ReportCategories.
	Category string
	// Name is the plugin's name (inputs, filters, outputs: the section
	// name; splitters, decoders, encoders: "<owner>-<section>").
	Name string
	// Fields are the figures: the engine's first, then the plugin's own
	// (Reporter).
	Fields []ReportField
}

// Field returns the field called name, if there is one.
func (r PluginReport) Field(name string) (ReportField, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return ReportField{}, false
}

// Int returns the value of the field called name as an int64 (0 when
// there is no such field or it is not a number).
func (r PluginReport) Int(name string) int64 {
	f, _ := r.Field(name)
	switch v := f.Value.(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	}
	return 0
}

// Totals are the engine's message figures. Every message the router
// received is, at any time, in exactly one of: delivered, queued, dropped,
// unmatched, lost, or still in flight:
//
//	Received = Delivered + Queued + Dropped + Unmatched + Lost + InFlight
//
// A message's figure is decided once every filter and output that took it
// is done with it, by the worst of their outcomes (lost, then dropped,
// then queued, then delivered).
type Totals struct {
	// Received is how many messages the router routed: decoded input
	// records and injected messages.
	Received int64
	// Delivered messages were processed by every filter that took them and
	// made durable by every output that took them.
	Delivered int64
	// Queued messages were written to a disk queue (use_buffering) by at
	// least one output or filter; the queue delivers them, now or after a
	// restart.
	Queued int64
	// Dropped messages were dropped by a rule: a Drop error, an encoder
	// that skipped them, a full disk queue with full_action "drop".
	Dropped int64
	// Unmatched messages were taken by no matcher.
	Unmatched int64
	// Lost messages were not done with: a plugin failed with them, or
	// shutdown gave up waiting.
	Lost int64
	// InFlight messages are still on their way.
	InFlight int64
	// Buffered is how many records the disk queues of buffered outputs
	// hold, waiting for their output (not part of the equation: a record
	// there was counted as Queued when it was written).
	Buffered int64
	// Abandoned counts records that inputs read but that were never
	// routed because shutdown gave up waiting (not part of Received).
	Abandoned int64
	// Undecoded counts records that inputs read and that became no
	// message: their decoder failed on them (without send_decode_failures)
	// or turned them into none (not part of Received; per input, the
	// report's DecodeFailureCount and DecodeDropCount).
	Undecoded int64
}

// noReports is the Reports of an Env without an engine.
type noReports struct{}

func (noReports) Snapshot() Snapshot                  { return Snapshot{Time: time.Now()} }
func (noReports) InjectReports(context.Context) error { return ErrNoReports }
