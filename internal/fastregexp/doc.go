// Package fastregexp is a drop-in accelerator for the regular expressions
// log decoders use: Go's regexp semantics, byte for byte, with a faster
// matcher for a common subset of patterns.
//
// # The subset
//
// A pattern takes the fast path (Regexp.Fast reports true) when, as parsed by
// regexp/syntax with Perl flags, it is a sequence of items, each one of:
//
//   - a literal string, case-sensitive or case-folded ((?i) or [Aa]);
//   - a single character: a character class (\S, \d, [^"], \pL, ...),
//     '.' with or without (?s);
//   - a zero-width assertion: ^ $ \A \z (also with (?m)), \b, \B;
//   - a repeat (*, +, ?, {n}, {n,}, {n,m}, greedy or non-greedy) of a
//     single character;
//   - a capturing or non-capturing group of such a sequence, nested freely.
//
// Everything else (alternation, repeats of groups, ...) is matched by the
// standard library's regexp, which is always compiled as well and is
// available from Regexp.Std.
//
// # The equivalence guarantee
//
// Results are those of regexp: for every input, FindStringSubmatchIndex
// returns exactly what (*regexp.Regexp).FindStringSubmatchIndex returns,
// including which capture positions win under leftmost-first (Perl)
// semantics and how invalid UTF-8 is read (one byte as utf8.RuneError).
// The fast matcher is a backtracker over the item sequence, which for this
// subset is the definition of leftmost-first matching. The package's tests
// compare both matchers on a table of patterns and inputs, and a fuzz test
// (FuzzEquivalence) compares them on arbitrary patterns and inputs.
//
// # Bounded work
//
// Backtracking can be super-linear (for example (\S+)(\S+)(\S+)x). Each call
// counts its steps; past a budget proportional to the input length the call
// abandons the fast path and returns the standard library's answer, so no
// pattern costs more than a constant factor over regexp. Matching on the
// fast path does not allocate when the destination slice is large enough.
package fastregexp
