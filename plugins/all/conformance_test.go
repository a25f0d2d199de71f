package all_test

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	_ "github.com/hekad-go/hekad/plugins/all"
	"github.com/hekad-go/hekad/plugins/plugintest"
	"github.com/hekad-go/hekad/plugins/statsd"
)

// targets says how to run the plugins that cannot run from their sample
// alone (plugintest.NeedsTarget) and adds records for others. A plugin
// registered by plugins/all whose kind needs a target and has none here
// fails TestConformance: add its entry when you add the plugin.
var targets = map[string]plugintest.Target{
	"TcpInput": {Config: func(testing.TB) map[string]any {
		return map[string]any{"address": "127.0.0.1:0"}
	}},
	"ProtobufDecoder": {Valid: goodMessage().Marshal(), MessageBytes: true},
	// Its sample: ProtobufDecoder, then a ScribbleDecoder, cascade "all".
	"MultiDecoder":        {Valid: goodMessage().Marshal(), MessageBytes: true},
	"ScribbleDecoder":     {Valid: []byte("any line")},
	"PayloadRegexDecoder": {Valid: []byte(`192.0.2.7 - alice [25/Nov/2026:08:00:00 +0000] "GET /index.html HTTP/1.1" 200 512 "-" "curl/8.0"`)},
	"TcpOutput":           {Config: drainServer},
	// The samples name scripts under share_dir; these are written for the run.
	"SandboxDecoder": {Valid: []byte("key=value"), Config: luaScript(`
function process_message()
    local p = read_message("Payload")
    if not p then return -1, "no payload" end
    inject_message({Type = "conformance", Payload = p, Fields = {size = #p}})
    return 0
end`)},
	"SandboxEncoder": {Config: luaScript(`
function process_message()
    local t = read_message("Type")
    if t == "" then return -2 end
    add_to_payload(t, read_config("separator"), read_message("Payload"), "\n")
    inject_payload()
    return 0
end`)},
	// Reads what was appended to the feed file at every tick and injects it.
	"SandboxInput": {
		Config: func(t testing.TB) map[string]any {
			cfg := luaScript(`
require "io"
local pos = 0
function process_message()
    local f = io.open(read_config("path"), "rb")
    if not f then return 0 end
    f:seek("set", pos)
    local data = f:read("*a")
    f:close()
    pos = pos + #data
    if #data > 0 then inject_message({Type = "feed", Payload = data}) end
    return 0
end`)(t)
			cfg["ticker_interval"] = int64(1)
			cfg["config"] = map[string]any{"path": feedFile(t)}
			return cfg
		},
		Feed: func(t testing.TB, in pipeline.Input, data []byte) {
			appendFeed(t, in, data)
			in.(pipeline.Ticker).Tick(t.Context(), nil)
		},
	},
	"SandboxOutput": {Config: luaScript(`
require "io"
lines = 0
function process_message()
    lines = lines + #(read_message("Payload") or "")
    return 0
end
function timer_event(ns) end`)},
	"SandboxFilter": {Config: luaScript(`
count = 0
function process_message() count = count + 1 return 0 end
function timer_event(ns)
    add_to_payload(count)
    inject_payload("txt", read_config("payload_name"))
end`)},
	// Its working directory goes under the test's; a control message that
	// reaches it outside an engine (no pipeline.Filters) loads nothing.
	"SandboxManagerFilter": {Config: func(t testing.TB) map[string]any {
		return map[string]any{"working_directory": filepath.Join(t.TempDir(), "sbxmgrs")}
	}},
	// Its sample cuts records where a line starts with a date.
	"RegexSplitter": {Valid: []byte("2026-12-04 one\n2026-12-04 two\n2026-12-04 three")},
	"FileOutput": {Config: func(t testing.TB) map[string]any {
		return map[string]any{"path": filepath.Join(t.TempDir(), "out.log")}
	}},
	"LogOutput": {Config: stdoutToFile},
	"UdpInput": {Config: func(testing.TB) map[string]any {
		return map[string]any{"address": "127.0.0.1:0"}
	}},
	"UdpOutput": {Config: udpDrain},
	// StatsdInput delivers nothing itself: its stats reach the router
	// through the StatAccumInput it names, which the suite does not run;
	// plugins/statsd runs the two together over real sockets.
	"StatsdInput": {Config: func(t testing.TB) map[string]any {
		t.Skip("StatsdInput delivers through its StatAccumInput: run over real sockets by plugins/statsd (TestStatsdToAccumulator) and in a real hekad by examples (TestStatsdExample)")
		return nil
	}},
	// Each feed is parsed as statsd lines into the input's accumulator,
	// then flushed: the good case is a counter named by the marker.
	"StatAccumInput":       {Valid: []byte(plugintest.Marker + ":1|c\n"), Feed: feedStats},
	"StatsToFieldsDecoder": {Valid: []byte("stats.counters." + plugintest.Marker + ".count 1 1764892800\n")},
	"CarbonOutput":         {Config: drainServer},
	"FilePollingInput": {
		Config: func(t testing.TB) map[string]any {
			return map[string]any{"file_path": feedFile(t), "ticker_interval": int64(1)}
		},
		Feed: feedAndTick,
	},
	"ProcessInput": {
		Config: func(t testing.TB) map[string]any {
			return map[string]any{
				"ticker_interval": int64(1), "immediate_start": false, "timeout": int64(10),
				"command": map[string]any{"0": map[string]any{"bin": "cat", "args": []string{feedFile(t)}}},
			}
		},
		Feed: feedAndTick,
	},
	// Follows the feed file; each feed is appended to it.
	"LogstreamerInput": {
		Config: func(t testing.TB) map[string]any {
			return map[string]any{
				"log_directory": filepath.Dir(feedFile(t)), "file_match": "feed", "priority": []string{},
				"journal_directory": t.TempDir(), "check_data_interval": "10ms",
			}
		},
		Feed: appendFeed,
	},
	// One managed ProcessInput, run every second, cats the fed file.
	"ProcessDirectoryInput": {
		Config: func(t testing.TB) map[string]any {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "1"), 0o755); err != nil {
				t.Fatal(err)
			}
			conf := fmt.Sprintf("[ProcessInput]\nimmediate_start = true\n[ProcessInput.command.0]\nbin = \"cat\"\nargs = [%q]\n", feedFile(t))
			if err := os.WriteFile(filepath.Join(dir, "1", "cat.toml"), []byte(conf), 0o644); err != nil {
				t.Fatal(err)
			}
			return map[string]any{"process_dir": dir, "ticker_interval": int64(1)}
		},
		Feed: func(t testing.TB, _ pipeline.Input, data []byte) { writeFeed(t, data) },
	},
}

