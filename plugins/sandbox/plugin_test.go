package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/pipeline"
	"github.com/hekad-go/hekad/plugins/plugintest"
)

// build builds the plugin typ named name from a script and config lines,
// with base_dir and share_dir in dir.
func build(t testing.TB, dir, typ, name, script, extra string) any {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name+".lua"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := "[\"" + name + "\"]\ntype = '" + typ + "'\nfilename = '" + name + ".lua'\n" + extra
	if (typ == "SandboxFilter" || typ == "SandboxOutput") && !strings.Contains(extra, "message_matcher") {
		doc += "message_matcher = 'TRUE'\n"
	}
	cfg, err := plugintest.DecodeConfig(doc, typ)
	if err != nil {
		t.Fatal(err)
	}
	g := pipeline.DefaultGlobals()
	g.BaseDir, g.ShareDir, g.Hostname = dir, dir, "testhost"
	reg, _ := pipeline.Lookup(typ)
	p, err := reg.Build(cfg, pipeline.NewEnv(name, typ, &g, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func textPack(payload string) *pipeline.Pack {
	p := pipeline.NewPack()
	m := p.MutableMessage()
	m.SetNewUUID()
	m.SetTimestamp(1462827600000000000)
	m.SetType("line")
	m.SetLogger("tcp_in")
	m.SetHostname("origin")
	m.SetSeverity(3)
	m.SetPayload(payload)
	return p
}

// describe is a message in a comparable text form.
func describe(m *message.Message) string {
	var fields []string
	for _, f := range m.GetFields() {
		var b strings.Builder
		b.WriteString(f.GetName() + ":" + f.GetValueType().String() + ":" + f.GetRepresentation() + "=")
		for i := range f.Len() {
			v, _ := f.ValueAt(i)
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(fmtValue(v))
		}
		fields = append(fields, b.String())
	}
	sort.Strings(fields) // hash-form Fields come in pairs order
	return strings.Join(append([]string{m.GetType(), m.GetLogger(), m.GetHostname(), m.GetPayload()}, fields...), "|")
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return strings.Trim(strings.ReplaceAll(fmt.Sprint(v), " ", ""), "[]")
}

func TestFilter(t *testing.T) {
	tests := []struct {
		name, script string
		ticks        int
		want         []string // injected messages
		err          string   // of the last call
	}{
		{"inject_message", `function process_message()
			inject_message({Type = "count", Payload = read_message("Payload"), Hostname = "ignored",
				Fields = {n = 2, i = {value = 7, value_type = 2, representation = "ms"}, s = "x", b = true, a = {1, 2}}})
			return 0 end`, 0,
			[]string{"heka.sandbox.count|f|testhost|hello|a:DOUBLE:=1,2|b:BOOL:=true|i:INTEGER:ms=7|n:DOUBLE:=2|s:STRING:=x"}, ""},
		{"array fields", `function process_message()
			inject_message({Fields = {{name = "x", value = "v", representation = "r"}, {name = "x", value = 1}}})
			return 0 end`, 0,
			[]string{"heka.sandbox.|f|testhost||x:DOUBLE:=1|x:STRING:r=v"}, ""},
		{"inject_payload", `n = 0 function process_message() n = n + 1 return 0 end
			function timer_event(ns) add_to_payload("count ", n, " ", 1/3, " ", true) inject_payload("txt", "counts", "\n") end`, 1,
			[]string{"heka.sandbox-output|f|testhost|count 1 0.33333333 true\n|payload_name:STRING:=counts|payload_type:STRING:file-extension=txt"}, ""},
		{"empty payload", `function process_message() return 0 end function timer_event() inject_payload() end`, 1, nil, ""},
		{"failure", `function process_message() return -1, "bad" end`, 0, nil, "process_message() failed: bad"},
		{"quota", `function process_message() inject_message({}) inject_message({}) return 0 end`, 0,
			[]string{"heka.sandbox.|f|testhost|", "heka.sandbox-terminated|hekad|testhost|process_message() f.lua:1: inject_message() exceeded InjectMessage count|plugin:STRING:=f"},
			"terminated"},
		{"endless loop", `function process_message() while true do end end`, 0,
			[]string{"heka.sandbox-terminated|hekad|testhost|process_message() instruction_limit exceeded|plugin:STRING:=f"}, "terminated"},
		{"fatal status", `function process_message() return 1, "stop" end`, 0,
			[]string{"heka.sandbox-terminated|hekad|testhost|process_message() returned 1: stop|plugin:STRING:=f"}, "terminated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			f := build(t, dir, "SandboxFilter", "f", tc.script, "").(*Filter)
			defer f.Close()
			inj := plugintest.NewInjector("")
			inj.Hostname = "testhost"
			err := f.Process(t.Context(), textPack("hello"), inj)
			for range tc.ticks {
				if err != nil {
					break
				}
				err = f.Tick(t.Context(), inj)
			}
			if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("error %v, want %q", err, tc.err)
			}
			if tc.name == "failure" && !pipeline.IsDrop(err) {
				t.Errorf("a negative status is not a Drop error: %v", err)
			}
			var got []string
			for _, m := range inj.Messages() {
				got = append(got, strings.ReplaceAll(describe(m), dir+"/", ""))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("injected\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestFilterPreserves(t *testing.T) {
	dir := t.TempDir()
	const script = `count = 0 function process_message() count = count + 1 return 0 end
		function timer_event() add_to_payload(count) inject_payload() end`
	inj := plugintest.NewInjector("")
	f := build(t, dir, "SandboxFilter", "keep me", script, "preserve_data = true\n").(*Filter)
	for range 5 {
		if err := f.Process(t.Context(), textPack("x"), inj); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sandbox_preservation", "keep_me.data")); err != nil {
		t.Fatal(err)
	}
	f = build(t, dir, "SandboxFilter", "keep me", script, "preserve_data = true\n").(*Filter)
	defer f.Close()
	if err := f.Tick(t.Context(), inj); err != nil {
		t.Fatal(err)
	}
	if got := inj.Messages()[0].GetPayload(); got != "5" {
		t.Errorf("payload after restart %q, want 5", got)
	}
}

func TestDecoder(t *testing.T) {
	tests := []struct {
		name, script string
		want         []string
		err          error
		errText      string
	}{
		{"passthrough", `function process_message() return 0 end`, []string{"line|tcp_in|origin|a=1 b=2"}, nil, ""},
		{"inject", `function process_message()
			local p = read_message("Payload")
			local t = {Type = "kv", Fields = {}}
			for k, v in p:gmatch("(%w+)=(%w+)") do t.Fields[k] = v end
			inject_message(t)
			return 0 end`, []string{"kv|tcp_in|origin||a:STRING:=1|b:STRING:=2"}, nil, ""},
		{"two messages", `function process_message()
			inject_message({Payload = "one"}) inject_message({Payload = "two", Logger = "me"})
			return 0 end`, []string{"line|tcp_in|origin|one", "line|me|origin|two"}, nil, ""},
		{"write_message", `function process_message()
			write_message("Type", "rewritten")
			write_message("Fields[n]", 5, "count")
			write_message("Fields[n]", 6, "", 0, 1)
			write_message("Fields[s]", "x")
			write_message("Fields[s]", nil)
			write_message("Fields[never]", nil)
			return 0 end`, []string{"rewritten|tcp_in|origin|a=1 b=2|n:DOUBLE:count=5,6"}, nil, ""},
		{"write_message type", `function process_message() write_message("Fields[n]", 5) write_message("Fields[n]", "x") return 0 end`,
			nil, pipeline.ErrFatal, "write_message() failed"},
		{"inject_payload", `function process_message() inject_payload("json", "doc", "{}") return 0 end`,
			[]string{"line|tcp_in|origin|{}|payload_name:STRING:=doc|payload_type:STRING:file-extension=json"}, nil, ""},
		{"failure", `function process_message() inject_message({}) return -1, "no match" end`, nil, nil,
			"Failed parsing: no match payload: a=1 b=2"},
		{"fatal", `function process_message() return 1 end`, nil, pipeline.ErrFatal, "returned 1"},
		{"error", `function process_message() error("boom") end`, nil, pipeline.ErrFatal, "boom"},
		{"loop", `function process_message() while true do end end`, nil, pipeline.ErrFatal, "process_message() instruction_limit exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := build(t, t.TempDir(), "SandboxDecoder", "d", tc.script, "").(*Decoder)
			p := textPack("a=1 b=2")
			out, err := d.Decode(t.Context(), p, nil)
			if (err == nil) != (tc.errText == "") || (err != nil && !strings.Contains(err.Error(), tc.errText)) {
				t.Errorf("error %v, want %q", err, tc.errText)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("error %v is not %v", err, tc.err)
			}
			var got []string
			for _, q := range out {
				got = append(got, describe(q.Message()))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("decoded\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestEncoder(t *testing.T) {
	tests := []struct {
		name, script string
		want         string // the output after "prefix|"; "=proto" for the message's encoding
		err          error
		errText      string
	}{
		{"payload", `function process_message()
			add_to_payload(read_message("Type"), ": ", read_message("Payload"), " ", read_message("Severity"), "\n")
			inject_payload("txt", "ignored")
			return 0 end`, "line: a=1 b=2 3\n", nil, ""},
		{"last injection wins", `function process_message()
			inject_payload("txt", "", "first") inject_payload("txt", "", "second") return 0 end`, "second", nil, ""},
		{"no injection", `function process_message() return 0 end`, "=proto", nil, ""},
		{"write_message copy", `function process_message()
			write_message("Payload", "changed")
			if read_message("Payload") ~= "changed" then return -1, "copy not read" end
			return 0 end`, "=changed", nil, ""},
		{"inject_message", `function process_message()
			inject_message({Type = "t", Payload = "p", Timestamp = 5, Uuid = "0123456789abcdef"}) return 0 end`, "=t/p", nil, ""},
		{"skip", `function process_message() return -2 end`, "", pipeline.ErrSkip, "skip"},
		{"failure", `function process_message() return -1, "bad" end`, "", nil, "Failed serializing: bad"},
		{"fatal", `function process_message() error("boom") end`, "", pipeline.ErrFatal, "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := build(t, t.TempDir(), "SandboxEncoder", "e", tc.script, "").(*Encoder)
			p := textPack("a=1 b=2")
			out, err := e.Encode([]byte("prefix|"), p)
			if (err == nil) != (tc.errText == "") || (err != nil && !strings.Contains(err.Error(), tc.errText)) {
				t.Fatalf("error %v, want %q", err, tc.errText)
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("error %v is not %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if !bytes.HasPrefix(out, []byte("prefix|")) {
				t.Fatalf("output %q lost dst", out)
			}
			body := out[len("prefix|"):]
			switch {
			case tc.want == "=proto":
				if !bytes.Equal(body, p.Bytes()) {
					t.Errorf("output is not the message's encoding")
				}
			case strings.HasPrefix(tc.want, "="):
				var m message.Message
				if err := m.Unmarshal(body); err != nil {
					t.Fatal(err)
				}
				got := m.GetPayload()
				if strings.Contains(tc.want, "/") {
					got = m.GetType() + "/" + m.GetPayload()
				}
				if got != tc.want[1:] {
					t.Errorf("encoded message %q, want %q", got, tc.want[1:])
				}
				if p.Message().GetPayload() != "a=1 b=2" {
					t.Errorf("the pack's own message was changed")
				}
			default:
				if string(body) != tc.want {
					t.Errorf("output %q, want %q", body, tc.want)
				}
			}
		})
	}
}

func TestFilterReportAndAbort(t *testing.T) {
	f := build(t, t.TempDir(), "SandboxFilter", "f", `n = 0
		function process_message()
			n = n + 1
			if n == 2 then return -1, "second" end
			if n == 3 then while true do end end
			return 0
		end`, "instruction_limit = 0\n").(*Filter)
	defer f.Close()
	inj := plugintest.NewInjector("")
	f.Process(t.Context(), textPack("x"), inj)
	f.Process(t.Context(), textPack("x"), inj)
	done := make(chan error)
	go func() { done <- f.Process(t.Context(), textPack("x"), inj) }()
	f.Abort()
	if err := <-done; err == nil || !strings.Contains(err.Error(), "process_message() aborted") {
		t.Errorf("aborted call: %v", err)
	}
	got := map[string]any{}
	for _, r := range f.Report() {
		got[r.Name] = r.Value
	}
	if got["ProcessMessageCount"] != int64(3) || got["ProcessMessageFailures"] != int64(1) {
		t.Errorf("report %v", got)
	}
}

// TestMessageFunctions covers decode_message, read_next_field and the
// string form of inject_message, in a filter.
func TestMessageFunctions(t *testing.T) {
	f := build(t, t.TempDir(), "SandboxFilter", "f", `function process_message()
		local raw = read_message("raw")
		local m = decode_message(raw)
		local parts = {m.Type, m.Logger, m.Payload, m.Severity, m.Timestamp, #m.Uuid}
		for _, fd in ipairs(m.Fields) do
			parts[#parts + 1] = fd.name .. ":" .. fd.value_type .. ":" .. fd.representation .. "=" .. table.concat(fd.value, ",")
		end
		while true do
			local vt, name, value, rep, count = read_next_field()
			if not vt then break end
			parts[#parts + 1] = table.concat({vt, name, tostring(value), rep, count}, "/")
		end
		local ok = pcall(decode_message, "\255\255garbage")
		parts[#parts + 1] = tostring(ok)
		inject_message(raw)
		add_to_payload(table.concat(parts, "|"))
		inject_payload()
		return 0
	end`, "").(*Filter)
	defer f.Close()
	f.maxProcess = 2
	p := textPack("body")
	m := p.MutableMessage()
	m.AppendField("n", message.ValueDouble, "B").AddDouble(1.5)
	inj := plugintest.NewInjector("")
	if err := f.Process(t.Context(), p, inj); err != nil {
		t.Fatal(err)
	}
	msgs := inj.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages injected, want 2", len(msgs))
	}
	if got := describe(msgs[0]); got != "heka.sandbox.line|f|testhost|body|n:DOUBLE:B=1.5" {
		t.Errorf("inject_message(raw): %s", got)
	}
	want := "line|tcp_in|body|3|1.4628276e+18|16|n:3:B=1.5|3/n/1.5/B/1|false"
	if got := msgs[1].GetPayload(); got != want {
		t.Errorf("payload\n got %s\nwant %s", got, want)
	}
}

// TestScriptErrors: a syntax error fails the build (and so hekad -check); a
// script that does not exist yet fails the plugin's first call; an error in
// the global code too.
func TestScriptErrors(t *testing.T) {
	dir := t.TempDir()
	reg, _ := pipeline.Lookup("SandboxFilter")
	g := pipeline.DefaultGlobals()
	g.ShareDir, g.BaseDir = dir, dir
	buildDoc := func(file string) (any, error) {
		cfg, err := plugintest.DecodeConfig("[f]\ntype = 'SandboxFilter'\nmessage_matcher = 'TRUE'\nfilename = '"+file+"'\n", "SandboxFilter")
		if err != nil {
			t.Fatal(err)
		}
		return reg.Build(cfg, pipeline.NewEnv("f", "SandboxFilter", &g, nil, nil))
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.lua"), []byte("function process_message( return 0 end"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := buildDoc("bad.lua"); err == nil || !strings.Contains(err.Error(), "bad.lua") {
		t.Errorf("syntax error: build gave %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "boom.lua"), []byte("error('no config')"), 0o644); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{"missing.lua": "no such file", "boom.lua": "load() "} {
		p, err := buildDoc(file)
		if err != nil {
			t.Fatalf("%s: build: %v", file, err)
		}
		inj := plugintest.NewInjector("")
		err = p.(*Filter).Process(t.Context(), textPack("x"), inj)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: first call: %v, want %q", file, err, want)
		}
		if msgs := inj.Messages(); len(msgs) != 1 || msgs[0].GetType() != TerminatedType {
			t.Errorf("%s: no heka.sandbox-terminated message", file)
		}
	}
}

func TestOutput(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "written.txt")
	o := build(t, dir, "SandboxOutput", "o", `require "io"
		local f = io.open(read_config("path"), "w")
		function process_message()
			local p = read_message("Payload")
			if p == "bad" then return -1, "bad payload" end
			if p == "stop" then return 1, "stopping" end
			f:write(p, "\n")
			f:flush()
			return 0
		end`, "message_matcher = 'TRUE'\ninstruction_limit = 5\n[o.config]\npath = '"+path+"'\n").(*Output)
	defer o.Close()
	write := func(payload string) error {
		p := textPack(payload)
		defer p.Recycle()
		return o.Write(t.Context(), pipeline.Record{Pack: p})
	}
	if err := write("one"); err != nil {
		t.Fatal(err)
	}
	if err := write("bad"); !pipeline.IsDrop(err) {
		t.Errorf("negative status: %v, want a Drop error", err)
	}
	if err := write("two"); err != nil {
		t.Fatal(err)
	}
	if err := write("stop"); err == nil || pipeline.IsDrop(err) || !strings.Contains(err.Error(), "stopping") {
		t.Errorf("positive status: %v, want the output to end", err)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "one\ntwo\n" {
		t.Errorf("written %q, %v (the instruction_limit of 5 must be ignored)", b, err)
	}
}

// TestDecoderTimeZone: with config.tz, a timestamp the script computed from
// a local wall clock (as if it were UTC) is moved to that zone; one taken
// from the record is not.
func TestDecoderTimeZone(t *testing.T) {
	d := build(t, t.TempDir(), "SandboxDecoder", "d", `function process_message()
		inject_message({Timestamp = 1462827600e9, Payload = "set"})
		inject_message({Payload = "inherited"})
		return 0 end`, "[d.config]\ntz = 'America/New_York'\n").(*Decoder)
	out, err := d.Decode(t.Context(), textPack("x"), nil)
	if err != nil || len(out) != 2 {
		t.Fatalf("%d packs, %v", len(out), err)
	}
	// 21:00 in New York (EDT, UTC-4) is 01:00 UTC the next day.
	if got := out[0].Message().GetTimestamp(); got != 1462827600e9+4*3600e9 {
		t.Errorf("re-zoned timestamp %d", got)
	}
	if got := out[1].Message().GetTimestamp(); got != 1462827600000000000 {
		t.Errorf("inherited timestamp %d changed", got)
	}
	plugintest.CheckInvalid(t, "SandboxDecoder", map[string]string{
		"[d]\ntype = 'SandboxDecoder'\nfilename = 'x.lua'\n[d.config]\ntz = 'Mars/Olympus'\n": "config.tz",
	})
}

func TestInput(t *testing.T) {
	tests := []struct {
		name, script, extra string
		ticks               int
		want                []string
	}{
		{"stop", `n = 0 function process_message()
			n = n + 1
			inject_message({Type = "gen", Payload = "msg " .. n, Fields = {n = n}})
			if n == 3 then return 1 end
			return 0 end`, "ticker_interval = 1\n", 2, []string{"msg 1", "msg 2", "msg 3"}},
		{"single run", `function process_message()
			inject_message({Payload = "once"}) inject_message({Payload = "twice"})
			return 0 end`, "", 0, []string{"once", "twice"}},
		{"encoded", `function process_message()
			local raw = decode_message(read_config("raw"))
			inject_message(read_config("raw"))
			return 1 end`, "", 0, []string{"from bytes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			extra := tc.extra
			if tc.name == "encoded" {
				var m message.Message
				m.SetPayload("from bytes")
				extra += fmt.Sprintf("[i.config]\nraw = %q\n", m.Marshal())
			}
			in := build(t, t.TempDir(), "SandboxInput", "i", tc.script, extra).(*Input)
			for range tc.ticks {
				in.Tick(t.Context(), nil) // kept for the calls after the first
			}
			host := plugintest.NewHost("i", nil, false)
			done := make(chan error, 1)
			go func() { done <- in.Run(t.Context(), host) }()
			ticked := 0
			for {
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					for _, d := range host.Deliveries() {
						got = append(got, d.Message.GetPayload())
					}
					if strings.Join(got, "|") != strings.Join(tc.want, "|") {
						t.Errorf("delivered %q, want %q", got, tc.want)
					}
					return
				case <-time.After(10 * time.Millisecond):
					if ticked < tc.ticks { // the buffered nudge holds one tick at a time
						in.Tick(t.Context(), nil)
						ticked++
					}
				}
			}
		})
	}
}

// TestFilterInjectRules: a message without Timestamp gets the current time
// in whole seconds (Heka's time(NULL)); one that would come back to the
// filter itself terminates it.
func TestFilterInjectRules(t *testing.T) {
	f := build(t, t.TempDir(), "SandboxFilter", "f", `function process_message()
		inject_message({Type = read_message("Payload")})
		return 0 end`, "").(*Filter)
	defer f.Close()
	inj := plugintest.NewInjector("Type == 'heka.sandbox.loop'")
	if err := f.Process(t.Context(), textPack("other"), inj); err != nil {
		t.Fatal(err)
	}
	if ts := inj.Messages()[0].GetTimestamp(); ts%1e9 != 0 || ts == 0 {
		t.Errorf("default timestamp %d is not whole seconds", ts)
	}
	err := f.Process(t.Context(), textPack("loop"), inj)
	if err == nil || !strings.Contains(err.Error(), "terminated") {
		t.Fatalf("self-injection: %v, want the filter terminated", err)
	}
	msgs := inj.Messages()
	if last := msgs[len(msgs)-1]; last.GetType() != TerminatedType || !strings.Contains(last.GetPayload(), "inject_message()") {
		t.Errorf("termination report %q %q", last.GetType(), last.GetPayload())
	}
}

func TestWriteMessageHeaders(t *testing.T) {
	tests := []struct {
		script string
		check  func(m *message.Message) bool
	}{
		{`write_message("Timestamp", 5e9)`, func(m *message.Message) bool { return m.GetTimestamp() == 5e9 }},
		{`write_message("Timestamp", "7000")`, func(m *message.Message) bool { return m.GetTimestamp() == 7000 }},
		{`write_message("Timestamp", "2016-05-09T21:00:00Z")`, func(m *message.Message) bool { return m.GetTimestamp() == 1462827600e9 }},
		{`write_message("Timestamp", "10/Oct/2000:13:55:36 -0700")`, func(m *message.Message) bool { return m.GetTimestamp() == 971211336e9 }},
		{`write_message("Severity", "2") write_message("Pid", 42)`, func(m *message.Message) bool { return m.GetSeverity() == 2 && m.GetPid() == 42 }},
		{`write_message("Uuid", "0123456789abcdef")`, func(m *message.Message) bool { return string(m.GetUuid()) == "0123456789abcdef" }},
		{`write_message("Hostname", "h") write_message("Logger", "l") write_message("EnvVersion", "1")`,
			func(m *message.Message) bool {
				return m.GetHostname() == "h" && m.GetLogger() == "l" && m.GetEnvVersion() == "1"
			}},
	}
	for _, tc := range tests {
		t.Run(tc.script, func(t *testing.T) {
			d := build(t, t.TempDir(), "SandboxDecoder", "d", "function process_message() "+tc.script+" return 0 end", "").(*Decoder)
			out, err := d.Decode(t.Context(), textPack("x"), nil)
			if err != nil || len(out) != 1 {
				t.Fatalf("%d packs, %v", len(out), err)
			}
			if !tc.check(out[0].Message()) {
				t.Errorf("message after %s: %v", tc.script, describe(out[0].Message()))
			}
		})
	}
	d := build(t, t.TempDir(), "SandboxDecoder", "d", `function process_message() write_message("Timestamp", "yesterday") return 0 end`, "").(*Decoder)
	if _, err := d.Decode(t.Context(), textPack("x"), nil); err == nil || !strings.Contains(err.Error(), "write_message() failed") {
		t.Errorf("bad timestamp: %v", err)
	}
}

// TestReadFunctions checks read_message and read_next_field on a message
// with fields of every type, repeated names and an empty BYTES value (which
// Heka reads as nil).
func TestReadFunctions(t *testing.T) {
	f := build(t, t.TempDir(), "SandboxFilter", "f", `
		local function show(v) return type(v) .. ":" .. tostring(v) end
		function process_message()
			local out = {}
			for _, q in ipairs({{"Type"}, {"Logger"}, {"Payload"}, {"EnvVersion"}, {"Timestamp"}, {"Severity"},
					{"Pid"}, {"Fields[s]"}, {"Fields[s]", 1}, {"Fields[s]", 1, 1}, {"Fields[b]"}, {"Fields[empty]"},
					{"Fields[i]", 0, 1}, {"Fields[d]"}, {"Fields[t]"}, {"Fields[none]"}, {"Nope"}}) do
				out[#out + 1] = show(read_message(q[1], q[2], q[3]))
			end
			while true do
				local vt, name, value, rep, count = read_next_field()
				if vt == nil then out[#out + 1] = show(name) break end
				out[#out + 1] = table.concat({vt, name, show(value), rep, count}, "/")
			end
			add_to_payload(table.concat(out, " "))
			inject_payload()
			return 0
		end`, "").(*Filter)
	defer f.Close()
	p := pipeline.NewPack()
	m := p.MutableMessage()
	m.SetType("TEST")
	m.SetLogger("spec")
	m.SetEnvVersion("0.8")
	m.SetTimestamp(5123456789)
	m.SetSeverity(6)
	m.AppendField("s", message.ValueString, "").AddString("first")
	m.AppendField("b", message.ValueBytes, "").AddBytes([]byte("data"))
	m.AppendField("empty", message.ValueBytes, "").AddBytes(nil)
	i := m.AppendField("i", message.ValueInteger, "count")
	i.AddInteger(999)
	i.AddInteger(1024)
	m.AppendField("d", message.ValueDouble, "").AddDouble(99.9)
	m.AppendField("t", message.ValueBool, "").AddBool(true)
	m.AppendField("s", message.ValueString, "").AddString("second")
	inj := plugintest.NewInjector("")
	if err := f.Process(t.Context(), p, inj); err != nil {
		t.Fatal(err)
	}
	want := "string:TEST string:spec string: string:0.8 number:5123456789 number:6 number:0 string:first " +
		"string:second nil:nil string:data nil:nil number:1024 number:99.9 boolean:true nil:nil nil:nil " +
		"0/s/string:first//1 1/b/string:data//1 1/empty/nil:nil//1 2/i/number:999/count/2 3/d/number:99.9//1 " +
		"4/t/boolean:true//1 0/s/string:second//1 nil:nil"
	if got := inj.Messages()[0].GetPayload(); got != want {
		t.Errorf("read\n got %s\nwant %s", got, want)
	}
}

// TestWriteMessageErrors: each of these write_message calls fails the
// record (a Lua error in a decoder is fatal).
func TestWriteMessageErrors(t *testing.T) {
	for _, call := range []string{
		`write_message()`, `write_message("Fields[x]", 0, "count", 0, 0, 0)`, `write_message("Unknown", 0)`,
		`write_message("[x]", 0)`, `write_message("Fields[x", 0)`, `write_message("Fields[x]", 0, "", 200, 0)`,
		`write_message("Fields[x]", 0, "", -1, 0)`, `write_message("Fields[x]", 0, "", 0, -1)`, `write_message(nil, 0)`,
		`write_message("Uuid", "")`, `write_message("Uuid", "abcdefghijklmnopqrst")`, `write_message("Timestamp", "")`,
		`write_message("Severity", true)`, `write_message("Hostname", 99)`, `write_message("Fields[x]", {a = 1})`,
		`write_message("Fields[x]", "v") write_message("Fields[x]", nil, "", 2)`,
	} {
		d := build(t, t.TempDir(), "SandboxDecoder", "d", "function process_message() "+call+" return 0 end", "").(*Decoder)
		if _, err := d.Decode(t.Context(), textPack("x"), nil); err == nil || !strings.Contains(err.Error(), "write_message") {
			t.Errorf("%s: %v, want a write_message error", call, err)
		}
	}
	d := build(t, t.TempDir(), "SandboxDecoder", "d", `function process_message()
		write_message("Uuid", "bd48b609-8922-4e59-a358-c242075ce088") return 0 end`, "").(*Decoder)
	out, err := d.Decode(t.Context(), textPack("x"), nil)
	if err != nil || out[0].Message().GetUuidString() != "bd48b609-8922-4e59-a358-c242075ce088" {
		t.Errorf("hyphenated Uuid: %v", err)
	}
}

// TestDecoderWithLpegModules: a decoder requires share_dir's
// common_log_format module (an lpeg grammar builder over date_time) and
// parses an nginx line with it, as Heka's nginx_access decoder does.
func TestDecoderWithLpegModules(t *testing.T) {
	mods, err := filepath.Abs("../../share/lua_modules")
	if err != nil {
		t.Fatal(err)
	}
	script := `
local clf = require "common_log_format"
local grammar = clf.build_nginx_grammar('$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent')
function process_message()
	local fields = grammar:match(read_message("Payload"))
	if not fields then return -1, "no match" end
	local msg = {Type = "nginx", Timestamp = fields.time, Fields = fields}
	fields.time = nil
	inject_message(msg)
	return 0
end`
	d := build(t, t.TempDir(), "SandboxDecoder", "d", script, "module_directory = '"+mods+"'\n").(*Decoder)
	out, err := d.Decode(t.Context(), textPack(`192.168.1.5 - alice [10/May/2016:15:00:00 +0000] "GET /index.html HTTP/1.1" 200 1234`), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("%d messages", len(out))
	}
	got := describe(out[0].Message())
	for _, want := range []string{"remote_addr:STRING:ipv4=192.168.1.5", "remote_user:STRING:=alice", "status:DOUBLE:=200",
		"body_bytes_sent:DOUBLE:B=1234", "request:STRING:=GET /index.html HTTP/1.1"} {
		if !strings.Contains(got, want) {
			t.Errorf("decoded %s\nwant %s in it", got, want)
		}
	}
	if ts := out[0].Message().GetTimestamp(); ts != 1462892400000000000 {
		t.Errorf("Timestamp %d, want 1462892400000000000 (10/May/2016:15:00:00 +0000)", ts)
	}
	if _, err := d.Decode(t.Context(), textPack("not an access line"), nil); err == nil || !strings.Contains(err.Error(), "no match") {
		t.Errorf("a line the grammar does not match: %v, want the decoder's failure", err)
	}
}

// TestCompiledScriptsShared: the sandboxes of one engine share a cache of
// compiled scripts (pipeline.Shared); it goes when the last one is closed.
func TestCompiledScriptsShared(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "d.lua"), []byte("function process_message() return 0 end\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := plugintest.DecodeConfig("[d]\ntype = 'SandboxDecoder'\nfilename = 'd.lua'\n", "SandboxDecoder")
	if err != nil {
		t.Fatal(err)
	}
	g := pipeline.DefaultGlobals()
	g.BaseDir, g.ShareDir = dir, dir
	shared := pipeline.NewShared()
	reg, _ := pipeline.Lookup("SandboxDecoder")
	var decs []io.Closer
	for range 2 {
		p, err := reg.Build(cfg, pipeline.NewEnv("d", "SandboxDecoder", &g, nil, nil, pipeline.WithShared(shared)))
		if err != nil {
			t.Fatal(err)
		}
		decs = append(decs, p.(io.Closer))
	}
	if shared.Len() != 1 {
		t.Errorf("%d shared entries for two sandboxes, want 1 (the cache)", shared.Len())
	}
	for _, d := range decs {
		d.Close()
	}
	if shared.Len() != 0 {
		t.Errorf("%d shared entries after both closed", shared.Len())
	}
}

// TestDecoderEncoderPreserve: with preserve_data, a SandboxDecoder (closed
// by the engine when its stream ends) and a SandboxEncoder (closed after
// its output) keep their globals for the next instance, as Heka's did.
func TestDecoderEncoderPreserve(t *testing.T) {
	const script = `count = 0
function process_message()
    count = count + 1
    inject_payload("txt", "", tostring(count))
    return 0
end`
	tests := []struct {
		typ string
		run func(t *testing.T, p any) string // one call; the payload it made
	}{
		{"SandboxDecoder", func(t *testing.T, p any) string {
			out, err := p.(*Decoder).Decode(t.Context(), textPack("x"), nil)
			if err != nil || len(out) != 1 {
				t.Fatalf("decode: %v, %d packs", err, len(out))
			}
			return out[0].Message().GetPayload()
		}},
		{"SandboxEncoder", func(t *testing.T, p any) string {
			b, err := p.(*Encoder).Encode(nil, textPack("x"))
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			return string(b)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			dir := t.TempDir()
			var got []string
			for range 2 {
				p := build(t, dir, tc.typ, "keep", script, "preserve_data = true\n")
				got = append(got, tc.run(t, p), tc.run(t, p))
				if err := p.(io.Closer).Close(); err != nil {
					t.Fatal(err)
				}
			}
			if strings.Join(got, ",") != "1,2,3,4" {
				t.Errorf("payloads %v across a restart, want 1,2,3,4", got)
			}
		})
	}
}

// TestFilterProfile: with profile = true a SandboxFilter times its first
// (plugin_chansize - 1) x 10 calls (290 by default), then samples again
// from their average, as Heka; without it only one call in
// sample_denominator is timed.
func TestFilterProfile(t *testing.T) {
	field := func(fs []pipeline.ReportField, name string) any {
		for _, f := range fs {
			if f.Name == name {
				return f.Value
			}
		}
		return nil
	}
	tests := []struct {
		extra               string
		calls               int
		profiled, pmSamples any
		profileAvgIsPresent bool
	}{
		{"profile = true\n", 100, int64(100), int64(100), true},
		{"profile = true\n", 300, int64(290), int64(1), true},
		{"", 300, nil, int64(0), false},
	}
	for _, tc := range tests {
		f := build(t, t.TempDir(), "SandboxFilter", "p", "function process_message() return 0 end", tc.extra).(*Filter)
		for range tc.calls {
			if err := f.Process(t.Context(), textPack("x"), plugintest.NewInjector("")); err != nil {
				t.Fatal(err)
			}
		}
		r := f.Report()
		if got := field(r, "ProfileMessageSamples"); got != tc.profiled {
			t.Errorf("%q, %d calls: ProfileMessageSamples %v, want %v", tc.extra, tc.calls, got, tc.profiled)
		}
		if got := field(r, "ProcessMessageSamples"); got != tc.pmSamples {
			t.Errorf("%q, %d calls: ProcessMessageSamples %v, want %v", tc.extra, tc.calls, got, tc.pmSamples)
		}
		if avg := field(r, "ProfileMessageAvgDuration"); (avg != nil) != tc.profileAvgIsPresent || (avg != nil && avg.(int64) <= 0) {
			t.Errorf("%q: ProfileMessageAvgDuration %v", tc.extra, avg)
		}
		f.Close()
	}
}
