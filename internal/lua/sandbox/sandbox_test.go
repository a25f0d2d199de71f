package sandbox

import (
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// start builds and starts a sandbox of testdata/<script> with Heka's default
// limits, add_to_payload registered, and cfg changed by mod.
func start(t testing.TB, script string, mod func(*Config)) *Sandbox {
	t.Helper()
	cfg := Config{
		Name:             "test",
		Script:           filepath.Join("testdata", script),
		ModuleDirs:       []string{filepath.Join("testdata", "modules")},
		MemoryLimit:      DefaultMemoryLimit,
		InstructionLimit: DefaultInstructionLimit,
		OutputLimit:      DefaultOutputLimit,
	}
	if mod != nil {
		mod(&cfg)
	}
	sb, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sb.Register("add_to_payload", sb.AddToPayload)
	if err := sb.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

func TestLimits(t *testing.T) {
	tests := []struct {
		script string
		mod    func(*Config)
		reason Reason
		text   string
	}{
		{"loop.lua", nil, ReasonInstructionLimit, "process_message() instruction_limit exceeded"},
		{"grow.lua", nil, ReasonMemoryLimit, "process_message() memory_limit exceeded"},
		{"grow.lua", func(c *Config) { c.InstructionLimit = 0 }, ReasonMemoryLimit, "process_message() memory_limit exceeded"},
		{"grow_local.lua", func(c *Config) { c.InstructionLimit = 0 }, ReasonMemoryLimit, "process_message() memory_limit exceeded"},
		{"double.lua", nil, ReasonMemoryLimit, "process_message() memory_limit exceeded"},
		{"rep.lua", func(c *Config) { c.InstructionLimit = 0 }, ReasonMemoryLimit, "process_message() memory_limit exceeded"},
		{"flood.lua", nil, ReasonOutputLimit, "process_message() output_limit exceeded"},
		{"flood.lua", func(c *Config) { c.InstructionLimit = 0 }, ReasonOutputLimit, "process_message() output_limit exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.script, func(t *testing.T) {
			sb := start(t, tc.script, tc.mod)
			_, _, err := sb.ProcessMessage(t.Context())
			var te *TerminatedError
			if !errors.As(err, &te) {
				t.Fatalf("got %v, want a TerminatedError", err)
			}
			if te.Reason != tc.reason || te.Payload() != tc.text {
				t.Errorf("got %v %q, want %v %q", te.Reason, te.Payload(), tc.reason, tc.text)
			}
			if _, _, err2 := sb.ProcessMessage(t.Context()); err2 != err {
				t.Errorf("second call: %v, want the termination again", err2)
			}
			if st := sb.Stats(); st.MaxMemory > 4*DefaultMemoryLimit {
				t.Errorf("estimate reached %d bytes, over 4x the limit", st.MaxMemory)
			}
		})
	}
}

// TestMemoryCost runs a script that grows a global table without end, with a
// 1 MiB memory_limit and no instruction_limit, and checks the Go heap it
// leaves behind.
func TestMemoryCost(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sb := start(t, "grow.lua", func(c *Config) { c.MemoryLimit = 1 << 20; c.InstructionLimit = 0 })
	_, _, err := sb.ProcessMessage(t.Context())
	var te *TerminatedError
	if !errors.As(err, &te) || te.Reason != ReasonMemoryLimit {
		t.Fatalf("got %v, want memory_limit", err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("Go heap grew by %d KiB for a 1024 KiB limit; estimate %d KiB, %d walks", grown>>10, sb.Stats().MaxMemory>>10, sb.Stats().MemoryWalks)
	if grown > 16<<20 {
		t.Errorf("Go heap grew by %d bytes, more than 16x the limit", grown)
	}
}

func TestEntryPoints(t *testing.T) {
	tests := []struct {
		name, src string
		status    int
		msg       string
		reason    Reason
		text      string
	}{
		{"ok", "function process_message() return 0 end", 0, "", 0, ""},
		{"failure", "function process_message() return -1, 'bad input' end", -1, "bad input", 0, ""},
		{"fatal", "function process_message() return 1 end", 1, "", 0, ""},
		{"no status", "function process_message() end", 0, "", ReasonBadReturn, "process_message() must return a numeric status code"},
		{"bad message", "function process_message() return 0, {} end", 0, "", ReasonBadReturn, "process_message() must return a nil or string error message"},
		{"missing", "x = 1", 0, "", ReasonMissing, "process_message() function was not found"},
		{"error", "function process_message() error('boom') end", 0, "", ReasonError, "process_message() script.lua:1: boom"},
		{"index nil", "function process_message() local x x.y = 1 end", 0, "", ReasonError, "attempt to index"},
		{"host panic", "function process_message() panicky() end", 0, "", ReasonError, "host bug"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "script.lua")
			writeFile(t, path, tc.src)
			sb, err := New(Config{Name: "t", Script: path, InstructionLimit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			sb.Register("panicky", func(L *lua.LState) int { panic("host bug") })
			if err := sb.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			defer sb.Close()
			status, msg, err := sb.ProcessMessage(t.Context())
			if tc.text == "" && tc.reason == 0 {
				if err != nil || status != tc.status || msg != tc.msg {
					t.Errorf("got %d %q %v, want %d %q", status, msg, err, tc.status, tc.msg)
				}
				return
			}
			var te *TerminatedError
			if !errors.As(err, &te) || te.Reason != tc.reason {
				t.Fatalf("got %v, want reason %v", err, tc.reason)
			}
			if !strings.Contains(te.Payload(), strings.TrimPrefix(tc.text, "process_message() script.lua")) {
				t.Errorf("payload %q, want %q", te.Payload(), tc.text)
			}
			if !strings.HasPrefix(te.Payload(), "process_message() ") {
				t.Errorf("payload %q does not name the entry point", te.Payload())
			}
		})
	}
}

func TestEnvironment(t *testing.T) {
	tests := []struct {
		profile Profile
		want    string
	}{
		{Restricted, "collectgarbage=nil coroutine=nil dofile=nil load=nil loadfile=nil loadstring=nil " +
			"newproxy=nil print=nil module=nil _printregs=nil package=nil io=nil debug=nil require=function " +
			"read_config=function string=table table=table math=table os=table pcall=function setmetatable=function " +
			"unpack=function os.getenv=nil os.execute=nil os.exit=nil os.remove=nil os.rename=nil os.setlocale=nil " +
			"os.tmpname=nil os.setenv=nil os.time=function os.date=function os.clock=function os.difftime=function"},
		{Relaxed, "collectgarbage=function coroutine=table dofile=nil load=nil loadfile=nil loadstring=nil " +
			"newproxy=function print=nil module=nil _printregs=nil package=nil io=nil debug=nil require=function " +
			"read_config=function string=table table=table math=table os=table pcall=function setmetatable=function " +
			"unpack=function os.getenv=function os.execute=function os.exit=nil os.remove=function os.rename=function " +
			"os.setlocale=nil os.tmpname=function os.setenv=nil os.time=function os.date=function os.clock=function " +
			"os.difftime=function"},
	}
	for _, tc := range tests {
		t.Run(map[Profile]string{Restricted: "restricted", Relaxed: "relaxed"}[tc.profile], func(t *testing.T) {
			sb := start(t, "env.lua", func(c *Config) { c.Profile = tc.profile })
			_, msg, err := sb.ProcessMessage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if msg != tc.want {
				t.Errorf("got\n%s\nwant\n%s", msg, tc.want)
			}
		})
	}
}

func TestRequire(t *testing.T) {
	sb := start(t, "require.lua", func(c *Config) {
		c.Modules = map[string]lua.LGFunction{"gomod": func(L *lua.LState) int {
			m := L.NewTable()
			m.RawSetString("answer", lua.LString("42"))
			L.Push(m)
			return 1
		}}
	})
	_, msg, err := sb.ProcessMessage(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := "hello lua|sub.deep|true|false|false|false|nil|42|true|true|loop or previous error"
	if msg != want {
		t.Errorf("got  %s\nwant %s", msg, want)
	}
}

func TestRequireIO(t *testing.T) {
	for _, p := range []Profile{Restricted, Relaxed} {
		dir := t.TempDir()
		path := filepath.Join(dir, "io.lua")
		writeFile(t, path, "function process_message() local ok = pcall(require, 'io') return 0, tostring(ok) .. ' ' .. type(io) end")
		sb, err := New(Config{Name: "io", Script: path, Profile: p})
		if err != nil {
			t.Fatal(err)
		}
		if err := sb.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		_, msg, err := sb.ProcessMessage(t.Context())
		sb.Close()
		want := map[Profile]string{Restricted: "false nil", Relaxed: "true table"}[p]
		if err != nil || msg != want {
			t.Errorf("profile %d: got %q %v, want %q", p, msg, err, want)
		}
	}
}

func TestReadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cfg.lua")
	writeFile(t, path, `function process_message()
		local out = {}
		for _, k in ipairs({"s", "b", "i", "f", "list", "missing"}) do out[#out + 1] = tostring(read_config(k)) end
		local ok = pcall(read_config, "s", "x")
		return 0, table.concat(out, " ") .. " " .. tostring(ok)
	end`)
	sb, err := New(Config{Name: "cfg", Script: path, Settings: map[string]any{
		"s": "text", "b": true, "i": int64(1) << 40, "f": 2.5, "list": []any{1, 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	_, msg, err := sb.ProcessMessage(t.Context())
	if want := "text true 1099511627776 2.5 nil nil false"; err != nil || msg != want {
		t.Errorf("got %q %v, want %q", msg, err, want)
	}
}

func TestTimerEventOutput(t *testing.T) {
	sb := start(t, "counter.lua", nil)
	for range 3 {
		if _, _, err := sb.ProcessMessage(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if err := sb.TimerEvent(t.Context(), 1462827600000000000); err != nil {
		t.Fatal(err)
	}
	if got, want := string(sb.Output().Bytes()), "3 1.4628276e+18\n"; got != want {
		t.Errorf("output %q, want %q", got, want)
	}
}

func TestAppendPayloadNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {1, "1"}, {-1, "-1"}, {0.5, "0.5"}, {1.0 / 3, "0.33333333"}, {2.0 / 3, "0.66666667"},
		{123.456, "123.456"}, {-7.25, "-7.25"}, {1e-9, "0"}, {0.000000005, "0.00000001"},
		{0.000000015, "0.00000001"}, {0.125, "0.125"}, {2.5, "2.5"}, {2147483647, "2147483647"}, {2147483648, "2147483648"},
		{1e10, "10000000000"}, {1462827600000000000, "1.4628276e+18"}, {1.5e300, "1.5000000000000001e+300"},
		{-3e9, "-3000000000"},
	}
	for _, tc := range tests {
		if got := string(AppendPayloadNumber(nil, tc.in)); got != tc.want {
			t.Errorf("AppendPayloadNumber(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestInstructionBoundary runs a call that takes a fixed number of
// instructions with that many allowed (it passes), then one fewer (it trips).
func TestInstructionBoundary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.lua")
	writeFile(t, path, "function process_message() local s = 0 for i = 1, 1000 do s = s + i end return 0 end")
	run := func(limit int64) (*Sandbox, error) {
		sb, err := New(Config{Name: "n", Script: path, InstructionLimit: limit})
		if err != nil {
			t.Fatal(err)
		}
		if err := sb.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sb.Close() })
		_, _, err = sb.ProcessMessage(t.Context())
		return sb, err
	}
	sb, err := run(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	n := sb.Stats().MaxInstructions
	if n < 2000 || n > 2100 {
		t.Errorf("a 1,000-iteration loop took %d instructions, want about 2,00x as C Lua's count hook", n)
	}
	if _, err := run(n); err != nil {
		t.Errorf("limit %d: %v", n, err)
	}
	var te *TerminatedError
	if _, err := run(n - 1); !errors.As(err, &te) || te.Reason != ReasonInstructionLimit {
		t.Errorf("limit %d: got %v, want instruction_limit", n-1, err)
	}
}

// TestDeepChain walks a chain of a million nested tables (the walk must not
// recurse) and stops it at memory_limit.
func TestDeepChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "chain.lua")
	writeFile(t, path, "chain = nil function process_message() for i = 1, 1e7 do chain = {chain} end return 0 end")
	sb, err := New(Config{Name: "chain", Script: path, MemoryLimit: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	var te *TerminatedError
	if _, _, err := sb.ProcessMessage(t.Context()); !errors.As(err, &te) || te.Reason != ReasonMemoryLimit {
		t.Errorf("got %v, want memory_limit", err)
	}
}

// TestAbort stops an endless loop from another goroutine, with no limits
// configured.
func TestAbort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spin.lua")
	writeFile(t, path, "function process_message() while true do end end")
	sb, err := New(Config{Name: "spin", Script: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	done := make(chan error)
	go func() {
		_, _, err := sb.ProcessMessage(t.Context())
		done <- err
	}()
	sb.Abort()
	var te *TerminatedError
	if err := <-done; !errors.As(err, &te) || te.Reason != ReasonAborted || te.Payload() != "process_message() aborted" {
		t.Errorf("got %v, want process_message() aborted", err)
	}
}
