package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// The engine's reports: the SIGUSR1 text report, heka.all-report and
// heka.memstat messages (every [hekad] report_interval, or when a plugin
// asks through pipeline.Reports), a typed Snapshot of the same figures,
// and the SIGUSR2 probe of a wedged router.

// reportColumns are Heka's report columns, in Heka's order: the text
// report shows them first, then every other figure in the order it has.
var reportColumns = []string{
	"InChanCapacity", "InChanLength", "MatchChanCapacity", "MatchChanLength",
	"MatchAvgDuration", "ProcessMessageCount", "InjectMessageCount", "Memory",
	"MaxMemory", "MaxInstructions", "MaxOutput", "ProcessMessageAvgDuration",
	"TimerEventAvgDuration", "SynchronousDecode",
}

var _ pipeline.Reports = (*Engine)(nil)

func count(name string, v int64) pipeline.ReportField {
	return pipeline.ReportField{Name: name, Value: v, Representation: "count"}
}

func bytesField(name string, v int64) pipeline.ReportField {
	return pipeline.ReportField{Name: name, Value: v, Representation: "B"}
}

func avg(total, samples int64) int64 {
	if samples == 0 {
		return 0
	}
	return total / samples
}

// pluginFields asks a plugin implementing pipeline.Reporter for its
// figures; a panic becomes an Error field.
func pluginFields(p any) (fs []pipeline.ReportField) {
	r, ok := p.(pipeline.Reporter)
	if !ok {
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			fs = []pipeline.ReportField{{Name: "Error", Value: fmt.Sprint("panic: ", v)}}
		}
	}()
	return r.Report()
}

// totalsFields are the engine's message totals as the fields of the
// "Messages" entry of the globals (a hekad extension).
func totalsFields(st Stats) []pipeline.ReportField {
	return []pipeline.ReportField{
		count("ReceivedCount", st.Received), count("DeliveredCount", st.Delivered),
		count("QueuedCount", st.Queued), count("DroppedCount", st.Dropped),
		count("UnmatchedCount", st.Unmatched), count("LostCount", st.Lost),
		count("InFlightCount", st.InFlight), count("BufferedCount", st.Buffered),
		count("AbandonedCount", st.Abandoned), count("UndecodedCount", st.Undecoded),
	}
}

// sinkFields are the engine's figures of one filter or output: Heka's,
// then what became of the messages it took, then its disk queue's.
func (e *Engine) sinkFields(s *sink) []pipeline.ReportField {
	capacity, queued := int64(e.g.PluginChanSize), s.queued.Load()
	fs := []pipeline.ReportField{
		count("InChanCapacity", capacity), count("InChanLength", queued),
		count("MatchChanCapacity", capacity), count("MatchChanLength", queued),
		{Name: "MatchAvgDuration", Value: avg(s.matchNs.Load(), s.matchSamples.Load()), Representation: "ns"},
		count("ProcessMessageCount", s.processed.Load()),
		count("DropMessageCount", s.dropped.Load()),
		count("LeakCount", s.leaks.Load()),
		{Name: "ProcessMessageAvgDuration", Value: avg(s.procNs.Load(), s.procSamples.Load()), Representation: "ns"},
	}
	if s.kind == pipeline.KindFilter {
		fs = append(fs, count("InjectMessageCount", s.injected.Load()))
	}
	fs = append(fs,
		count("DeliveredCount", s.counts.at[outDelivered].Load()),
		count("QueuedCount", s.counts.at[outQueued].Load()),
		count("DroppedCount", s.counts.at[outDropped].Load()),
		count("LostCount", s.counts.at[outLost].Load()))
	if s.buffered {
		var qs struct {
			bytes, pending, appended, committed, corrupt int64
			files                                        int
		}
		if q := s.queue.Load(); q != nil {
			st := q.Stats()
			qs.bytes, qs.pending, qs.appended, qs.committed, qs.corrupt, qs.files =
				st.Bytes, st.Pending, st.Appended, st.Committed, st.Corrupt, st.Segments
		}
		fs = append(fs,
			bytesField("QueueBytes", qs.bytes),
			count("QueueRecords", qs.pending),
			count("QueueFiles", int64(qs.files)),
			count("QueueAppendedCount", qs.appended),
			count("QueueSentCount", qs.committed),
			count("QueueCorruptCount", qs.corrupt),
			count("QueueFullCount", s.queueFull.Load()),
			count("QueueDropMessageCount", s.queueDropped.Load()))
	}
	return fs
}

