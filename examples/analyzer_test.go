package examples_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cbufGraph is a circular buffer as Heka's filters send it (payload_type
// "cbuf"): a JSON header line, then one line per row of tab-separated
// values ("nan" for an empty cell), after an annotations line when the
// filter detects anomalies.
type cbufGraph struct {
	Columns    int `json:"columns"`
	ColumnInfo []struct {
		Name string `json:"name"`
	} `json:"column_info"`
	rows [][]float64
}

func parseCbuf(t *testing.T, payload string) cbufGraph {
	t.Helper()
	// With anomaly detection, Heka's filters put the annotations JSON
	// before the buffer: {"annotations":...}\n{header}\nrows.
	if strings.HasPrefix(payload, `{"annotations"`) {
		_, payload, _ = strings.Cut(payload, "\n")
	}
	head, body, _ := strings.Cut(payload, "\n")
	var g cbufGraph
	if err := json.Unmarshal([]byte(head), &g); err != nil {
		t.Fatalf("cbuf header %q: %v", head, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		var row []float64
		for _, v := range strings.Split(line, "\t") {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("cbuf row %q: %v", line, err)
			}
			row = append(row, f)
		}
		g.rows = append(g.rows, row)
	}
	return g
}

// sum is the total of column name over every row (empty cells left out).
func (g cbufGraph) sum(name string) float64 {
	col := -1
	for i, c := range g.ColumnInfo {
		if c.Name == name {
			col = i
		}
	}
	total := 0.0
	for _, r := range g.rows {
		if col >= 0 && col < len(r) && !math.IsNaN(r[col]) {
			total += r[col]
		}
	}
	return total
}

// lastGraphs reads the graphs file: the last graph of each payload_name.
func lastGraphs(t *testing.T, path string) map[string]string {
	t.Helper()
	graphs := map[string]string{}
	for _, m := range readFramed(t, path) {
		name := ""
		if v, ok := m.GetFieldValue("payload_name"); ok {
			name = fmt.Sprint(v)
		}
		graphs[name] = m.GetPayload()
	}
	return graphs
}

// TestAnalyzerExample runs examples/analyzer.toml with Heka's nginx_access
// decoder and http_status and stat_graph filters from share/: nginx lines
// with known statuses go in, and the graphs hekad sends hold exactly the
// counts the test made of what it sent.
func TestAnalyzerExample(t *testing.T) {
	in := freeAddr(t)
	base := t.TempDir()
	graphsPath := filepath.Join(base, "graphs.log")
	b, err := os.ReadFile("analyzer.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("127.0.0.1:5570", in,
		`path = "/var/cache/hekad/graphs.log"`, fmt.Sprintf("path = %q", graphsPath),
		`base_dir = "/var/cache/hekad"`, fmt.Sprintf("base_dir = %q", base)).Replace(string(withShareDir(t, b)))
	cfg := filepath.Join(t.TempDir(), "analyzer.toml")
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, logs := runLogged(t, hekad(t), cfg)

	statuses := []int{200, 200, 200, 404, 500, 200, 404, 200}
	sent := map[int]int{}
	var lines bytes.Buffer
	now := time.Now().UTC()
	for i := range 400 {
		st := statuses[i%len(statuses)]
		sent[st]++
		ts := now.Add(-time.Duration(400-i) * 10 * time.Millisecond).Format("02/Jan/2006:15:04:05 -0700")
		fmt.Fprintf(&lines, "10.0.0.%d - - [%s] \"GET /page/%d HTTP/1.1\" %d %d \"-\" \"curl/8.0\"\n", i%250, ts, i, st, 100+i)
	}
	conn := dialWhenUp(t, in)
	if _, err := conn.Write(lines.Bytes()); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	var status cbufGraph
	waitFor(t, "an HTTP Status graph with every line", func() bool {
		p, ok := lastGraphs(t, graphsPath)["HTTP Status"]
		if !ok {
			return false
		}
		status = parseCbuf(t, p)
		return status.sum("HTTP_200")+status.sum("HTTP_400")+status.sum("HTTP_500") == 400
	})
	for col, want := range map[string]int{"HTTP_200": sent[200], "HTTP_400": sent[404], "HTTP_500": sent[500]} {
		if got := status.sum(col); got != float64(want) {
			t.Errorf("HTTP Status %s = %v, want %d", col, got, want)
		}
	}
	waitFor(t, "an nginx requests graph", func() bool {
		_, ok := lastGraphs(t, graphsPath)["nginx requests"]
		return ok
	})
	stop(t, cmd)
	if strings.Contains(logs.String(), "sandbox-terminated") || strings.Contains(logs.String(), "terminated") {
		t.Errorf("a sandbox was terminated:\n%s", logs.String())
	}
}
