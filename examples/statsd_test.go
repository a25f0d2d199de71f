package examples_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeUDPAddr returns a 127.0.0.1 UDP address that was free a moment ago.
func freeUDPAddr(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().String()
}

// runStatsdExample starts hekad on examples/statsd.toml listening for
// statsd on a free port, flushing every second to carbon at carbonAddr,
// and returns once StatsdInput listens.
func runStatsdExample(t *testing.T, carbonAddr string) (statsdAddr string, cmd *exec.Cmd, logs *syncBuffer) {
	t.Helper()
	statsdAddr = freeUDPAddr(t)
	b, err := os.ReadFile("statsd.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer(
		`address = "127.0.0.1:8125"`, fmt.Sprintf("address = %q", statsdAddr),
		`address = "127.0.0.1:2003"`, fmt.Sprintf("address = %q", carbonAddr),
		"ticker_interval = 10", "ticker_interval = 1",
	).Replace(string(b))
	cmd, logs = runStatsdConfig(t, text, statsdAddr)
	return statsdAddr, cmd, logs
}

// runStatsdConfig starts hekad on the configuration text and returns once
// it listens on statsdAddr.
func runStatsdConfig(t *testing.T, text, statsdAddr string) (cmd *exec.Cmd, logs *syncBuffer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hekad.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(hekad(t), "-config", path)
	logs = new(syncBuffer)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("hekad output:\n%s", logs.String())
		}
	})
	waitFor(t, "StatsdInput to listen", func() bool {
		return strings.Contains(logs.String(), "address="+statsdAddr)
	})
	return cmd, logs
}

// flushOf returns the lines (without their timestamp) that a fake carbon
// (a collector) received in the flush, that is with the timestamp, of
// line, or nil.
func flushOf(c *collector, line string) []string {
	c.mu.Lock()
	lines := strings.Split(c.data.String(), "\n")
	c.mu.Unlock()
	ts := ""
	for _, l := range lines {
		if name, t, ok := cutLast(l); ok && name == line {
			ts = t
		}
	}
	if ts == "" {
		return nil
	}
	var out []string
	for _, l := range lines {
		if name, t, ok := cutLast(l); ok && t == ts {
			out = append(out, name)
		}
	}
	return out
}

// sumOf sums the values of metric over every flush a fake carbon got.
func sumOf(c *collector, metric string) float64 {
	c.mu.Lock()
	lines := strings.Split(c.data.String(), "\n")
	c.mu.Unlock()
	total := 0.0
	for _, l := range lines {
		if f := strings.Fields(l); len(f) == 3 && f[0] == metric {
			var v float64
			fmt.Sscan(f[1], &v)
			total += v
		}
	}
	return total
}

func cutLast(l string) (before, after string, ok bool) {
	i := strings.LastIndexByte(l, ' ')
	if i < 0 {
		return "", "", false
	}
	return l[:i], l[i+1:], true
}

// statsdBatch is what the tests send, in one datagram as statsd clients
// batch them, with what StatAccumInput must make of it in one flush of 1
// second, worked out by hand: hits 5+1 = 6 (rate 6/s); rt 20 and 10: mean
// 15, and 90% of 2 leaves round(0.2) = 0 out; mem set to 100 then moved by
// -30.
var (
	statsdBatch = "app.hits:5|c\napp.hits:1|c\nnot a stat line\napp.rt:20|ms\napp.rt:10|ms\napp.mem:100|g\napp.mem:-30|g\n"
	statsdFlush = []string{
		"stats.counters.app.hits.rate 6.000000",
		"stats.counters.app.hits.count 6",
		"stats.gauges.app.mem 70.000000",
		"stats.timers.app.rt.count 2",
		"stats.timers.app.rt.count_ps 2.000000",
		"stats.timers.app.rt.lower 10.000000",
		"stats.timers.app.rt.upper 20.000000",
		"stats.timers.app.rt.sum 30.000000",
		"stats.timers.app.rt.mean 15.000000",
		"stats.timers.app.rt.mean_90 15.000000",
		"stats.timers.app.rt.upper_90 20.000000",
		"stats.statsd.numStats 3",
	}
)

// sendBatch sends statsdBatch in one datagram to addr.
func sendBatch(t *testing.T, addr string) {
	t.Helper()
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(statsdBatch)); err != nil {
		t.Fatal(err)
	}
}