// Snapshot returns every figure of the report now, typed: the message
// totals, and per category (pipeline.ReportCategories) every global queue
// and plugin with the engine's figures and then the plugin's own
// (pipeline.Reporter). It is safe to call from any goroutine at any time.
func (e *Engine) Snapshot() pipeline.Snapshot {
	snap := pipeline.Snapshot{Time: time.Now(), Totals: e.Stats()}
	add := func(cat, name string, fs ...pipeline.ReportField) {
		snap.Plugins = append(snap.Plugins, pipeline.PluginReport{Category: cat, Name: name, Fields: fs})
	}
	for _, pl := range []*pipeline.Pool{e.inputPool, e.injectPool} {
		if pl != nil {
			add(pipeline.ReportGlobals, pl.Name()+"RecycleChan",
				count("InChanCapacity", int64(pl.Cap())), count("InChanLength", int64(pl.Len())))
		}
	}
	if r := e.router; r != nil {
		add(pipeline.ReportGlobals, "Router",
			count("InChanCapacity", int64(cap(r.in)*e.batchSize)),
			count("InChanLength", int64(len(r.in)*e.batchSize)),
			count("ProcessMessageCount", r.processed.Load()))
	}
	add(pipeline.ReportGlobals, "Messages", totalsFields(snap.Totals)...)

	for _, ir := range e.inputs {
		fs := pluginFields(ir.plugin())
		fs = append(fs, count("DecodeFailureCount", ir.decodeFailures.Load()), count("OversizeRecordCount", ir.oversize.Load()),
			count("PartialRecordDropCount", ir.partials.Load()))
		if ir.common.SynchronousDecode && ir.decoder != nil {
			fs = append(fs, pipeline.ReportField{Name: "SynchronousDecode", Value: "true"})
		}
		add(pipeline.ReportInputs, ir.name, fs...)
	}
	for _, ir := range e.inputs {
		add(pipeline.ReportSplitters, ir.splitter.name)
	}
	for _, ir := range e.inputs {
		if ir.decoder == nil {
			continue
		}
		var fs []pipeline.ReportField
		if !ir.common.SynchronousDecode {
			fs = append(fs, count("InChanCapacity", int64(e.chanSize*e.batchSize)),
				count("InChanLength", ir.decQueued.Load()))
		}
		fs = append(fs,
			count("ProcessMessageCount", ir.decoded.Load()),
			count("DecodeFailureCount", ir.decodeFailures.Load()),
			count("DecodeDropCount", ir.decodeDrops.Load()),
			pipeline.ReportField{Name: "ProcessMessageAvgDuration", Value: avg(ir.decNs.Load(), ir.decSamples.Load()), Representation: "ns"})
		add(pipeline.ReportDecoders, ir.decoder.name, append(fs, ir.decoderFields()...)...)
	}
	for _, s := range e.filterList() {
		add(pipeline.ReportFilters, s.name, append(e.sinkFields(s), pluginFields(s.plugin)...)...)
	}
	for _, s := range e.outputs {
		add(pipeline.ReportOutputs, s.name, append(e.sinkFields(s), pluginFields(s.plugin)...)...)
	}
	for _, s := range e.sinks() {
		if s.encoder != nil {
			add(pipeline.ReportEncoders, s.encName, pluginFields(s.encoder)...)
		}
	}
	return snap
}

// Report writes the SIGUSR1 text report in Heka's layout: a
// "========[heka.all-report]========" banner, a section per category and,
// per plugin, its name followed by one "Field: value" line per figure
// (Heka's columns first, in Heka's order, then the others).
func (e *Engine) Report(w io.Writer) {
	writeReport(w, e.Snapshot())
}

func writeReport(w io.Writer, snap pipeline.Snapshot) {
	var b strings.Builder
	b.WriteString("========[heka.all-report]========\n")
	for i, cat := range pipeline.ReportCategories {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "\n====%s====\n", strings.ToUpper(cat[:1])+cat[1:])
		n := 0
		for _, r := range snap.Plugins {
			if r.Category != cat {
				continue
			}
			if n > 0 {
				b.WriteByte('\n')
			}
			n++
			b.WriteString(r.Name)
			b.WriteByte(':')
			shown := make([]bool, len(r.Fields))
			for _, col := range reportColumns {
				for j, f := range r.Fields {
					if f.Name == col && !shown[j] {
						fmt.Fprintf(&b, "\n    %s: %v", f.Name, f.Value)
						shown[j] = true
						break
					}
				}
			}
			for j, f := range r.Fields {
				if !shown[j] {
					fmt.Fprintf(&b, "\n    %s: %v", f.Name, f.Value)
				}
			}
		}
		if n == 0 {
			b.WriteString("NONE\n")
		}
	}
	b.WriteString("\n========\n")
	io.WriteString(w, b.String())
}

