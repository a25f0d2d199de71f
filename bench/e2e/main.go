// Command e2e measures hekad's end-to-end throughput: it starts a real hekad
// process on a workload's configuration, sends the workload over TCP on
// 127.0.0.1 and times until hekad has finished processing it (completion,
// not send rate), then reports messages per second. It also reports the
// resident memory of an idle hekad.
//
// The filetail workloads instead pre-write a file of nginx lines, which
// hekad's LogstreamerInput reads and its TcpOutput sends (raw payloads) to a
// sink here; they time from hekad's start to the last byte at the sink.
//
// W2 (workload "w2") sends nginx lines to a PayloadRegexDecoder that makes
// a message with 8 fields of each, a SandboxEncoder turns each message into
// a JSON line with cjson, and a FileOutput writes every line.
//
// Usage: go run ./bench/e2e -hekad bin/hekad [-workload all|text|protobuf|protobuf-type|tcpout|nginx|apache|w2|filetail|filetail-queue|filetail-ack|idle] [-n N]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hekad-go/hekad/message"
)

func main() {
	hekad := flag.String("hekad", "bin/hekad", "path of the hekad binary")
	workload := flag.String("workload", "all", "text, protobuf, protobuf-type, tcpout, nginx, nginx-lua, apache, w2, filetail, filetail-queue, filetail-ack, udp, udp-burst, idle or all")
	n := flag.Int("n", 0, "messages per run (0 = the workload's default)")
	runs := flag.Int("runs", 3, "runs per workload; the best is reported with the others")
	flag.IntVar(&poolSize, "poolsize", 100, "[hekad] poolsize of the protobuf workload (Heka's default is 100)")
	flag.StringVar(&cpuProf, "cpuprof", "", "let hekad write a CPU profile of the workload to this file")
	flag.IntVar(&decoderWorkers, "decoder-workers", 1, "decoder_workers of the nginx and apache workloads' input (1 = Heka's one decoder per stream)")
	compare := flag.String("compare", "", "a second hekad binary: each run measures both, alternately, so that both see the same load")
	flag.IntVar(&conns, "conns", 1, "TCP connections the text and nginx workloads are sent over in parallel (each gets its own splitter and decoder in hekad, as separate agents would)")
	flag.IntVar(&udpRate, "udp-rate", udpRate, "datagrams per second the udp workload sends")
	flag.Parse()
	ws := []string{"text", "protobuf", "protobuf-type", "tcpout", "nginx", "nginx-lua", "apache", "w2", "filetail", "filetail-queue", "filetail-ack", "udp", "udp-burst", "idle"}
	if *workload != "all" {
		ws = []string{*workload}
	}
	bins := []string{*hekad}
	if *compare != "" {
		bins = append(bins, *compare)
	}
	for _, w := range ws {
		if err := runWorkload(bins, w, *n, *runs); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", w, err)
			os.Exit(1)
		}
	}
}

// conns is the number of parallel connections of the line workloads.
var conns = 1

// decoderWorkers is the nginx workload's decoder_workers.
var decoderWorkers = 1

// poolSize is the protobuf workload's poolsize.
var poolSize = 100

// cpuProf, when set, is where hekad writes a CPU profile.
var cpuProf = ""

// workloadData keeps each workload's generated streams across its runs, so
// that no run pays for (or collects the garbage of) generating them.
var workloadData = map[string][][]byte{}

func cached(w string, gen func() [][]byte) [][]byte {
	if d, ok := workloadData[w]; ok {
		return d
	}
	d := gen()
	workloadData[w] = d
	runtime.GC()
	return d
}

