package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// textReport is a parsed SIGUSR1 report: category ("Globals", "Outputs",
// ...) -> entry name -> field -> value.
type textReport map[string]map[string]map[string]string

// lastTextReport parses the last complete SIGUSR1 report in stderr.
func lastTextReport(stderr string) (textReport, bool) {
	const banner = "========[heka.all-report]========\n"
	i := strings.LastIndex(stderr, banner)
	if i < 0 {
		return nil, false
	}
	body := stderr[i+len(banner):]
	j := strings.Index(body, "\n========\n")
	if j < 0 {
		return nil, false
	}
	rep := textReport{}
	var cat, name string
	for _, line := range strings.Split(body[:j], "\n") {
		switch {
		case strings.HasPrefix(line, "====") && strings.HasSuffix(line, "===="):
			cat = strings.Trim(line, "=")
			rep[cat] = map[string]map[string]string{}
		case strings.HasPrefix(line, "    "):
			k, v, _ := strings.Cut(strings.TrimSpace(line), ": ")
			rep[cat][name][k] = v
		case strings.HasSuffix(line, ":"):
			name = strings.TrimSuffix(line, ":")
			rep[cat][name] = map[string]string{}
		}
	}
	return rep, true
}

// int returns a figure of the report (-1 when absent).
func (r textReport) int(cat, name, field string) int64 {
	v, ok := r[cat][name][field]
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// report sends SIGUSR1 and returns the report it prints.
func (p *proc) report() textReport {
	p.t.Helper()
	const banner = "========[heka.all-report]========\n"
	before := strings.Count(p.Stderr(), banner)
	p.cmd.Process.Signal(syscall.SIGUSR1)
	var rep textReport
	waitFor(p.t, 30*time.Second, "the SIGUSR1 report", func() bool {
		s := p.Stderr()
		var ok bool
		rep, ok = lastTextReport(s)
		return ok && strings.Count(s, banner) > before
	})
	return rep
}

// jsonReport is a parsed heka.all-report payload.
type jsonReport map[string][]map[string]json.RawMessage

// int returns a figure of the report (-1 when absent or not a count).
func (r jsonReport) int(cat, name, field string) int64 {
	for _, en := range r[cat] {
		var n string
		if json.Unmarshal(en["Name"], &n) != nil || n != name {
			continue
		}
		var f struct {
			Value          *int64 `json:"value"`
			Representation string `json:"representation"`
		}
		if json.Unmarshal(en[field], &f) != nil || f.Value == nil || (f.Representation != "count" && f.Representation != "B") {
			return -1
		}
		return *f.Value
	}
	return -1
}

// closingFigures returns received, delivered, queued, dropped, unmatched,
// lost from the closing line (closingLine checks that they add up).
func closingFigures(t *testing.T, log string) [6]int64 {
	t.Helper()
	c := closingLine(t, log)
	return [6]int64{c.Received, c.Delivered, c.Queued, c.Dropped, c.Unmatched, c.Lost}
}

// TestReportCounts: the figures of the SIGUSR1 report and of the
// heka.all-report messages (report_interval) agree with the N messages
// the test sent, with each other and with the closing line. Data goes to a
// FileOutput (delivered once fsynced) and to a buffered TcpOutput whose
// downstream is down (queued on disk), so every data message ends up
// "queued" and the queue's figures are N.
func TestReportCounts(t *testing.T) {
	const n = 500
	tests := []struct {
		name     string
		interval int // report_interval
	}{
		{"SIGUSR1 text report", 0},
		{"heka.all-report every second", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := freePort(t)
			dir := t.TempDir()
			data, reports := filepath.Join(dir, "data.log"), filepath.Join(dir, "reports.log")
			p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"
report_interval = %d

[in]
type = "TcpInput"
address = %q

[data]
type = "FileOutput"
message_matcher = "Type == 'data'"
path = %q
encoder = "PayloadEncoder"

[queued]
type = "TcpOutput"
message_matcher = "Type == 'data'"
address = %q

[reports]
type = "FileOutput"
message_matcher = "Type == 'heka.all-report'"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
`, tc.interval, addr, data, freePort(t), reports))
			p.waitListening(addr)
			sent := 0
			for c := 0; c < 5; c++ {
				var ps []string
				for i := 0; i < n/5; i++ {
					ps = append(ps, fmt.Sprintf("m%d", sent))
					sent++
				}
				send(t, addr, payloadFrames(t, "data", ps...))
			}
			waitFor(t, 60*time.Second, "every message in the file", func() bool { return countLines(data) == sent })

			// The SIGUSR1 report, once the file output has fsynced them all
			// and the buffered output has queued them all: the two outputs
			// take the messages independently, so the queue's figures may
			// still lag when the file's are complete. Poll the reports until
			// every figure holds (they only grow), or name those that never
			// did.
			wrong := func(rep textReport) []string {
				var bad []string
				for _, c := range []struct {
					cat, name, field string
					want             int64
				}{
					{"Outputs", "data", "DeliveredCount", int64(sent)},
					{"Outputs", "data", "ProcessMessageCount", int64(sent)},
					{"Outputs", "data", "LostCount", 0},
					{"Outputs", "queued", "QueuedCount", int64(sent)},
					{"Outputs", "queued", "QueueRecords", int64(sent)},
					{"Outputs", "queued", "QueueAppendedCount", int64(sent)},
					{"Outputs", "queued", "QueueSentCount", 0},
					{"Outputs", "queued", "QueueFiles", 1},
					{"Outputs", "queued", "QueueCorruptCount", 0},
					{"Outputs", "queued", "QueueFullCount", 0},
					{"Outputs", "queued", "LostCount", 0},
					{"Globals", "Messages", "QueuedCount", int64(sent)},
					{"Globals", "Messages", "LostCount", 0},
					{"Globals", "Messages", "BufferedCount", int64(sent)},
				} {
					if got := rep.int(c.cat, c.name, c.field); got != c.want {
						bad = append(bad, fmt.Sprintf("text report %s %s %s = %d, want %d", c.cat, c.name, c.field, got, c.want))
					}
				}
				if b := rep.int("Outputs", "queued", "QueueBytes"); b < int64(sent)*20 {
					bad = append(bad, fmt.Sprintf("QueueBytes = %d for %d records", b, sent))
				}
				router := rep.int("Globals", "Router", "ProcessMessageCount")
				if tc.interval == 0 {
					// Nothing but the data was routed.
					for _, c := range []struct {
						field string
						want  int64
					}{{"ReceivedCount", int64(sent)}, {"DeliveredCount", 0}, {"UnmatchedCount", 0}, {"InFlightCount", 0}} {
						if got := rep.int("Globals", "Messages", c.field); got != c.want {
							bad = append(bad, fmt.Sprintf("text report Messages %s = %d, want %d", c.field, got, c.want))
						}
					}
					if router != int64(sent) {
						bad = append(bad, fmt.Sprintf("router ProcessMessageCount = %d, want %d", router, sent))
					}
				} else if router < int64(sent) {
					bad = append(bad, fmt.Sprintf("router ProcessMessageCount = %d, want at least %d", router, sent))
				}
				return bad
			}
			var bad []string
			for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if bad = wrong(p.report()); len(bad) == 0 || time.Now().After(deadline) {
					break
				}
			}
			for _, b := range bad {
				t.Error(b)
			}

			// done says whether an all-report was made once every data
			// message was delivered to the file and queued for the
			// buffered output: each takes them at its own pace, and the
			// global count follows theirs.
			done := func(r jsonReport) bool {
				return r.int("outputs", "data", "DeliveredCount") == int64(sent) &&
					r.int("outputs", "queued", "QueuedCount") == int64(sent) &&
					r.int("globals", "Messages", "QueuedCount") == int64(sent)
			}
			if tc.interval > 0 {
				// Two reports after every message is delivered to the file
				// and queued by the buffered output.
				waitFor(t, 60*time.Second, "two all-reports with every message", func() bool {
					k := 0
					for _, r := range readReports(t, reports, false) {
						if done(r) {
							k++
						}
					}
					return k >= 2
				})
			}
			if code := p.stop(); code != 0 {
				t.Fatalf("exit code %d", code)
			}
			f := closingFigures(t, p.Stdout()+p.Stderr())
			all := readReports(t, reports, true)
			k := int64(len(all)) // each all-report came with a heka.memstat nothing matched
			want := [6]int64{int64(sent) + 2*k, k, int64(sent), k, k, 0}
			if f != want {
				t.Errorf("closing line received/delivered/queued/dropped/unmatched/lost = %v, want %v", f, want)
			}
			if !strings.Contains(p.Stdout()+p.Stderr(), fmt.Sprintf("disk queues hold %d records for the next start", sent)) {
				t.Error("the closing line does not count the queued records")
			}
			if tc.interval == 0 {
				if k != 0 {
					t.Errorf("%d all-reports with report_interval = 0", k)
				}
				return
			}
			if k < 2 {
				t.Fatalf("%d all-reports", k)
			}
			complete := 0
			for i, r := range all {
				for _, cat := range []string{"globals", "inputs", "splitters", "decoders", "filters", "outputs", "encoders"} {
					if _, ok := r[cat]; !ok {
						t.Errorf("all-report %d has no %q", i, cat)
					}
				}
				msgs := func(f string) int64 { return r.int("globals", "Messages", f) }
				if in := msgs("InFlightCount"); in < 0 || msgs("LostCount") != 0 {
					t.Errorf("all-report %d: InFlight %d Lost %d", i, in, msgs("LostCount"))
				}
				if got := r.int("outputs", "reports", "ProcessMessageCount"); got > int64(i) {
					t.Errorf("all-report %d: the reports output had already processed %d reports", i, got)
				}
				if !done(r) {
					continue
				}
				// Every data message was routed, delivered and queued before
				// this report; so were the i reports before it and their
				// memstats (reports are a second apart).
				complete++
				for _, c := range []struct {
					cat, name, field string
					want             int64
				}{
					{"globals", "Router", "ProcessMessageCount", int64(sent) + 2*int64(i)},
					{"globals", "Messages", "ReceivedCount", int64(sent) + 2*int64(i)},
					{"globals", "Messages", "QueuedCount", int64(sent)},
					{"globals", "Messages", "UnmatchedCount", int64(i)},
					{"globals", "Messages", "BufferedCount", int64(sent)},
					{"outputs", "data", "ProcessMessageCount", int64(sent)},
					{"outputs", "queued", "QueuedCount", int64(sent)},
					{"outputs", "queued", "QueueRecords", int64(sent)},
					{"outputs", "queued", "QueueSentCount", 0},
					{"outputs", "queued", "QueueFullCount", 0},
				} {
					if got := r.int(c.cat, c.name, c.field); got != c.want {
						t.Errorf("all-report %d: %s %s %s = %d, want %d", i, c.cat, c.name, c.field, got, c.want)
					}
				}
			}
			if complete < 2 {
				t.Errorf("%d all-reports with every message delivered", complete)
			}
			// The last report and the closing line differ by exactly that
			// report and its memstat.
			last := all[len(all)-1]
			if got := last.int("globals", "Messages", "ReceivedCount"); got != f[0]-2 {
				t.Errorf("last all-report: ReceivedCount %d, closing line %d", got, f[0])
			}
		})
	}
}

// readReports parses the heka.all-report payloads written so far, one
// per line; final says the file is complete (every line must parse).
func readReports(t *testing.T, path string, final bool) []jsonReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		if final && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return nil
	}
	var out []jsonReport
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		var r jsonReport
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			if final {
				t.Fatalf("all-report %d: %v: %s", len(out), err, line)
			}
			break // a line being written
		}
		out = append(out, r)
	}
	return out
}

// TestSIGUSR2: Heka's "sandbox abort". While the router accepts packs,
// SIGUSR2 is logged and changes nothing; when it is wedged behind an
// output that takes nothing, hekad writes the report, calls the output's
// Abort and shuts down with status 1.
func TestSIGUSR2(t *testing.T) {
	tests := []struct {
		name   string
		output string // type of the output every message goes to
	}{
		{"router accepts packs", "FileOutput"},
		{"router wedged", "StuckOutput"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := freePort(t)
			out := filepath.Join(t.TempDir(), "out.log")
			extra := ""
			if tc.output == "FileOutput" {
				extra = fmt.Sprintf("path = %q\nencoder = \"PayloadEncoder\"\n\n[PayloadEncoder]\n", out)
			}
			p := startBin(t, hekadTestBin, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"
poolsize = 20
plugin_chansize = 10

[in]
type = "TcpInput"
address = %q

[out]
type = %q
message_matcher = "TRUE"
%s`, addr, tc.output, extra))
			p.waitListening(addr)
			const n = 200
			var ps []string
			for i := range n {
				ps = append(ps, fmt.Sprintf("m%d", i))
			}
			frames := payloadFrames(t, "data", ps...)
			if tc.output == "FileOutput" {
				send(t, addr, frames)
				waitFor(t, 60*time.Second, "every message", func() bool { return countLines(out) == n })
				p.cmd.Process.Signal(syscall.SIGUSR2)
				waitFor(t, 30*time.Second, "SIGUSR2 to be answered", func() bool {
					return strings.Contains(p.Stdout(), "not wedged, nothing aborted")
				})
				// Still running and routing.
				send(t, addr, payloadFrames(t, "data", "after"))
				waitFor(t, 60*time.Second, "a message after SIGUSR2", func() bool { return countLines(out) == n+1 })
				if strings.Contains(p.Stderr(), "heka.all-report") {
					t.Error("a report was written")
				}
				if code := p.stop(); code != 0 {
					t.Fatalf("exit code %d", code)
				}
				return
			}

			// The stuck output holds the batches the router hands it until
			// its channel is full; then the router waits on it.
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			go c.Write(frames) // blocks once hekad stops reading; ends with c
			answered := 0
			waitFor(t, 60*time.Second, "SIGUSR2 to find the router wedged", func() bool {
				if strings.Contains(p.Stderr(), "wedged behind") {
					return true
				}
				if got := strings.Count(p.Stdout(), "not wedged"); got < answered {
					return false // the last probe is still running
				} else {
					answered = got + 1
				}
				p.cmd.Process.Signal(syscall.SIGUSR2)
				return false
			})
			if code := p.wait(60 * time.Second); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			stderr := p.Stderr()
			for _, want := range []string{
				"wedged behind output 'out'",
				"========[heka.all-report]========",
				"StuckOutput aborted",
				"aborted 1 plugins",
				"router wedged behind output 'out': plugins aborted (SIGUSR2)",
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q", want)
				}
			}
			if rep, ok := lastTextReport(stderr); !ok || rep.int("Outputs", "out", "InChanLength") <= 0 {
				t.Errorf("the report does not show the queue before the stuck output: %v", rep["Outputs"])
			}
		})
	}
}
