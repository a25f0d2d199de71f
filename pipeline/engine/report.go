package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
)

// reportEntry is one plugin's (or global queue's) figures.
type reportEntry struct {
	name   string
	fields []pipeline.ReportField
}

// reportCategory is one section of the report, in Heka's order.
type reportCategory struct {
	key     string
	entries []reportEntry
}

// reportColumns are the figures the text report shows, in Heka's order.
var reportColumns = []string{
	"InChanCapacity", "InChanLength", "MatchChanCapacity", "MatchChanLength",
	"MatchAvgDuration", "ProcessMessageCount", "InjectMessageCount", "Memory",
	"MaxMemory", "MaxInstructions", "MaxOutput", "ProcessMessageAvgDuration",
	"TimerEventAvgDuration", "SynchronousDecode",
}

func count(name string, v int64) pipeline.ReportField {
	return pipeline.ReportField{Name: name, Value: v, Representation: "count"}
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

// reportData gathers the report, category by category.
func (e *Engine) reportData() []reportCategory {
	cats := []reportCategory{{key: "globals"}, {key: "inputs"}, {key: "splitters"}, {key: "decoders"},
		{key: "filters"}, {key: "outputs"}, {key: "encoders"}}
	add := func(i int, name string, fs ...pipeline.ReportField) {
		cats[i].entries = append(cats[i].entries, reportEntry{name: name, fields: fs})
	}
	for _, pl := range []*pipeline.Pool{e.inputPool, e.injectPool} {
		add(0, pl.Name()+"RecycleChan", count("InChanCapacity", int64(pl.Cap())), count("InChanLength", int64(pl.Len())))
	}
	r := e.router
	add(0, "Router",
		count("InChanCapacity", int64(cap(r.in)*e.batchSize)),
		count("InChanLength", int64(len(r.in)*e.batchSize)),
		count("ProcessMessageCount", r.processed.Load()))

	for _, ir := range e.inputs {
		fs := pluginFields(ir.plugin())
		fs = append(fs, count("DecodeFailureCount", ir.decodeFailures.Load()), count("OversizeRecordCount", ir.oversize.Load()))
		if ir.common.SynchronousDecode && ir.decoder != nil {
			fs = append(fs, pipeline.ReportField{Name: "SynchronousDecode", Value: "true"})
		}
		add(1, ir.name, fs...)
		add(2, ir.splitter.name)
		if ir.decoder != nil {
			if ir.common.SynchronousDecode {
				add(3, ir.decoder.name)
			} else {
				add(3, ir.decoder.name,
					count("InChanCapacity", int64(e.chanSize*e.batchSize)),
					count("InChanLength", ir.decQueued.Load()))
			}
		}
	}
	for _, s := range append(append([]*sink(nil), e.filters...), e.outputs...) {
		i := 4
		if s.kind == pipeline.KindOutput {
			i = 5
		}
		fs := pluginFields(s.plugin)
		capacity, queued := int64(e.g.PluginChanSize), s.queued.Load()
		fs = append(fs,
			count("InChanCapacity", capacity), count("InChanLength", queued),
			count("MatchChanCapacity", capacity), count("MatchChanLength", queued),
			pipeline.ReportField{Name: "MatchAvgDuration", Value: avg(s.matchNs.Load(), s.matchSamples.Load()), Representation: "ns"},
			count("ProcessMessageCount", s.processed.Load()),
			count("DropMessageCount", s.dropped.Load()),
			count("LeakCount", s.leaks.Load()),
			pipeline.ReportField{Name: "ProcessMessageAvgDuration", Value: avg(s.procNs.Load(), s.procSamples.Load()), Representation: "ns"},
		)
		if s.kind == pipeline.KindFilter {
			fs = append(fs, count("InjectMessageCount", s.injected.Load()))
		}
		add(i, s.name, fs...)
		if s.encoder != nil {
			add(6, s.encName, pluginFields(s.encoder)...)
		}
	}
	return cats
}

// Report writes the SIGUSR1 text report in Heka's layout: a
// "========[heka.all-report]========" banner, a section per category and,
// per plugin, its name followed by the report columns it has.
func (e *Engine) Report(w io.Writer) {
	var b strings.Builder
	b.WriteString("========[heka.all-report]========\n")
	for i, c := range e.reportData() {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "\n====%s====\n", strings.ToUpper(c.key[:1])+c.key[1:])
		if len(c.entries) == 0 {
			b.WriteString("NONE\n")
			continue
		}
		for j, en := range c.entries {
			if j > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(en.name)
			b.WriteByte(':')
			for _, col := range reportColumns {
				for _, f := range en.fields {
					if f.Name == col {
						fmt.Fprintf(&b, "\n    %s: %v", col, f.Value)
						break
					}
				}
			}
		}
	}
	b.WriteString("\n========\n")
	io.WriteString(w, b.String())
}

// allReportJSON is the payload of heka.all-report: per category, a list of
// {"Name": name, "<Field>": {"value": v, "representation": r}, ...}.
func (e *Engine) allReportJSON() string {
	data := map[string][]map[string]any{}
	for _, c := range e.reportData() {
		for _, en := range c.entries {
			m := map[string]any{"Name": en.name}
			for _, f := range en.fields {
				m[f.Name] = map[string]any{"value": f.Value, "representation": f.Representation}
			}
			data[c.key] = append(data[c.key], m)
		}
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(data); err != nil {
		return fmt.Sprintf(`{"error":%q}`, err.Error())
	}
	return buf.String()
}

// InjectReports routes a heka.all-report message (the report as JSON) and
// a heka.memstat message (heap figures), as Heka's DashboardOutput asks
// for on every tick. It never waits for the inject pool.
func (e *Engine) InjectReports(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p := e.enginePack()
	m := p.MutableMessage()
	m.SetType("heka.all-report")
	m.SetPayload(e.allReportJSON())
	if err := e.router.inject(p); err != nil {
		return fmt.Errorf("heka.all-report: %w", err)
	}

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
	if err := e.router.inject(q); err != nil {
		return fmt.Errorf("heka.memstat: %w", err)
	}
	return nil
}