// runWorkload measures workload w runs times with each binary, the
// binaries taking turns, and prints a line per binary.
func runWorkload(bins []string, w string, n, runs int) error {
	label := func(bin string) string {
		if len(bins) == 1 {
			return w
		}
		return w + " " + bin
	}
	if w == "udp" || w == "udp-burst" {
		for range runs {
			for _, bin := range bins {
				burst := w == "udp-burst"
				def := 2_000_000
				if burst {
					def = 300_000 // what a 300 MB socket buffer holds
				}
				r, sr, lost, cpu, err := udpRun(bin, or(n, def), burst)
				if err != nil {
					return err
				}
				fmt.Printf("%-9s sent at %.0f/s (asked %d/s): handled %.0f datagrams/s, %d lost (hekad CPU µs/datagram: %.2f)\n", label(bin), sr, udpRate, r, lost, cpu)
			}
		}
		return nil
	}
	if w == "idle" {
		for _, bin := range bins {
			rss, err := idleRSS(bin)
			if err != nil {
				return err
			}
			fmt.Printf("%-9s idle resident memory: %.1f MB\n", label(bin), float64(rss)/(1<<20))
		}
		return nil
	}
	rates := make([][]float64, len(bins))
	cpus := make([][]string, len(bins))
	for range runs {
		for i, bin := range bins {
			r, cpu, err := throughput(bin, w, n)
			if err != nil {
				return err
			}
			rates[i] = append(rates[i], r)
			cpus[i] = append(cpus[i], fmt.Sprintf("%.2f", cpu))
		}
	}
	c := 1
	if w == "text" || w == "nginx" || w == "nginx-lua" || w == "apache" {
		c = conns
	}
	for i, bin := range bins {
		best := rates[i][0]
		var all []string
		for _, r := range rates[i] {
			best = max(best, r)
			all = append(all, fmt.Sprintf("%.0f", r))
		}
		sorted := slices.Sorted(slices.Values(rates[i]))
		fmt.Printf("%-9s best %.0f msg/s over %d connection(s), median %.0f [%.0f-%.0f] (runs: %s; hekad CPU µs/msg: %s)\n",
			label(bin), best, c, median(sorted), sorted[0], sorted[len(sorted)-1], strings.Join(all, ", "), strings.Join(cpus[i], ", "))
	}
	return nil
}