// feedPaths maps a test to the file its input reads (feedFile).
var feedPaths sync.Map

// feedFile returns the file the test's input reads, created empty.
func feedFile(t testing.TB) string {
	p := filepath.Join(t.TempDir(), "feed")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	feedPaths.Store(t.Name(), p)
	return p
}

// writeFeed replaces the contents of the test's feed file at once.
func writeFeed(t testing.TB, data []byte) {
	v, ok := feedPaths.Load(t.Name())
	if !ok {
		t.Fatal("no feed file for " + t.Name())
	}
	p := v.(string)
	tmp := p + ".new"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

// appendFeed appends data to the test's feed file.
func appendFeed(t testing.TB, _ pipeline.Input, data []byte) {
	v, ok := feedPaths.Load(t.Name())
	if !ok {
		t.Fatal("no feed file for " + t.Name())
	}
	f, err := os.OpenFile(v.(string), os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
}

// feedAndTick writes the feed file and ticks the input, which reads it
// (or runs its command) at once.
func feedAndTick(t testing.TB, in pipeline.Input, data []byte) {
	writeFeed(t, data)
	in.(pipeline.Ticker).Tick(t.Context(), nil)
}

// feedStats adds the statsd lines of data to a running StatAccumInput's
// accumulator and makes it flush.
func feedStats(t testing.TB, in pipeline.Input, data []byte) {
	ai := in.(*statsd.AccumInput)
	select {
	case <-ai.Ready():
	case <-time.After(plugintest.Deadline):
		t.Fatal("StatAccumInput not ready")
	}
	stats, _ := statsd.ParseDatagram(data, nil, nil)
	ai.Accumulator().Add(stats...)
	ai.Tick(t.Context(), nil)
}

// udpDrain listens for datagrams on a free 127.0.0.1 port and discards
// them; the output is configured to send there.
func udpDrain(t testing.TB) map[string]any {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); <-done })
	return map[string]any{"address": pc.LocalAddr().String()}
}

func goodMessage() *message.Message {
	m := new(message.Message)
	m.SetNewUUID()
	m.SetType("conformance")
	m.SetPayload(plugintest.Marker)
	return m
}

// drainServer listens on a free 127.0.0.1 port and reads every connection
// to its end; the output is configured to write there.
func drainServer(t testing.TB) map[string]any {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(io.Discard, c)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return map[string]any{"address": ln.Addr().String()}
}

// stdoutToFile points os.Stdout, where LogOutput prints, at a file for the
// test.
func stdoutToFile(t testing.TB) map[string]any {
	f, err := os.Create(filepath.Join(t.TempDir(), "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = f
	t.Cleanup(func() { os.Stdout = old; f.Close() })
	return nil
}

// TestConformance runs plugintest's conformance suite over every
// registered plugin.
func TestConformance(t *testing.T) {
	regs := pipeline.Registered()
	if len(regs) == 0 {
		t.Fatal("no plugin registered")
	}
	for _, reg := range regs {
		t.Run(reg.Name, func(t *testing.T) {
			tg, ok := targets[reg.Name]
			if !ok && plugintest.NeedsTarget(reg.Kind) {
				t.Fatalf("%s (%v) has no run-based conformance coverage: add a plugintest.Target for it to targets in %s",
					reg.Name, reg.Kind, "plugins/all/conformance_test.go")
			}
			plugintest.Conform(t, reg.Name, tg)
		})
	}
	for name := range targets {
		if _, ok := pipeline.Lookup(name); !ok {
			t.Errorf("targets names %s, which is not registered", name)
		}
	}
}

// luaScript is a Target.Config that writes src to a Lua file and names it as
// the sandbox plugin's filename.
func luaScript(src string) func(testing.TB) map[string]any {
	return func(t testing.TB) map[string]any {
		path := filepath.Join(t.TempDir(), "script.lua")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"filename": path, "preserve_data": false}
	}
}