// checkBatchFlush waits for the flush of statsdBatch at the fake carbon
// and checks its lines.
func checkBatchFlush(t *testing.T, carbon *collector) {
	t.Helper()
	var got []string
	waitFor(t, "the flush of the batch", func() bool {
		got = flushOf(carbon, "stats.counters.app.hits.count 6")
		return got != nil
	})
	if !slices.Equal(got, statsdFlush) {
		t.Errorf("flush:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(statsdFlush, "\n"))
	}
}

// TestStatsdExample runs examples/statsd.toml in a real hekad: a statsd
// datagram over UDP, the metrics read back from a carbon plaintext
// receiver with exact names and values.
func TestStatsdExample(t *testing.T) {
	carbon := newCollector(t)
	addr, cmd, logs := runStatsdExample(t, carbon.addr())
	sendBatch(t, addr)
	checkBatchFlush(t, carbon)

	// The plugins' figures in the SIGUSR1 report (plugins/*/README.md).
	cmd.Process.Signal(syscall.SIGUSR1)
	var in, acc, out map[string]string
	waitFor(t, "the SIGUSR1 report", func() bool {
		in, acc, out = reportEntry(logs.String(), "StatsdInput"), reportEntry(logs.String(), "StatAccumInput"), reportEntry(logs.String(), "CarbonOutput")
		return in != nil && acc != nil && out != nil
	})
	for _, f := range [][3]string{
		{"StatsdInput", "DatagramCount", "1"}, {"StatsdInput", "StatCount", "6"}, {"StatsdInput", "MalformedCount", "1"},
		{"StatAccumInput", "StatCount", "6"}, {"StatAccumInput", "FlushCount", ""}, {"StatAccumInput", "LastNumStats", ""},
		{"CarbonOutput", "LineCount", ""}, {"CarbonOutput", "MalformedCount", "0"}, {"CarbonOutput", "TooLongCount", "0"}, {"CarbonOutput", "WriteCount", ""},
	} {
		e := map[string]map[string]string{"StatsdInput": in, "StatAccumInput": acc, "CarbonOutput": out}[f[0]]
		if v, ok := e[f[1]]; !ok || (f[2] != "" && v != f[2]) {
			t.Errorf("report of %s: %s = %q (present %v), want %q", f[0], f[1], v, ok, f[2])
		}
	}
	stop(t, cmd)
}

// reportEntry returns the figures of the plugin name in the last SIGUSR1
// report in logs, or nil.
func reportEntry(logs, name string) map[string]string {
	const banner = "========[heka.all-report]========\n"
	i := strings.LastIndex(logs, banner)
	if i < 0 {
		return nil
	}
	body, _, ok := strings.Cut(logs[i+len(banner):], "\n========\n")
	if !ok {
		return nil
	}
	var out map[string]string
	for _, line := range strings.Split(body, "\n") {
		switch {
		case line == name+":":
			out = map[string]string{}
		case out != nil && strings.HasPrefix(line, "    "):
			k, v, _ := strings.Cut(strings.TrimSpace(line), ": ")
			out[k] = v
		case out != nil:
			return out
		}
	}
	return out
}

// TestStatsdExampleCarbonOutage: carbon is down when the stats come; the
// flush that holds them waits (CarbonOutput retries, backpressure holds
// the next flushes) and reaches carbon, whole, once it is up. Heka's
// CarbonOutput logged the failed write and dropped the metrics.
func TestStatsdExampleCarbonOutage(t *testing.T) {
	carbonAddr := freeAddr(t) // nothing listens there yet
	addr, cmd, logs := runStatsdExample(t, carbonAddr)
	sendBatch(t, addr)
	// Two failed attempts: the flushes of the batch's second are held.
	waitFor(t, "CarbonOutput to fail twice", func() bool {
		return strings.Count(logs.String(), "connection refused") >= 2
	})
	carbon := &collector{}
	var err error
	carbon.l, err = net.Listen("tcp", carbonAddr)
	if err != nil {
		t.Skipf("carbon's port was taken meanwhile: %v", err)
	}
	t.Cleanup(func() { carbon.l.Close() })
	go func() {
		for {
			conn, err := carbon.l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 32<<10)
				for {
					n, err := conn.Read(buf)
					carbon.mu.Lock()
					carbon.data.Write(buf[:n])
					carbon.mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	checkBatchFlush(t, carbon)
	stop(t, cmd)
}

// hekaStatsdConfig is the core of Heka 0.10's documented statsd
// replacement, with its keys and values (its InfluxDB output, Lua encoder
// and graph filter left out): statsd on port 8125, a flush every second
// with the metrics also in fields, carbon over UDP.
const hekaStatsdConfig = `[hekad]
maxprocs = 2

[StatsdInput]
address = ":8125"

[StatAccumInput]
ticker_interval = 1
emit_in_fields = true

[CarbonOutput]
message_matcher = "Type == 'heka.statmetric'"
address = "127.0.0.1:2003"
protocol = "udp"
`

// TestHekaStatsdConfig: Heka's statsd replacement configuration runs
// unchanged (but for its ports) and gives the same metrics over UDP.
func TestHekaStatsdConfig(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	statsdAddr := freeUDPAddr(t)
	_, port, _ := net.SplitHostPort(statsdAddr)
	text := strings.NewReplacer(`":8125"`, `":`+port+`"`, "127.0.0.1:2003", pc.LocalAddr().String()).Replace(hekaStatsdConfig)
	cmd, _ := runStatsdConfig(t, text, ":"+port)
	sendBatch(t, statsdAddr)
	carbon := &collector{}
	buf := make([]byte, 64<<10)
	pc.SetReadDeadline(time.Now().Add(30 * time.Second))
	for flushOf(carbon, "stats.counters.app.hits.count 6") == nil {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		carbon.data.Write(buf[:n])
	}
	checkBatchFlush(t, carbon)
	stop(t, cmd)
}

// TestStatFilterHekad: in a real hekad, StatFilter makes stats of the
// messages a UdpInput receives (text mode: Type and Logger are the input's
// name, the payload the datagram) and hands them to the StatAccumInput,
// whose flush reaches carbon.
func TestStatFilterHekad(t *testing.T) {
	carbon := newCollector(t)
	in := freeUDPAddr(t)
	config := fmt.Sprintf(`[lines]
type = "UdpInput"
address = %q

[line_stats]
type = "StatFilter"
message_matcher = "Type == 'lines'"

[line_stats.Metric.count]
type = "Counter"
name = "lines.%%Logger%%"
value = "1"

[line_stats.Metric.value]
type = "Timer"
name = "lines.value"
value = "%%Payload%%"

[StatAccumInput]
ticker_interval = 1
percent_threshold = []

[CarbonOutput]
message_matcher = "Type == 'heka.statmetric'"
address = %q
`, in, carbon.addr())
	cmd, _ := runStatsdConfig(t, config, in)
	c, err := net.Dial("udp", in)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, v := range []string{"10", "20", "not a number", "30"} {
		if _, err := c.Write([]byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	// The datagrams may fall into two flushes: sum over the flushes.
	want := map[string]float64{
		"stats.counters.lines.lines.count": 4,
		"stats.timers.lines.value.count":   3,
		"stats.timers.lines.value.sum":     60,
	}
	waitFor(t, "the 4 lines in carbon", func() bool {
		return sumOf(carbon, "stats.counters.lines.lines.count") == 4
	})
	waitFor(t, "the 3 values in carbon", func() bool {
		return sumOf(carbon, "stats.timers.lines.value.count") == 3
	})
	for name, v := range want {
		if got := sumOf(carbon, name); got != v {
			t.Errorf("%s: %v over the flushes, want %v", name, got, v)
		}
	}
	stop(t, cmd)
}

// carbonTools returns the python interpreter that has Debian's statsd and
// whisper modules, once carbon-cache is installed; it skips the test (fails
// it under CI=true) when they are missing.
func carbonTools(t *testing.T) string {
	t.Helper()
	missing := func(what string) string {
		msg := what + ": install Debian's graphite-carbon and python3-statsd (.ci/run does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
		return ""
	}
	if _, err := exec.LookPath("carbon-cache"); err != nil {
		missing("carbon-cache not found")
	}
	// Debian's modules are for Debian's python3, which a pyenv or venv
	// python3 earlier in PATH does not see.
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import statsd, whisper").Run() == nil {
			return py
		}
	}
	return missing("no python3 with the statsd and whisper modules")
}

// startCarbon runs a carbon-cache with its own configuration and storage
// under t.TempDir(), and returns its plaintext address and whisper
// directory once it accepts connections.
func startCarbon(t *testing.T) (addr, whisperDir string) {
	t.Helper()
	dir := t.TempDir()
	whisperDir = filepath.Join(dir, "storage", "whisper")
	for _, d := range []string{whisperDir, filepath.Join(dir, "log")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	addr = freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	_, pickle, _ := net.SplitHostPort(freeAddr(t))
	_, query, _ := net.SplitHostPort(freeAddr(t))
	conf := fmt.Sprintf(`[cache]
STORAGE_DIR = %[1]s/storage
LOCAL_DATA_DIR = %[2]s
WHITELISTS_DIR = %[1]s/storage/lists
CONF_DIR = %[1]s
LOG_DIR = %[1]s/log
PID_DIR = %[1]s
USER =
ENABLE_LOGROTATION = False
ENABLE_TAGS = False
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = 100000
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = %[3]s
ENABLE_UDP_LISTENER = False
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = %[4]s
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = %[5]s
`, dir, whisperDir, port, pickle, query)
	// One point a second, as StatAccumInput flushes with ticker_interval 1.
	schemas := "[all]\npattern = .*\nretentions = 1s:1h\n"
	for name, text := range map[string]string{"carbon.conf": conf, "storage-schemas.conf": schemas} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("carbon-cache", "--config="+filepath.Join(dir, "carbon.conf"), "--nodaemon",
		"--logdir="+filepath.Join(dir, "log"), "--pidfile="+filepath.Join(dir, "carbon.pid"), "start")
	out := new(syncBuffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("carbon-cache output:\n%s", out.String())
		}
	})
	waitFor(t, "carbon-cache to listen on "+addr, func() bool {
		select {
		case <-exited:
			t.Fatalf("carbon-cache exited:\n%s", out.String())
		default:
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
	return addr, whisperDir
}

// whisperPoints returns the points of a metric's whisper file that have a
// value, by timestamp (nil while the file does not exist).
func whisperPoints(t *testing.T, py, whisperDir, metric string) map[int64]float64 {
	t.Helper()
	path := filepath.Join(whisperDir, filepath.Join(strings.Split(metric, ".")...)+".wsp")
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	const script = `import json, sys, whisper
(start, end, step), values = whisper.fetch(sys.argv[1], 0)
print(json.dumps({str(start + i*step): v for i, v in enumerate(values) if v is not None}))`
	out, err := exec.Command(py, "-c", script, path).Output()
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	var raw map[string]float64
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("reading %s: %v: %s", path, err, out)
	}
	points := map[int64]float64{}
	for k, v := range raw {
		var ts int64
		fmt.Sscan(k, &ts)
		points[ts] = v
	}
	return points
}

// TestStatsdExampleIntegration: Python's statsd client library sends to
// hekad on examples/statsd.toml, which writes to a real carbon-cache; the
// metrics are read back from carbon's whisper files.
func TestStatsdExampleIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("runs carbon-cache and a python statsd client")
	}
	py := carbonTools(t)
	carbonAddr, whisperDir := startCarbon(t)
	addr, cmd, _ := runStatsdExample(t, carbonAddr)
	host, port, _ := net.SplitHostPort(addr)
	// One pipeline: the client sends the stats in one datagram.
	const client = `import sys, statsd
c = statsd.StatsClient(sys.argv[1], int(sys.argv[2]))
with c.pipeline() as p:
    p.incr('app.hits', 5)
    p.incr('app.hits')
    p.timing('app.rt', 20)
    p.timing('app.rt', 10)
    p.gauge('app.mem', 100)
    p.gauge('app.mem', -30, delta=True)
`
	if out, err := exec.Command(py, "-c", client, host, port).CombinedOutput(); err != nil {
		t.Fatalf("statsd client: %v\n%s", err, out)
	}
	// The flush that holds the count: every metric of it has a point at
	// its timestamp (idle flushes around it write zeros at theirs).
	var ts int64
	waitFor(t, "the count in carbon's whisper file", func() bool {
		for k, v := range whisperPoints(t, py, whisperDir, "stats.counters.app.hits.count") {
			if v == 6 {
				ts = k
				return true
			}
		}
		return false
	})
	for _, l := range statsdFlush {
		name, value, _ := cutLast(l)
		var want float64
		fmt.Sscan(value, &want)
		var got float64
		var ok bool
		waitFor(t, name+" in carbon", func() bool {
			got, ok = whisperPoints(t, py, whisperDir, name)[ts]
			return ok
		})
		if got != want {
			t.Errorf("%s at %d = %v, want %v", name, ts, got, want)
		}
	}
	stop(t, cmd)
}