// median returns the median of sorted values.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// throughput runs one measurement of workload w and returns messages/s
// and the CPU time hekad used per message (µs, user and system, from the
// start of the sending to the end of the work), which varies less than the
// rate when other processes share the machine.
func throughput(hekad, w string, n int) (rate, cpuPerMsg float64, err error) {
	if strings.HasPrefix(w, "filetail") {
		return filetail(hekad, w, n)
	}
	dir, err := os.MkdirTemp("", "hekad-bench")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	addr, err := freeAddr()
	if err != nil {
		return 0, 0, err
	}
	out := filepath.Join(dir, "out.log")
	var cfg string
	var data [][]byte // one stream per connection
	var done func() bool
	switch w {
	case "text":
		// Lines -> TokenSplitter -> router -> an output whose matcher
		// rejects them. The final line is the only one the sentinel output
		// takes: when it is in the file, every line before it was routed.
		n = or(n, 4_000_000)
		cfg = fmt.Sprintf(textConfig+lineOutputs, dir, cpuProf, addr, "Payload =~ /^BENCH-END/", out)
		data = cached(w, func() [][]byte {
			var d [][]byte
			for range conns {
				d = append(d, textLines(n/conns))
			}
			return d
		})
		n = n / conns * conns
		done = func() bool { return countLines(out) >= conns }
	case "protobuf", "protobuf-type":
		// protobuf relays every message (TRUE); protobuf-type selects them
		// by a header field, which all of them match, so that the matcher
		// reads (and lazily decodes) each message's headers.
		n = or(n, 500_000)
		typ, matcher := "bench", "TRUE"
		if w == "protobuf-type" {
			typ, matcher = "nginx.access", "Type == 'nginx.access'"
		}
		cfg = fmt.Sprintf(protobufConfig, dir, poolSize, cpuProf, addr, matcher, out)
		data = cached(w, func() [][]byte { return [][]byte{framedMessages(n, 1024, typ)} })
		stream := data[0]
		want := int64(len(stream))
		done = func() bool { return fileSize(out) >= want }
		defer func() {
			if got, _ := os.ReadFile(out); !bytes.Equal(got, stream) {
				fmt.Fprintf(os.Stderr, "protobuf: output is not byte-identical to the input (%d vs %d bytes)\n", len(got), len(stream))
				os.Exit(1)
			}
		}()
	case "tcpout":
		// Framed messages of about 200 bytes -> TcpInput -> router ->
		// TcpOutput (use_buffering on by default: a disk queue under
		// base_dir) -> a receiver here that counts the framed messages.
		n = or(n, 1_000_000)
		data = cached(w, func() [][]byte { return [][]byte{framedMessages(n, 200, "bench")} })
		rcv, err := newReceiver()
		if err != nil {
			return 0, 0, err
		}
		defer rcv.close()
		cfg = fmt.Sprintf(tcpoutConfig, dir, poolSize, cpuProf, addr, rcv.addr())
		want := int64(n)
		done = func() bool { return rcv.frames.Load() >= want }
		stream := data[0]
		defer func() {
			if got, want := rcv.bytes.Load(), int64(len(stream)); got != want || rcv.errs.Load() != 0 {
				fmt.Fprintf(os.Stderr, "tcpout: received %d bytes in %d frames, sent %d bytes; %d read errors\n", got, rcv.frames.Load(), want, rcv.errs.Load())
				os.Exit(1)
			}
		}()
	case "nginx", "apache":
		n = or(n, 1_000_000)
		if w == "nginx" {
			cfg = fmt.Sprintf(nginxConfig+lineOutputs, dir, cpuProf, addr, decoderWorkers, nginxRegex, "Fields[status] == '599'", out)
		} else {
			cfg = fmt.Sprintf(apacheConfig+lineOutputs, dir, cpuProf, addr, decoderWorkers, "Fields[Status] == '599'", out)
		}
		data = cached("nginx", func() [][]byte {
			var d [][]byte
			for range conns {
				d = append(d, nginxLines(n/conns))
			}
			return d
		})
		n = n / conns * conns
		done = func() bool { return countLines(out) >= conns }
	case "nginx-lua":
		// nginx lines -> Heka's lua_decoders/nginx_access.lua from share/
		// (lpeg grammar of common_log_format) -> the sentinel output.
		n = or(n, 300_000)
		share, err := filepath.Abs("share")
		if err != nil {
			return 0, 0, err
		}
		cfg = fmt.Sprintf(nginxLuaConfig+lineOutputs, dir, cpuProf, share, addr, decoderWorkers, "Fields[status] == 599", out)
		data = cached("nginx-lua", func() [][]byte {
			var d [][]byte
			for range conns {
				d = append(d, nginxLines(n/conns))
			}
			return d
		})
		n = n / conns * conns
		done = func() bool { return countLines(out) >= conns }
	case "w2":
		// nginx lines -> PayloadRegexDecoder (8 fields) -> a SandboxEncoder
		// that writes each message as a JSON line with cjson -> FileOutput.
		// The last line (status 599) is the last one the output writes.
		n = or(n, 1_000_000)
		if err := os.WriteFile(filepath.Join(dir, "w2_json.lua"), []byte(w2Script), 0o644); err != nil {
			return 0, 0, err
		}
		cfg = fmt.Sprintf(nginxConfig+w2Outputs, dir, cpuProf, addr, 1, nginxRegex, out, filepath.Join(dir, "w2_json.lua"))
		data = cached("nginx", func() [][]byte { return [][]byte{nginxLines(n)} })
		done = func() bool { return bytes.Contains(fileTail(out, 512), []byte(`"status":"599"`)) }
		defer func() {
			if got := countLines(out); got != n {
				fmt.Fprintf(os.Stderr, "w2: %d JSON lines written, want %d\n", got, n)
				os.Exit(1)
			}
		}()
	default:
		return 0, 0, fmt.Errorf("unknown workload %q", w)
	}
	cmd, err := start(hekad, dir, cfg)
	if err != nil {
		return 0, 0, err
	}
	defer stop(cmd)
	if err := waitListening(addr); err != nil {
		return 0, 0, err
	}
	// Write back what earlier runs left dirty in the page cache, so that it
	// is not written (and fsync'd behind) during this run.
	syscall.Sync()
	var cs []net.Conn
	for range data {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return 0, 0, err
		}
		cs = append(cs, conn)
	}
	cpu0, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	errs := make(chan error, len(cs))
	for i, conn := range cs {
		go func() {
			_, err := conn.Write(data[i])
			conn.Close()
			errs <- err
		}()
	}
	for range cs {
		if err := <-errs; err != nil {
			return 0, 0, err
		}
	}
	deadline := t0.Add(5 * time.Minute)
	for !done() {
		if time.Now().After(deadline) {
			return 0, 0, fmt.Errorf("not complete after 5 minutes")
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(t0)
	cpu1, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return 0, 0, err
	}
	return float64(n) / elapsed.Seconds(), float64((cpu1 - cpu0).Microseconds()) / float64(n), nil
}

