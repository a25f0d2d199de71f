package lpeg

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// fuzzState is a gopher-lua state with lpeg and re loaded and a function
// try(p, s) that compiles re pattern p and matches s under pcall.
func fuzzState(t *testing.T) *lua.LState {
	L := lua.NewState()
	L.PreloadModule("lpeg", Open)
	L.PreloadModule("re", OpenRe)
	if err := L.DoString(`
		lpeg = require "lpeg"; re = require "re"
		function try(p, s)
			local ok, cp = pcall(re.compile, p, {f = function(...) return ... end, t = {a = 1}})
			if not ok then return false, cp end
			return pcall(lpeg.match, lpeg.Ct(cp), s)
		end
		function trygrammars(s)
			for i, g in ipairs(grammars) do
				local ok, err = pcall(lpeg.match, g, s)
				if not ok then return false, err end
			end
			return true
		end
	`); err != nil {
		t.Fatal(err)
	}
	return L
}

// checkNoInternalError fails t when a Lua error is a recovered Go panic.
func checkNoInternalError(t *testing.T, L *lua.LState, what string) {
	if msg := L.Get(-1).String(); strings.Contains(msg, "internal error") {
		t.Fatalf("%s: %s", what, msg)
	}
}

// FuzzMatch compiles random re patterns and matches random subjects: any
// outcome but a Go panic (or a recovered one) is fine.
func FuzzMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"{%a+} ' ' {%d+}", "abc 123"},
		{"S <- '(' S* ')'", "(()())"},
		{"{| {:k: [a-z]+ :} '=' {:v: [^,]* :} |}", "x=1,y=2"},
		{"{~ ('a' -> 'b' / .)* ~}", "banana"},
		{"({.} {.}) -> f", "ab"},
		{"{.} -> t", "a"},
		{"{:q: . :} (!=q .)* =q", "'ab'"},
		{"(''*)*", "x"},
		{"a <- a 'x'", "x"},
		{"[^]-]+ !. &'x' .^3 .^-2 .^+1", "abcdef"},
		{"{} . {} {.} => f", "xyz"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		if len(p) > 100 || len(s) > 200 {
			return
		}
		L := fuzzState(t)
		defer L.Close()
		if err := L.CallByParam(lua.P{Fn: L.GetGlobal("try"), NRet: 2, Protect: true}, lua.LString(p), lua.LString(s)); err != nil {
			t.Fatalf("re %q on %q: %v", p, s, err)
		}
		checkNoInternalError(t, L, "re "+p)
	})
}

// fuzzGrammars are the grammars FuzzSubjects feeds random subjects to.
const fuzzGrammars = `
	local P, R, S, C, Ct, Cg, Cc, Cf, Cs, V, Cb, Cmt, Cp = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Ct, lpeg.Cg, lpeg.Cc, lpeg.Cf, lpeg.Cs, lpeg.V, lpeg.Cb, lpeg.Cmt, lpeg.Cp
	local d = R"09"
	grammars = {
		P{"(" * ((1 - S"()") + V(1))^0 * ")"},
		Ct(C((1 - P",")^0) * ("," * C((1 - P",")^0))^0 * -1),
		Cf(Ct"" * Cg(C(R"az"^1) * "=" * (C(d^1) / tonumber) * P";"^-1)^0, rawset),
		Cs((P"a" / "b" + P"x" / {x = "y"} + C(d) / "%0%1" + 1)^0),
		Ct(Cg(C(1), "first") * (Cb"first" / function(c) return c end) * Cp()),
		P{"E", E = V"T" * (S"+-" * V"T")^0, T = V"F" * (S"*/" * V"F")^0, F = d^1 + "(" * V"E" * ")"} * -1,
		Cmt(C(d^1), function(s, i, n) return #n < 4, n end)^0,
		lpeg.B(P"a") + #P"b" * (1 - P"c")^-3 * Cc(1, 2),
		(P"x"^-5 * C(P(2)) / 1 + P(1))^0,
	}
`

// FuzzSubjects feeds random subjects to a set of grammars covering the
// constructors and captures: no subject may make a match panic.
func FuzzSubjects(f *testing.F) {
	for _, s := range []string{"", "(a(b)c)", "a,b,,c", "a=1;b=22", "banana x 9", "2*(3+4)", "12 345 9999", "abcc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		L := fuzzState(t)
		defer L.Close()
		L.SetGlobal("rawset", L.NewFunction(func(L *lua.LState) int {
			L.CheckTable(1).RawSet(L.CheckAny(2), L.CheckAny(3))
			L.SetTop(1)
			return 1
		}))
		if err := L.DoString(fuzzGrammars); err != nil {
			t.Fatal(err)
		}
		if err := L.CallByParam(lua.P{Fn: L.GetGlobal("trygrammars"), NRet: 2, Protect: true}, lua.LString(s)); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if L.Get(-2) != lua.LTrue {
			t.Fatalf("%q: %v", s, L.Get(-1))
		}
	})
}
