// Package lpeg is LPeg (Roberto Ierusalimschy's Parsing Expression
// Grammars for Lua) and its re module for gopher-lua, written in Go.
//
// # Use
//
//	L.PreloadModule("lpeg", lpeg.Open)
//	L.PreloadModule("re", lpeg.OpenRe)
//
// require "lpeg" then returns the module table and, as Lua 5.1's LPeg
// does, also sets the global lpeg; require "re" sets the global re. Both
// modules of one LState share one state: the patterns' metatable and the
// backtrack limit of lpeg.setmaxstack.
//
// # What it implements
//
// The documented API of LPeg 1.0.2 (the one Debian ships, and the
// differential oracle of the tests), which is LPeg 0.12's (Heka's) plus
// group names of any type: lpeg.P, R, S, V, B, locale, C, Carg, Cb, Cc,
// Cf, Cg, Cmt, Cp, Cs, Ct, match, type, version, setmaxstack, print (the
// pattern tree, in this package's own notation, through the global
// print) and pcode (the compiled program); patterns from strings,
// numbers, booleans, tables (grammars) and functions; the operators +, *,
// -, unary -, #, ^n and / (string, number, table and function) through
// the patterns' metatable; and the re module's compile, match, find,
// gsub and updatelocale with re.lua's syntax. Errors are Lua errors with
// LPeg's messages, raised when LPeg raises them: loops that may match
// the empty string, undefined rules and left recursion when a pattern is
// built; a rule used outside a grammar when it is first matched; capture
// errors when the captures are evaluated.
//
// # How it works
//
// A pattern is a tree (tree.go), built by the constructors and checked
// as it is built (analysis.go, grammar.go). On its first match it is
// compiled (compile.go) into a program for a parsing machine (vm.go):
// the design of LPeg's paper, "A Text Pattern-Matching Tool based on
// Parsing Expression Grammars" (SP&E 39(3), 2009), with instructions for
// bytes, sets, spans, tests, choices, commits, calls and captures. The
// machine runs over the subject without copying it and without
// allocating: it records captures as a flat list of entries, which
// backtracking truncates, and only when the match succeeds is that list
// turned into Lua values (capture.go). Match-time captures (Cmt) are the
// exception: they are evaluated, and their function called, when the
// machine reaches them.
//
// # Limits
//
// A match may use at most max(400, setmaxstack) backtrack and call
// entries ("backtrack stack overflow (current limit is N)", as LPeg);
// a pattern is at most 1M tree nodes ("pattern too big", where LPeg
// runs out of memory). SetMatchLimit optionally bounds the failures a
// match may backtrack from, for hosts that must bound the time of a
// grammar with exponential backtracking. A Go panic inside the module (a bug) is turned
// into a Lua error by each module function, so it never crashes the
// host.
package lpeg