// filetail runs one measurement of a filetail workload: n nginx lines
// (default 2,000,000) pre-written to a file, read by LogstreamerInput and
// sent by TcpOutput with PayloadEncoder (the raw lines) to a sink here.
// filetail: use_buffering = false; filetail-queue: the disk queue;
// filetail-ack: the disk queue and acknowledgements (the sink acknowledges
// what it received). The clock runs from hekad's start to the last byte at
// the sink; the CPU time is all of hekad's.
func filetail(hekad, w string, n int) (rate, cpuPerMsg float64, err error) {
	n = or(n, 2_000_000)
	dir, err := os.MkdirTemp("", "hekad-bench")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	logs := filepath.Join(dir, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		return 0, 0, err
	}
	data := cached("nginx-file", func() [][]byte { return [][]byte{nginxLines(n)} })[0]
	if err := os.WriteFile(filepath.Join(logs, "access.log"), data, 0o644); err != nil {
		return 0, 0, err
	}
	snk, err := newSink(w == "filetail-ack")
	if err != nil {
		return 0, 0, err
	}
	defer snk.close()
	var out string
	switch w {
	case "filetail":
		out = "use_buffering = false"
	case "filetail-queue":
		out = "use_buffering = true"
	case "filetail-ack":
		out = "use_buffering = true\nack = true"
	default:
		return 0, 0, fmt.Errorf("unknown workload %q", w)
	}
	cfg := fmt.Sprintf(filetailConfig, dir, cpuProf, logs, snk.addr(), out)
	// Write the file (and what earlier runs left dirty) back first, so that
	// it is not written behind during the run; it stays in the page cache.
	syscall.Sync()
	t0 := time.Now()
	cmd, err := start(hekad, dir, cfg)
	if err != nil {
		return 0, 0, err
	}
	defer stop(cmd)
	want := int64(len(data))
	deadline := t0.Add(5 * time.Minute)
	for snk.bytes.Load() < want {
		if time.Now().After(deadline) {
			return 0, 0, fmt.Errorf("not complete after 5 minutes: %d of %d bytes", snk.bytes.Load(), want)
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(t0)
	cpu, err := cpuTime(cmd.Process.Pid)
	if err != nil {
		return 0, 0, err
	}
	if got := snk.lines.Load(); got != int64(n) || snk.bytes.Load() != want || snk.errs.Load() != 0 {
		return 0, 0, fmt.Errorf("sink received %d lines in %d bytes, want %d in %d; %d errors", got, snk.bytes.Load(), n, want, snk.errs.Load())
	}
	return float64(n) / elapsed.Seconds(), float64(cpu.Microseconds()) / float64(n), nil
}

const filetailConfig = `
[hekad]
base_dir = %q
cpuprof = %q

[in]
type = "LogstreamerInput"
log_directory = %q
file_match = 'access\.log'

[out]
type = "TcpOutput"
message_matcher = "TRUE"
address = %q
encoder = "PayloadEncoder"
%s

# The payloads are the lines, newline included (TokenSplitter).
[PayloadEncoder]
append_newlines = false
`

// cpuTime is the user and system CPU time process pid has used so far, from
// /proc/PID/stat (in clock ticks of 10 ms).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields 14 and 15 (utime,
	// stime) count from after its closing parenthesis.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	var ticks int64
	for _, s := range f[11:13] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/stat: %w", pid, err)
		}
		ticks += v
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// lineOutputs ends the configurations of the line workloads: an output
// whose matcher rejects every message, so that all of them are routed and
// dropped, and a sentinel FileOutput (its matcher and path are the
// parameters) that takes only the last line.
const lineOutputs = `
[reject]
type = "LogOutput"
message_matcher = "Type == 'never'"
encoder = "PayloadEncoder"

[sentinel]
type = "FileOutput"
message_matcher = %q
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
`

const textConfig = `
[hekad]
base_dir = %q
cpuprof = %q

[in]
type = "TcpInput"
address = %q
splitter = "TokenSplitter"
decoder = ""

`

const protobufConfig = `
[hekad]
base_dir = %q
poolsize = %d
cpuprof = %q

[in]
type = "TcpInput"
address = %q

[out]
type = "FileOutput"
message_matcher = %q
path = %q
encoder = "ProtobufEncoder"
flush_count = 100000
flush_interval = 50
flush_operator = "OR"
`

// tcpoutConfig relays framed messages to a TcpOutput with Heka's defaults
// (ProtobufEncoder with framing, use_buffering = true: a disk queue under
// base_dir).
const tcpoutConfig = `
[hekad]
base_dir = %q
poolsize = %d
cpuprof = %q

[in]
type = "TcpInput"
address = %q

[out]
type = "TcpOutput"
message_matcher = "TRUE"
address = %q
`

const nginxConfig = benchGlobals + nginxInput + `
[nginx]
type = "PayloadRegexDecoder"
match_regex = '%s'

[nginx.message_fields]
Type = "nginx.access"
remote_addr = "%%remote_addr%%"
remote_user = "%%remote_user%%"
time_local = "%%time_local%%"
request = "%%request%%"
status = "%%status%%"
body_bytes_sent = "%%body_bytes_sent%%|B"
http_referer = "%%http_referer%%"
http_user_agent = "%%http_user_agent%%"

`

// benchGlobals starts the configurations of the nginx workloads.
const benchGlobals = `
[hekad]
base_dir = %q
cpuprof = %q
`

// nginxInput is their TcpInput of lines into the decoder "nginx".
const nginxInput = `
[in]
type = "TcpInput"
address = %q
splitter = "TokenSplitter"
decoder = "nginx"
decoder_workers = %d
`

// nginxLuaConfig decodes nginx lines with Heka's nginx_access.lua from
// the checkout's share/ (bench/e2e runs from the repository's root).
const nginxLuaConfig = benchGlobals + "share_dir = %q\n" + nginxInput + `
[nginx]
type = "SandboxDecoder"
filename = "lua_decoders/nginx_access.lua"
[nginx.config]
type = "nginx.access"
log_format = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'

`

// apacheConfig is the nginx workload through the configuration of Heka's
// PayloadRegexDecoder documentation, written as there, bare Url|uri keys
// included (its Apache combined log example, whose pattern reads nginx's
// combined format too).
const apacheConfig = `
[hekad]
base_dir = %q
cpuprof = %q

[in]
type = "TcpInput"
address = %q
splitter = "TokenSplitter"
decoder = "apache_transform_decoder"
decoder_workers = %d

[apache_transform_decoder]
type = "PayloadRegexDecoder"
match_regex = '^(?P<RemoteIP>\S+) \S+ \S+ \[(?P<Timestamp>[^\]]+)\] "(?P<Method>[A-Z]+) (?P<Url>[^\s]+)[^"]*" (?P<StatusCode>\d+) (?P<RequestSize>\d+) "(?P<Referer>[^"]*)" "(?P<Browser>[^"]*)"'
timestamp_layout = "02/Jan/2006:15:04:05 -0700"

[apache_transform_decoder.severity_map]
DEBUG = 7
INFO = 6
WARNING = 4

[apache_transform_decoder.message_fields]
Type = "ApacheLogfile"
Logger = "apache"
Url|uri = "%%Url%%"
Method = "%%Method%%"
Status = "%%StatusCode%%"
RequestSize|B = "%%RequestSize%%"
Referer = "%%Referer%%"
Browser = "%%Browser%%"

`

// w2Outputs ends W2's configuration: the FileOutput of the JSON lines
// (its path) and the encoder (its script's path).
const w2Outputs = `
[json]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "w2_json"
flush_count = 100000
flush_interval = 50
flush_operator = "OR"

[w2_json]
type = "SandboxEncoder"
filename = %q
`

// w2Script is W2's encoder: the message's headers and its 8 fields as one
// JSON line, with cjson.
const w2Script = `require "cjson"
local names = {"remote_addr", "remote_user", "time_local", "request", "status",
    "body_bytes_sent", "http_referer", "http_user_agent"}
local keys = {}
for i, n in ipairs(names) do keys[i] = "Fields[" .. n .. "]" end
local doc = {}
function process_message()
    doc.Timestamp = read_message("Timestamp")
    doc.Type = read_message("Type")
    doc.Hostname = read_message("Hostname")
    for i = 1, #names do doc[names[i]] = read_message(keys[i]) end
    inject_payload("json", "", cjson.encode(doc), "\n")
    return 0
end
`

const nginxRegex = `^(?P<remote_addr>\S+) - (?P<remote_user>\S+) \[(?P<time_local>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) (?P<body_bytes_sent>\d+) "(?P<http_referer>[^"]*)" "(?P<http_user_agent>[^"]*)"`

func textLines(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 64)
	for i := range n - 1 {
		fmt.Fprintf(&b, "2026-11-25T08:00:00Z host%d app[%d]: request served in %d ms\n", i%100, i%30000, i%997)
	}
	b.WriteString("BENCH-END\n")
	return b.Bytes()
}

