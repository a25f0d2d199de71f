package sandbox

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

// jsonEncoderScript is the encoder of the W2 workload: a message
// with 8 fields becomes one JSON line through cjson.
const jsonEncoderScript = `require "cjson"
local names = {"remote_addr", "method", "path", "status", "bytes", "referer", "agent", "ms"}
local keys = {}
for i, n in ipairs(names) do keys[i] = "Fields[" .. n .. "]" end
local doc = {}
function process_message()
    doc.Timestamp = read_message("Timestamp")
    doc.Hostname = read_message("Hostname")
    doc.Type = read_message("Type")
    for i = 1, #names do doc[names[i]] = read_message(keys[i]) end
    inject_payload("json", "", cjson.encode(doc), "\n")
    return 0
end`

// w2Pack is a message as W2's PayloadRegexDecoder makes it from a line.
func w2Pack() *message.Message {
	p := textPack(`10.0.0.1 GET /index.html 200 5120 "-" "curl/7.50" 0.025`)
	m := p.MutableMessage()
	for _, f := range [][2]string{{"remote_addr", "10.0.0.1"}, {"method", "GET"}, {"path", "/index.html"},
		{"status", "200"}, {"bytes", "5120"}, {"referer", "-"}, {"agent", "curl/7.50"}, {"ms", "0.025"}} {
		m.AppendField(f[0], message.ValueString, "").AddString(f[1])
	}
	return m
}

