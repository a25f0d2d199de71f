// Package matcher implements Heka's message matcher language, the
// message_matcher expressions that route messages to filters and outputs,
// with Heka 0.10's syntax and results, quirks included.
//
// An expression compares message variables with literals, combined with
// && (binds tighter) and || (both left-associative, short-circuit) and
// parentheses; TRUE and FALSE match everything and nothing:
//
//	Type == 'nginx' && Severity < 4
//	(Severity == 7 || Payload == "Test Payload") && Type == "test"
//	Fields[status] >= 500 || Fields[path] =~ /^\/admin/
//	Fields[foo][1][0] == 'alternate'
//	Fields[widget] != NIL
//
// Variables, always on the left:
//   - Uuid, Type, Logger, Payload, EnvVersion, Hostname: strings, compared
//     byte-wise with a quoted string (== != < <= > >=) or a /regexp/ (=~ !~).
//     An unset one is "". Uuid is its hyphenated lower-case text ("" unless
//     the uuid is 16 bytes).
//   - Timestamp, Severity, Pid: numbers, compared as float64 with a number
//     literal. An unset Severity is 7, an unset Timestamp or Pid is 0.
//   - Fields[name], Fields[name][fi], Fields[name][fi][ai]: the ai-th value of
//     the fi-th field called name (omitted indices are 0). The name is every
//     character up to the first "]"; indices are decimal.
//
// Literals, always on the right: strings in '...' or "..." (a backslash
// escapes only the enclosing quote; any other backslash is kept as is);
// numbers (digits, ".", "e", "+" and "-"; no leading minus, so negative
// literals are a syntax error; text that is not a valid float64, such as
// 1e+e, is 0, which Heka logs and this pure function cannot); regular
// expressions in /.../ with Go's RE2 syntax ("\/" is a slash, flags go
// inline as (?i)); TRUE, FALSE and NIL. /^literal/ and /literal$/ run as
// prefix and suffix tests.
//
// Field comparisons follow the field's value type. STRING and BYTES values
// compare as strings, and with TRUE or FALSE as the text "TRUE" or "FALSE";
// INTEGER and DOUBLE values compare as float64. A literal of the wrong kind
// (a number for a string, a string or regexp for a number) makes the
// comparison false. A BOOL value ignores the operator: it matches if it
// equals TRUE when the literal is TRUE, and FALSE for any other literal.
// If the field or the array index does not exist, every comparison is
// false (even !=) except == NIL; != NIL is true for any value that exists.
// NIL is allowed only after Fields[...] with == or !=, and TRUE/FALSE only
// after Fields[...] ==.
//
// Lexical details copied from Heka: spaces and tabs are the only white
// space; identifiers are ASCII letters beginning with an upper-case one.
// The expression ends at the first newline or NUL byte, and anything after
// it is ignored. Several expressions in a row ("TRUE FALSE") are accepted
// and only the last one decides.
//
// Heka's lexer also signals the end of the input when it meets an
// unknown identifier, a malformed Fields[...], an unterminated string or
// regexp, an invalid regexp, or a lone "=", "!", "|" or "&" at the end, and
// its parser accepts the expression if it is complete at that point. So
// "Bogus" and "Type == Bogus" are syntax errors but "TRUE Bogus" and
// "Type == 'x' Fields[" compile, ignoring the tail. This package does the
// same. A lone "=", "!", "|" or "&" followed by another character is
// dropped and that character lexed on its own, so "TRUE =(FALSE)" is two
// expressions. Invalid UTF-8 in literals and field names reads as U+FFFD,
// one per byte. A backslash before a newline or NUL inside a string or
// regexp keeps a backslash and a NUL and the literal continues after it.
//
// Deliberate differences from Heka: parentheses may nest at most 1000
// deep; characters U+E002 to U+E01B, which Heka's generated parser would
// mistake for its internal token numbers, are invalid characters; a
// regexp's answer is always Go regexp's (Heka chose its prefix and suffix
// tests from the text of the regexp and the Go version's
// regexp.LiteralPrefix, which today wrongly turns /^^abc$/ into a prefix
// test; reading the text also misjudges /\Qabc$/ and /^a|a/), except that,
// as in Heka, /(?m)abc$/ is a plain suffix test: the flag does not make "$"
// match before a newline.
//
// Regexps are evaluated by shape, read from the regexp/syntax tree (so
// flags, escapes, \Q...\E, alternation and captures count as they do for
// the regexp): a case-sensitive literal, possibly in captures, anchored
// at the start (^ or \A), the end ($ or \z) or both is a
// strings.HasPrefix, strings.HasSuffix or == test, and unanchored a
// strings.Contains test; literals with U+FFFD, which the regexp also reads
// from every invalid byte, are left to the regexp. Any other regexp runs
// with internal/fastregexp (Go's regexp semantics, faster on a common
// subset), after a cheap test for a literal every match must start with.
// Tests compare all of this with the regexp package, also by fuzzing.
package matcher
