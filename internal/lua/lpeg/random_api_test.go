package lpeg

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// apiGen writes random patterns as Lua expressions over the lpeg
// functions and operators (what re cannot write: B, Carg, Cc, Cf, Cs
// and / with functions, numbers and tables, Cb of named groups, numeric
// patterns, V in grammars).
type apiGen struct {
	r      *rand.Rand
	inGram bool
	inAnd  int // inside #p: no Cmt there (see noCmtInAnd)
}

// noCmtInAnd: C LPeg 1.0.2 keeps the values of a match-time capture
// inside an and-predicate on its Lua stack after the predicate drops the
// capture, and the next match-time capture aborts lua5.1 on the
// assertion at lpvm.c:179. The generators do not write that case.
const noCmtInAnd = true

func (g *apiGen) leaf() string {
	switch g.r.IntN(9) {
	case 0:
		return fmt.Sprintf("P%q", []string{"a", "b", "ab", "ba", "", "c"}[g.r.IntN(6)])
	case 1:
		return fmt.Sprintf("P(%d)", g.r.IntN(5)-2)
	case 2:
		return []string{`S"ab"`, `R"ac"`, `S""`, `R("aa", "cc")`}[g.r.IntN(4)]
	case 3:
		return []string{"Cp()", `Cc("k")`, "Cc(1, 2)", "Cc()", "Carg(1)"}[g.r.IntN(5)]
	case 4:
		return `Cb"n"`
	case 5:
		if g.inGram && g.inAnd == 0 { // a rule may hold Cmt
			return []string{`V"A"`, `V"B"`}[g.r.IntN(2)]
		}
		return `P"a"`
	case 6:
		return `B"a"`
	case 7:
		return "P(true)"
	}
	return "P(false)"
}

func (g *apiGen) exp(depth int) string {
	if depth > 3 {
		return g.leaf()
	}
	a := func() string { return g.exp(depth + 1) }
	switch g.r.IntN(22) {
	case 0, 1:
		return "(" + a() + " * " + a() + ")"
	case 2, 3:
		return "(" + a() + " + " + a() + ")"
	case 4:
		return "(" + a() + " - " + a() + ")"
	case 5:
		return "(-" + a() + ")"
	case 6:
		g.inAnd++
		defer func() { g.inAnd-- }()
		return "(#" + a() + ")"
	case 7:
		return fmt.Sprintf("rep(%s, %d)", a(), g.r.IntN(5)-2)
	case 8:
		return "C(" + a() + ")"
	case 9:
		return "Ct(" + a() + ")"
	case 10:
		return "Cs(" + a() + ")"
	case 11:
		return "Cg(" + a() + `, "n")`
	case 12:
		return "Cg(" + a() + ")"
	case 13:
		return "Cf(" + a() + ", fold)"
	case 14:
		return "(" + a() + ` / "<%0|%1>")`
	case 15:
		return fmt.Sprintf("(%s / %d)", a(), g.r.IntN(3))
	case 16:
		return "(" + a() + " / map)"
	case 17:
		return "(" + a() + " / fn)"
	case 18:
		if g.inAnd > 0 && noCmtInAnd {
			return "C(" + a() + ")"
		}
		return "Cmt(" + a() + ", mt)"
	case 19:
		// C LPeg 1.0.2 asserts (lpcode.c:161) when B's pattern holds a V.
		save := g.inGram
		g.inGram = false
		defer func() { g.inGram = save }()
		return "B(" + a() + ")"
	}
	return g.leaf()
}

// pattern is a random pattern expression, sometimes a two-rule grammar.
func (g *apiGen) pattern() string {
	if g.r.IntN(4) == 0 {
		g.inGram = true
		defer func() { g.inGram = false }()
		return "P{\"A\", A = " + g.exp(1) + ", B = " + g.exp(1) + "}"
	}
	return g.exp(0)
}

// TestRandomAPIDifferential builds random patterns with the lpeg
// functions and operators, matches them against random subjects under
// this package and under C LPeg, and compares results and errors
// (construction errors included).
func TestRandomAPIDifferential(t *testing.T) {
	seed := uint64(7)
	if v, err := strconv.ParseUint(os.Getenv("LPEG_RANDOM_SEED"), 10, 64); err == nil {
		seed = v
	}
	g := &apiGen{r: rand.New(rand.NewPCG(seed, 3))}
	calls := randomCalls(g.r, 2500, 7, "abc", func() string {
		return "function() return " + g.pattern() + " end"
	})
	compareRandom(t, `
local P, R, S, V, B, C, Ct, Cs, Cg, Cf, Cc, Cp, Cb, Carg, Cmt = lpeg.P, lpeg.R, lpeg.S, lpeg.V, lpeg.B, lpeg.C, lpeg.Ct, lpeg.Cs, lpeg.Cg, lpeg.Cf, lpeg.Cc, lpeg.Cp, lpeg.Cb, lpeg.Carg, lpeg.Cmt
local function rep(p, n) return p ^ n end
local function str(v) if type(v) == "table" then return "{#" .. #v .. "}" end return tostring(v) end
local function fold(a, b) return str(a) .. "," .. str(b) end
local map = {a = "A", ab = 12, [""] = "empty"}
local function fn(...) return select("#", ...), ... end
local function mt(s, i, ...) if select("#", ...) % 2 == 1 then return i, ... end return select("#", ...) == 0 end
local function try(i, build, s)
	local r = {pcall(function() return lpeg.match(build(), s, 1, "arg") end)}
	if r[1] then print(i, show(unpack(r, 2))) else print(i, "error", (tostring(r[2]):gsub("^[^:]*:%d+: ", ""))) end
end
`, calls)
}