func nginxLines(n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 160)
	for i := range n {
		status := []int{200, 200, 200, 304, 404, 500}[i%6]
		if i == n-1 {
			status = 599
		}
		// A busy server: a thousand lines a second, so lines share their
		// time as in a real access log.
		sec := i / 1000
		fmt.Fprintf(&b, "10.0.%d.%d - - [25/Nov/2026:%02d:%02d:%02d +0000] \"GET /api/v1/items/%d HTTP/1.1\" %d %d \"https://example.com/\" \"Mozilla/5.0 (X11; Linux x86_64)\"\n",
			i%250, i%200, 8+sec/3600%16, sec/60%60, sec%60, i, status, 200+i%5000)
	}
	return b.Bytes()
}

// framedMessages returns n framed messages of Type typ, each about size
// bytes long (framing excluded).
func framedMessages(n, size int, typ string) []byte {
	var m message.Message
	out := make([]byte, 0, n*(size+64))
	var buf []byte
	for i := range n {
		m.Reset()
		m.SetNewUUID()
		m.SetTimestamp(time.Now().UnixNano())
		m.SetType(typ)
		m.SetLogger("e2e")
		m.SetSeverity(6)
		m.SetHostname("bench.example")
		m.AppendField("seq", message.ValueInteger, "count").AddInteger(int64(i))
		m.SetPayload(strings.Repeat("p", max(size-m.Size()-8, 0)))
		buf = m.AppendMarshal(buf[:0])
		out, _ = message.AppendFrame(out, buf, nil, message.DefaultMaxMessageSize)
	}
	return out
}