// allReportJSON is the payload of heka.all-report, in Heka's shape: per
// category, a list of {"Name": name, "<Field>": {"value": v,
// "representation": r}, ...}; every category is present.
func allReportJSON(snap pipeline.Snapshot) string {
	data := make(map[string][]map[string]any, len(pipeline.ReportCategories))
	for _, cat := range pipeline.ReportCategories {
		data[cat] = []map[string]any{}
	}
	for _, r := range snap.Plugins {
		m := map[string]any{"Name": r.Name}
		for _, f := range r.Fields {
			m[f.Name] = map[string]any{"value": f.Value, "representation": f.Representation}
		}
		data[r.Category] = append(data[r.Category], m)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(data); err != nil {
		return fmt.Sprintf(`{"error":%q}`, err.Error())
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// InjectReports routes a heka.all-report message (Logger "hekad", the
// report as JSON in the Payload) and then a heka.memstat message (heap
// figures as fields), as Heka's DashboardOutput asked for on every tick.
// It never waits for the inject pool; it fails once the router stopped.
func (e *Engine) InjectReports(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if e.router == nil {
		return errStopped
	}
	p := e.enginePack()
	m := p.MutableMessage()
	m.SetType("heka.all-report")
	m.SetPayload(allReportJSON(e.Snapshot()))

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	q := e.enginePack()
	m = q.MutableMessage()
	m.SetType("heka.memstat")
	for _, f := range []struct {
		name string
		v    uint64
		rep  string
	}{
		{"HeapSys", ms.HeapSys, "B"}, {"HeapAlloc", ms.HeapAlloc, "B"}, {"HeapIdle", ms.HeapIdle, "B"},
		{"HeapInuse", ms.HeapInuse, "B"}, {"HeapReleased", ms.HeapReleased, "B"}, {"HeapObjects", ms.HeapObjects, "count"},
	} {
		if fld, err := message.NewField(f.name, int64(f.v), f.rep); err == nil {
			m.AddField(fld)
		}
	}
	// Both or neither: a shutdown never separates the pair.
	if err := e.router.inject(p, q); err != nil {
		return fmt.Errorf("heka.all-report: %w", err)
	}
	return nil
}

// reportLoop injects the reports every Options.ReportInterval until the
// shutdown starts.
func (e *Engine) reportLoop() {
	d := e.opts.ReportInterval
	if d <= 0 {
		return
	}
	t := time.NewTicker(d)
	defer t.Stop()
	failed := false
	for {
		select {
		case <-e.stopCh:
			return
		case <-e.done:
			return
		case <-t.C:
			err := e.InjectReports(e.runCtx)
			if err != nil && !failed && !errors.Is(err, errStopped) && e.runCtx.Err() == nil {
				e.log.Warn("cannot route the periodic reports", "err", err)
			}
			failed = err != nil
		}
	}
}

// runRouter runs the router goroutine and marks its end (AbortIfWedged).
func (e *Engine) runRouter() {
	defer close(e.routerOut)
	e.router.run()
}

// routerWedged asks the router goroutine to run a no-op between two
// batches and reports whether it did not within wait: the router is then
// stuck handing a batch to a filter or output that takes nothing. A
// router that has finished (shutdown) or not started is not wedged.
func (e *Engine) routerWedged(wait time.Duration) bool {
	if !e.started.Load() {
		return false
	}
	answered := make(chan struct{})
	e.router.control(func() { close(answered) })
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-answered:
		return false
	case <-e.routerOut:
		return false
	case <-t.C:
		return true
	}
}

// AbortIfWedged is hekad's SIGUSR2 (Heka's "sandbox abort"): it probes
// whether the router answers within Options.ProbeWait. If it does, it logs
// so and does nothing else. If it does not (the router is wedged behind a
// plugin that takes nothing), it writes the report to w, calls Abort on
// every plugin implementing pipeline.Aborter (inputs, filters, outputs,
// encoders) so that their current calls return, and shuts hekad down
// with an error (exit status 1). It reports whether the router was wedged.
func (e *Engine) AbortIfWedged(w io.Writer) bool {
	if !e.routerWedged(e.opts.ProbeWait) {
		e.log.Info(fmt.Sprintf("SIGUSR2: the router answered within %s: not wedged, nothing aborted", e.opts.ProbeWait))
		return false
	}
	blocked := "a plugin"
	if s := e.router.blockedOn.Load(); s != nil {
		blocked = fmt.Sprintf("%s '%s'", s.kindName(), s.name)
	}
	e.log.Error(fmt.Sprintf("SIGUSR2: the router did not answer within %s: wedged behind %s; aborting plugins and shutting down",
		e.opts.ProbeWait, blocked))
	e.Report(w)
	n := 0
	for _, p := range e.aborters() {
		if a, ok := p.(pipeline.Aborter); ok {
			guard(func() error { a.Abort(); return nil })
			n++
		}
	}
	e.log.Error(fmt.Sprintf("SIGUSR2: aborted %d plugins", n))
	e.fail(fmt.Errorf("router wedged behind %s: plugins aborted (SIGUSR2)", blocked))
	return true
}

// aborters lists every plugin instance the engine holds.
func (e *Engine) aborters() []any {
	var ps []any
	for _, ir := range e.inputs {
		ps = append(ps, ir.plugin())
		ps = append(ps, ir.liveDecoderPlugins()...)
	}
	for _, s := range e.sinks() {
		ps = append(ps, s.plugin)
		if s.encoder != nil {
			ps = append(ps, s.encoder)
		}
	}
	return ps
}
