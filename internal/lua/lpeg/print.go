package lpeg

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The debugging functions lpeg.print/ptree (the tree) and lpeg.pcode
// (the program). Their text is this package's own, not LPeg's; it is
// printed through the global print, so a sandbox that removes print
// silences them.

var tagNames = [...]string{"char", "set", "any", "true", "false", "rep", "seq", "choice",
	"not", "and", "call", "opencall", "rule", "grammar", "behind", "capture", "runtime",
	"string", "anyn"}

var capNames = [...]string{"close", "position", "const", "backref", "argument", "simple",
	"table", "function", "query", "string", "num", "substitution", "fold", "runtime", "group"}

var opNames = [...]string{"any", "char", "set", "testany", "testchar", "testset", "span",
	"behind", "ret", "end", "choice", "jmp", "call", "commit", "partial_commit",
	"back_commit", "failtwice", "fail", "fullcapture", "opencapture", "closecapture",
	"closeruntime", "string", "anyn"}

func (mod *module) lPrint(L *lua.LState) int {
	var b strings.Builder
	printTree(&b, mod.pattern(L, 1, "ptree"), 0)
	return printOut(L, b.String())
}

func (mod *module) lPcode(L *lua.LState) int {
	prog := mod.compiled(L, 1)
	var b strings.Builder
	for pc, in := range prog.code {
		fmt.Fprintf(&b, "%02d: %s", pc, opNames[in.op])
		switch in.op {
		case opChar, opTestChar:
			fmt.Fprintf(&b, " '%c'", in.aux)
		case opString:
			fmt.Fprintf(&b, " %q", prog.strs[in.idx])
		case opFullCapture, opOpenCapture:
			fmt.Fprintf(&b, " %s (idx = %d)", capNames[in.aux], in.idx)
		}
		switch in.op {
		case opTestAny, opTestChar, opTestSet, opChoice, opJmp, opCall, opCommit,
			opPartialCommit, opBackCommit:
			fmt.Fprintf(&b, " -> %d", in.off)
		case opBehind, opFullCapture, opAnyN:
			fmt.Fprintf(&b, " (n = %d)", in.off)
		}
		b.WriteByte('\n')
	}
	return printOut(L, b.String())
}

func printOut(L *lua.LState, text string) int {
	if pr, ok := L.GetGlobal("print").(*lua.LFunction); ok {
		L.Push(pr)
		L.Push(lua.LString(strings.TrimSuffix(text, "\n")))
		L.Call(1, 0)
	}
	return 0
}

func printTree(b *strings.Builder, t *node, depth int) {
	b.WriteString(strings.Repeat("  ", depth))
	b.WriteString(tagNames[t.tag])
	switch t.tag {
	case tChar:
		fmt.Fprintf(b, " '%c'", t.ch)
	case tString:
		fmt.Fprintf(b, " %q", t.str)
	case tAnyN:
		fmt.Fprintf(b, " %d", t.n)
	case tSet:
		b.WriteString(" [")
		for c := 0; c < 256; c++ {
			if t.cs.has(byte(c)) {
				fmt.Fprintf(b, "(%02x)", c)
			}
		}
		b.WriteString("]")
	case tCapture:
		fmt.Fprintf(b, " %s", capNames[t.kind])
	case tOpenCall, tRule:
		fmt.Fprintf(b, " '%s'", nameString(t.val))
	case tCall:
		fmt.Fprintf(b, " '%s'", nameString(t.p2.val))
	}
	b.WriteByte('\n')
	switch t.tag {
	case tGrammar:
		for _, r := range t.rule {
			printTree(b, r, depth+1)
		}
	case tCall:
	default:
		if t.p1 != nil {
			printTree(b, t.p1, depth+1)
		}
		if t.p2 != nil {
			printTree(b, t.p2, depth+1)
		}
	}
}