// TestEncoderCJSON: a SandboxEncoder turns a message with 8 fields into a
// JSON line with cjson (lua-cjson's number format and `\/` escape).
func TestEncoderCJSON(t *testing.T) {
	e := build(t, t.TempDir(), "SandboxEncoder", "e", jsonEncoderScript, "").(*Encoder)
	p := textPack("")
	*p.MutableMessage() = *w2Pack()
	out, err := e.Encode(nil, p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Timestamp":1.4628276e+18,"Hostname":"origin","Type":"line","remote_addr":"10.0.0.1","method":"GET",` +
		`"path":"\/index.html","status":"200","bytes":"5120","referer":"-","agent":"curl\/7.50","ms":"0.025"}` + "\n"
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}

// TestCJSONOutputLimit: cjson.encode is bounded by the plugin's
// output_limit; the encoder fails with Heka's strbuf error.
func TestCJSONOutputLimit(t *testing.T) {
	e := build(t, t.TempDir(), "SandboxEncoder", "e", `require "cjson"
function process_message()
	inject_payload("json", "", cjson.encode({string.rep("x", 2000)}))
	return 0
end`, "output_limit = 4096\n").(*Encoder)
	_, err := e.Encode(nil, textPack("x"))
	if err == nil || !strings.Contains(err.Error(), "output_limit exceeded") {
		t.Errorf("error %v, want output_limit exceeded", err)
	}
}

// cbufScript is a filter that counts messages per minute in a
// circular_buffer and sends it as a cbuf payload on each tick.
const cbufScript = `require "circular_buffer"
data = circular_buffer.new(3, 2, 60)
local HITS = data:set_header(1, "Hits")
local BYTES = data:set_header(2, "Bytes", "B", "max")
function process_message()
    local ts = read_message("Timestamp")
    data:add(ts, HITS, 1)
    data:set(ts, BYTES, #read_message("Payload"))
    return 0
end
function timer_event(ns)
    inject_payload("cbuf", "hits", data)
end`

// TestFilterCircularBuffer: a filter's circular_buffer goes out through
// inject_payload in Heka's cbuf format and survives preserve_data.
func TestFilterCircularBuffer(t *testing.T) {
	dir := t.TempDir()
	const extra = "preserve_data = true\nticker_interval = 60\n"
	f := build(t, dir, "SandboxFilter", "hits", cbufScript, extra).(*Filter)
	inj := plugintest.NewInjector("")
	for i, payload := range []string{"a", "bbb", "cc"} {
		p := textPack(payload)
		p.MutableMessage().SetTimestamp(1462827600000000000 + int64(i)*30e9) // 21:00:00, :30, 21:01:00
		if err := f.Process(t.Context(), p, inj); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Tick(t.Context(), inj); err != nil {
		t.Fatal(err)
	}
	const want = `{"time":1462827540,"rows":3,"columns":2,"seconds_per_row":60,"column_info":[{"name":"Hits","unit":"count","aggregation":"sum"},{"name":"Bytes","unit":"B","aggregation":"max"}]}
nan	nan
2	3
1	2
`
	msgs := inj.Messages()
	if len(msgs) != 1 || msgs[0].GetPayload() != want {
		t.Fatalf("injected %d messages, payload\n%s\nwant\n%s", len(msgs), msgs[0].GetPayload(), want)
	}
	if typ, _ := msgs[0].GetFieldValue("payload_type"); typ != "cbuf" {
		t.Errorf("payload_type %v", typ)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f = build(t, dir, "SandboxFilter", "hits", cbufScript, extra).(*Filter)
	defer f.Close()
	inj = plugintest.NewInjector("")
	if err := f.Tick(t.Context(), inj); err != nil {
		t.Fatal(err)
	}
	if got := inj.Messages()[0].GetPayload(); got != want {
		t.Errorf("after a restart:\n%s\nwant\n%s", got, want)
	}
}

// TestFilterModulesPreserved: every Go module loads in a filter (and sets
// its global), and bloom_filter and hyperloglog globals survive
// preserve_data.
func TestFilterModulesPreserved(t *testing.T) {
	dir := t.TempDir()
	const script = `require "cjson" require "struct" require "circular_buffer"
require "bloom_filter" require "hyperloglog"
seen = bloom_filter.new(1000, 0.01)
users = hyperloglog.new()
function process_message()
    local p = read_message("Payload")
    seen:add(p)
    users:add(p)
    return 0
end
function timer_event(ns)
    local n = struct.unpack(">I2", struct.pack(">I2", seen:count()))
    add_to_payload(cjson.encode({seen = n, users = users:count(), known = seen:query("u1")}))
    inject_payload()
end`
	const extra = "preserve_data = true\nticker_interval = 60\n"
	f := build(t, dir, "SandboxFilter", "mods", script, extra).(*Filter)
	inj := plugintest.NewInjector("")
	for _, u := range []string{"u1", "u2", "u1", "u3"} {
		if err := f.Process(t.Context(), textPack(u), inj); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f = build(t, dir, "SandboxFilter", "mods", script, extra).(*Filter)
	defer f.Close()
	if err := f.Tick(t.Context(), inj); err != nil {
		t.Fatal(err)
	}
	if got := inj.Messages()[0].GetPayload(); got != `{"seen":3,"users":3,"known":true}` {
		t.Errorf("after a restart: %s", got)
	}
}

// TestCbufdWithShareModules: a filter's circular_buffer with deltas, run
// through share_dir's anomaly module (compute and mannwhitneyu on the
// buffer), sends a cbufd payload that share_dir's cbufd grammar (what
// Heka's cbufd_aggregator parses) reads back.
func TestCbufdWithShareModules(t *testing.T) {
	mods, err := filepath.Abs("../../share/lua_modules")
	if err != nil {
		t.Fatal(err)
	}
	extra := "module_directory = '" + mods + "'\nticker_interval = 60\n"
	producer := build(t, t.TempDir(), "SandboxFilter", "graph", `require "circular_buffer"
local anomaly = require "anomaly"
local cfg = anomaly.parse_config('mww("Hits", 1, 5, 4, 0.0001, increasing)')
data = circular_buffer.new(60, 2, 1, true)
data:set_header(1, "Hits")
data:set_header(2, "Max", "ms", "max")
function process_message()
    local ts = read_message("Timestamp")
    data:add(ts, 1, 1)
    data:set(ts, 2, #read_message("Payload"))
    return 0
end
function timer_event(ns)
    local alert = anomaly.detect(1462827602e9, "Hits", data, cfg) -- a fixed "now"
    inject_payload("cbufd", "Hits", data:format("cbufd"))
    if alert then inject_payload("alert", "Hits", alert) end
end`, extra).(*Filter)
	defer producer.Close()
	inj := plugintest.NewInjector("")
	const t0 = int64(1462827600000000000)
	for i, payload := range []string{"a", "bb", "ccc", "d"} {
		p := textPack(payload)
		p.MutableMessage().SetTimestamp(t0 + int64(i/2)*1e9)
		if err := producer.Process(t.Context(), p, inj); err != nil {
			t.Fatal(err)
		}
	}
	if err := producer.Tick(t.Context(), inj); err != nil {
		t.Fatal(err)
	}
	msgs := inj.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	// Max deltas sum the values set since the last output (1+2, then 3), as
	// Heka's did; anomaly.detect moved the buffer to the row of "now" with
	// a nan, which is a delta too.
	const wantPayload = `{"time":1462827543,"rows":60,"columns":2,"seconds_per_row":1,"column_info":[{"name":"Hits","unit":"count","aggregation":"sum"},{"name":"Max","unit":"ms","aggregation":"max"}]}
1462827600	2	3
1462827601	2	3
1462827602	nan	nan
`
	if got := msgs[0].GetPayload(); got != wantPayload {
		t.Fatalf("cbufd payload\n%s\nwant\n%s", got, wantPayload)
	}
	consumer := build(t, t.TempDir(), "SandboxFilter", "agg", `local cbufd = require "cbufd"
function process_message()
    local t = cbufd.grammar:match(read_message("Payload"))
    if not t then return -1, "no match" end
    local out = {}
    for _, row in ipairs(t) do out[#out + 1] = string.format("%d:%g,%g", row.time / 1e9, row[1], row[2]) end
    inject_payload("txt", "rows", table.concat(out, " "))
    return 0
end`, extra).(*Filter)
	defer consumer.Close()
	inj = plugintest.NewInjector("")
	if err := consumer.Process(t.Context(), textPack(wantPayload), inj); err != nil {
		t.Fatal(err)
	}
	if got := inj.Messages()[0].GetPayload(); got != "1462827600:2,3 1462827601:2,3 1462827602:-nan,-nan" { // 0/0 prints as -nan, as in C Lua on amd64
		t.Errorf("parsed %q", got)
	}
}

// TestModuleMemoryLimit: a circular buffer or bloom filter larger than
// memory_limit is refused before it is allocated, and the sandbox stops with
// the memory_limit reason.
func TestModuleMemoryLimit(t *testing.T) {
	for _, make := range []string{"circular_buffer.new(100000, 100, 1)", "bloom_filter.new(1e8, 0.01)"} {
		_, err := pipelineBuild(t, `require "circular_buffer" require "bloom_filter"
x = `+make+`
function process_message() return 0 end`)
		if err == nil || !strings.Contains(err.Error(), "memory_limit exceeded") {
			t.Errorf("%s: %v, want memory_limit exceeded", make, err)
		}
	}
}

// pipelineBuild builds a SandboxFilter of script with a 1 MiB memory_limit
// and runs one message through it.
func pipelineBuild(t *testing.T, script string) (*Filter, error) {
	f := build(t, t.TempDir(), "SandboxFilter", "big", script, "memory_limit = 1048576\n").(*Filter)
	t.Cleanup(func() { f.Close() })
	return f, f.Process(t.Context(), textPack("x"), plugintest.NewInjector(""))
}