// idleRSS starts hekad on its embedded default configuration, waits until
// it listens, and returns its resident set size in bytes.
func idleRSS(hekad string) (int64, error) {
	dir, err := os.MkdirTemp("", "hekad-bench")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	cmd, err := start(hekad, dir, fmt.Sprintf(`
[hekad]
base_dir = %q
[in]
type = "TcpInput"
address = %q
[out]
type = "LogOutput"
message_matcher = "TRUE"
encoder = "RstEncoder"
[RstEncoder]
`, dir, addr))
	if err != nil {
		return 0, err
	}
	defer stop(cmd)
	if err := waitListening(addr); err != nil {
		return 0, err
	}
	time.Sleep(2 * time.Second) // let start-up garbage be collected: we measure the idle state
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%d", &kb)
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc status")
}

func start(hekad, dir, cfg string) (*exec.Cmd, error) {
	path := filepath.Join(dir, "hekad.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(hekad, "-config", path)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd, cmd.Start()
}

func stop(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() { <-ctx.Done(); cmd.Process.Kill() }()
	cmd.Wait()
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitListening(addr string) error {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("hekad did not listen on %s", addr)
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// fileTail is the last n bytes of the file at path (fewer if it is
// shorter).
func fileTail(path string, n int64) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	off := max(fi.Size()-n, 0)
	b := make([]byte, fi.Size()-off)
	k, _ := f.ReadAt(b, off)
	return b[:k]
}

func countLines(path string) int {
	b, _ := os.ReadFile(path)
	return bytes.Count(b, []byte("\n"))
}

func or(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}
