package lpeg

import (
	"strings"
	"testing"

	"github.com/hekad-go/hekad/internal/lua/oracle"
	lua "github.com/yuin/gopher-lua"
)

// TestGuard checks that a Go panic in a module function (a bug) is a Lua
// error that a script can catch, not a crash of the host.
func TestGuard(t *testing.T) {
	var out strings.Builder
	L := testState(&out)
	defer L.Close()
	mod := moduleOf(L)
	L.SetGlobal("boom", L.NewFunction(mod.guard(func(*module, *lua.LState) int {
		var s []int
		return s[3]
	})))
	if err := L.DoString(`print(pcall(boom))`); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "false\tlpeg: internal error: runtime error: index out of range") {
		t.Errorf("got %q", got)
	}
}

// TestNumberString compares numberString with C Lua's tostring of the
// same numbers (used where LPeg turns numbers into strings: Cs, string
// captures, error messages).
func TestNumberString(t *testing.T) {
	nums := []float64{0, 1, -1, 42, 1e14, 99999999999999, -123456789012345, 0.5, -2.25, 1e15, 1e16, 123456789012345, 1.5e300, 1e-5, 0.1, 1.0 / 3, 2e-310, 3.14159265358979}
	var script strings.Builder
	for _, n := range nums {
		script.WriteString("print(" + strings.TrimSuffix(strings.TrimSuffix(lua.LNumber(n).String(), "\n"), " ") + ")\n")
	}
	res := oracle.MustRun(t, script.String())
	if !res.OK {
		t.Fatal(res.Stderr)
	}
	want := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	for i, n := range nums {
		if got := numberString(n); got != want[i] {
			t.Errorf("numberString(%v) = %q, C Lua prints %q", n, got, want[i])
		}
	}
}

// TestPrint runs the debugging functions, whose notation is this
// package's own.
func TestPrint(t *testing.T) {
	out, err := runGo(t, `
		local lpeg = require "lpeg"
		local p = lpeg.P{"S", S = lpeg.C(lpeg.S"ab" * lpeg.V"S" + "c") / "%1"}
		lpeg.print(p)
		lpeg.pcode(p * lpeg.Cp())
	`)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"grammar", "rule 'S'", "call 'S'", "capture string", "set [(61)(62)]", "opencapture", "end"} {
		if !strings.Contains(out, want) {
			t.Errorf("output has no %q:\n%s", want, out)
		}
	}
}

// TestRequireReLoadsLpeg checks that require "re" alone also makes lpeg
// available (package.loaded.lpeg and the global), as re.lua's
// require "lpeg" does, and that both modules share one lpeg table.
func TestRequireReLoadsLpeg(t *testing.T) {
	out, err := runGo(t, `
		local re = require "re"
		print(type(lpeg), package.loaded.lpeg == lpeg, require "lpeg" == lpeg, lpeg.type(re.compile"'a'"))
	`)
	if err != nil {
		t.Fatal(err)
	}
	if out != "table\ttrue\ttrue\tpattern\n" {
		t.Errorf("got %q", out)
	}
}

// TestTooBig checks that patterns too big to build or compile are a Lua
// error, not exhausted memory (C LPeg takes minutes or runs out of
// memory on them, so they are not in the differential scripts).
func TestTooBig(t *testing.T) {
	for _, expr := range []string{
		`lpeg.P(1e10)`,
		`lpeg.P(-1e10)`,
		`lpeg.P"ab" ^ 1e9`,
		`lpeg.P"ab" ^ -1e9`,
		`(function() local p = lpeg.P"ab"; for i = 1, 30 do p = p * p end; return lpeg.match(p, "ab") end)()`,
		`re.compile("'abc'^18088011"):match("abc")`,
	} {
		out, err := runGo(t, `local lpeg, re = require "lpeg", require "re"
			print(pcall(function() return `+expr+` end))`)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, "false") || !strings.HasSuffix(out, "pattern too big\n") {
			t.Errorf("%s: got %q", expr, out)
		}
	}
}

// TestLongLiterals checks that a long string or byte count is one node:
// P(s) for a 5 MB s and P(n) for n = 5e6 build at once and match.
func TestLongLiterals(t *testing.T) {
	out, err := runGo(t, `local lpeg = require "lpeg"
		local s = string.rep("ab", 2.5e6)
		print(lpeg.match(lpeg.P(s) * -1, s), lpeg.match(lpeg.P(5e6), s), lpeg.match(lpeg.P(-5e6), s), lpeg.match(lpeg.P(s .. "x"), s))
		print(lpeg.match(lpeg.B(lpeg.P"xab") + lpeg.P"aba" * lpeg.B"ba", "abab"), lpeg.match(lpeg.C(lpeg.P(3)), "abcd"))`)
	if err != nil {
		t.Fatal(err)
	}
	if want := "5000001\t5000001\tnil\tnil\n4\tabc\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

// TestConcurrentStates builds and matches patterns in LStates on several
// goroutines at once (one LState each): run with -race, it checks that
// the package shares nothing mutable between them.
func TestConcurrentStates(t *testing.T) {
	const script = `
		local lpeg, re = require "lpeg", require "re"
		for i = 1, 50 do
			local p = lpeg.Ct((lpeg.C(lpeg.R"az"^1) + 1)^0) * -1 + lpeg.P(true) * lpeg.P(false)
			assert(#p:match("ab cd ef") == 3)
			assert(re.match("x=1", "{%a} '=' {%d}") == "x")
			assert(lpeg.match(lpeg.P(1)^0 * lpeg.Cp(), "abc") == 4)
		end`
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			var out strings.Builder
			L := testState(&out)
			defer L.Close()
			errs <- L.DoString(script)
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
