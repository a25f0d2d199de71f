package lpeg

import (
	"syscall"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// benchState loads testdata/bench/nginx.lua (the nginx combined-log
// grammar) into a new state.
func benchState(b *testing.B) (*lua.LState, *Pattern, lua.LValue) {
	b.Helper()
	L := lua.NewState()
	L.PreloadModule("lpeg", Open)
	if err := L.DoFile("testdata/bench/nginx.lua"); err != nil {
		b.Fatal(err)
	}
	g := L.GetGlobal("grammar").(*lua.LUserData).Value.(*Pattern)
	return L, g, L.GetGlobal("line")
}

// BenchmarkMatchNginx is lpeg.match(grammar, line) called from Go: the
// match, the captures' table, tonumber and the time conversion in Lua.
func BenchmarkMatchNginx(b *testing.B) { benchMatch(b, "grammar") }

// BenchmarkMatchNginxPlain is lpeg.match(plain, line): the same fields
// as strings, with no Lua function called.
func BenchmarkMatchNginxPlain(b *testing.B) { benchMatch(b, "plain") }

func benchMatch(b *testing.B, pattern string) {
	L, _, line := benchState(b)
	defer L.Close()
	match := L.GetField(L.GetGlobal("lpeg"), "match")
	grammar := L.GetGlobal(pattern)
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if err := L.CallByParam(lua.P{Fn: match, NRet: 1, Protect: true}, grammar, line); err != nil {
			b.Fatal(err)
		}
		if _, ok := L.Get(-1).(*lua.LTable); !ok {
			b.Fatal("no match")
		}
		L.Pop(1)
	}
}

// BenchmarkMachineNginx is the parsing machine alone on the same grammar
// and line: no capture is turned into a Lua value.
func BenchmarkMachineNginx(b *testing.B) {
	L, g, line := benchState(b)
	defer L.Close()
	prog, err := compile(g.tree)
	if err != nil {
		b.Fatal(err)
	}
	m := &machine{maxStack: initBack}
	s := string(line.(lua.LString))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if end, err := m.run(prog, s, 0); err != nil || end != len(s) {
			b.Fatal(end, err)
		}
	}
}

// BenchmarkCompileNginx compiles the grammar's tree to a program.
func BenchmarkCompileNginx(b *testing.B) {
	L, g, _ := benchState(b)
	defer L.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := compile(g.tree); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildNginx runs testdata/bench/nginx.lua (parsing the Lua,
// building the grammar with the lpeg functions) and compiles the grammar.
func BenchmarkBuildNginx(b *testing.B) {
	L := lua.NewState()
	defer L.Close()
	L.PreloadModule("lpeg", Open)
	b.ReportAllocs()
	for b.Loop() {
		if err := L.DoFile("testdata/bench/nginx.lua"); err != nil {
			b.Fatal(err)
		}
		g := L.GetGlobal("grammar").(*lua.LUserData).Value.(*Pattern)
		if _, err := compile(g.tree); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU adds the metric cpu-ns/op: the process's CPU time (all
// threads, as C Lua's os.clock) per iteration, which other jobs on a
// shared machine disturb less than the wall time of ns/op. Call the
// function it returns after the loop.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
