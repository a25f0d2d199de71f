package matcher

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/message"
)

// TestRegexModes pins which evaluation each shape of regexp gets.
func TestRegexModes(t *testing.T) {
	tests := []struct {
		expr  string
		mode  reMode
		lit   string // the literal, or reFull's pre-check
		start bool   // reFull: the pre-check is a prefix test
	}{
		{`^BENCH-END`, rePrefix, "BENCH-END", false},
		{`\ABENCH-END`, rePrefix, "BENCH-END", false},
		{`^^abc`, rePrefix, "abc", false},
		{`^a\.b\/c`, rePrefix, "a.b/c", false},
		{`^\QA.B\E`, rePrefix, "A.B", false},
		{`^(abc)`, rePrefix, "abc", false},
		{`^(?s)abc`, rePrefix, "abc", false},
		{`^`, rePrefix, "", false},
		{`END$`, reSuffix, "END", false},
		{`END\z`, reSuffix, "END", false},
		{`$`, reSuffix, "", false},
		{`(?m)abc$`, reSuffix, "abc", false}, // Heka's quirk
		{`abc(?m)$`, reSuffix, "abc", false}, // Heka's quirk
		{`(?m)$`, reSuffix, "", false},       // Heka's quirk (same answer as the regexp)
		{`BENCH-END`, reContains, "BENCH-END", false},
		{`a\.b`, reContains, "a.b", false},
		{`(?:a)(b)c`, reContains, "abc", false},
		{``, reContains, "", false},
		{`^BENCH-END$`, reExact, "BENCH-END", false},
		{`\Aabc\z`, reExact, "abc", false},
		{`^^abc$$`, reExact, "abc", false},
		{`^$`, reExact, "", false},
		// The regexp, with a pre-check where one is known.
		{`^BENCH-(END|STOP)$`, reFull, "BENCH-", true},
		{`^heka\.(sandbox|counter)-output$`, reFull, "heka.", true},
		{`^abc+`, reFull, "ab", true},
		{`^(abc)+x`, reFull, "abc", true},
		{`^(?m)abc$`, reFull, "abc", true},
		{`BENCH-(END|STOP)`, reFull, "BENCH-", false},
		{`[Tt]EST`, reFull, "", false},
		{`abc\d`, reFull, "", false}, // fastregexp searches for "abc" itself
		{`^a|a`, reFull, "", false},
		{`a|a$`, reFull, "a", false}, // parsed as a(?:|$)
		{`\Qabc$`, reContains, "abc$", false},
		{`abc\Q$`, reContains, "abc$", false},
		{`(?i)^abc`, reFull, "", true},
		{`^(?i)abc`, reFull, "", true},
		{`(?m)^abc`, reFull, "", false},
		{`(?m)(abc)$`, reFull, "", false},
		{"^\uFFFD", reFull, "", true},
		{"^ab\uFFFDc+", reFull, "ab", true},
		{"\uFFFD$", reFull, "", false},
	}
	for _, tc := range tests {
		r, err := compileRegex(tc.expr)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		if r.mode != tc.mode || r.lit != tc.lit || (r.mode == reFull && r.start != tc.start) {
			t.Errorf("%q: mode %d, lit %q, start %v; want %d, %q, %v", tc.expr, r.mode, r.lit, r.start, tc.mode, tc.lit, tc.start)
		}
	}
}

// regexCases are patterns that look like literals, or nearly, and the
// subjects that tell them apart.
var regexCases = []struct {
	exprs    []string
	subjects []string
}{
	{
		exprs: []string{`^abc`, `abc$`, `abc`, `^abc$`, `\Aabc`, `abc\z`, `\Aabc\z`, `^^abc`, `abc$$`, `^^abc$$`,
			`^(abc)`, `(abc)$`, `^(a)(b)(c)$`, `^(?:abc)$`, `(?s)^abc`, `(?U)abc$`, `^abc(?i)`, `^(?i)abc`,
			`(?i)abc`, `(?i)^ABC$`, `(?m)^abc`, `^(?m)abc$`, `(?m)^abc$`, `^abc|abc`, `abc|abc$`, `^a|a`, `^abc|^abd`,
			`^ab[c]`, `^ab[cd]`, `^abc+`, `^abc*`, `^abc?`, `^(abc)+`, `^(abc){2}`, `^(abc){0}x`, `abc.`, `(?s)abc.`,
			`\Qabc$`, `abc\Q$`, `\Q^abc`, `^\Qabc\E$`, `abc\$`, `\^abc`, `a\.c`, `a.c`, `^a\/c`, `^\x61bc`, `^\141bc`,
			`^`, `$`, `^$`, ``, `(?:)`, `^(?:)$`, `a^`, `$a`, `a\b`, `^\babc`},
		subjects: []string{"", "abc", "abcd", "xabc", "xabcx", "abc\n", "\nabc", "x\nabc\ny", "ABC", "aBc",
			"abcabc", "abd", "ab", "a.c", "a/c", "a\nc", "^abc", "abc$", "abc$x", "xabc$"},
	},
	{
		exprs: []string{"^é", "é$", "é", "^é$", "^\u00e9t", "^\uFFFD", "\uFFFD$", "\uFFFD", "^\uFFFD$", "^a\uFFFDb",
			"(\uFFFD)", "^\\x{FFFD}", "^ε", "(?i)^é", "^\\xff", "^\\C"},
		subjects: []string{"", "é", "xé", "éx", "\xff", "a\xffb", "\xc3", "\xc3\xa9", "e\u0301", "\uFFFD", "É",
			"ÿ", "\xe9", "Ε", "ε"},
	},
}

// TestRegexEquivalence compares every evaluation path with regexp on the
// table, then the same through whole expressions on a Payload, a BYTES
// field and the Uuid.
func TestRegexEquivalence(t *testing.T) {
	for _, group := range regexCases {
		for _, expr := range group.exprs {
			for _, s := range group.subjects {
				checkRegex(t, expr, s)
			}
		}
	}
}

// TestRegexExpressions runs regexps through Compile, with Heka's /.../
// escapes, on a Payload, a STRING field, a BYTES field and the Uuid, with
// =~ and !~.
func TestRegexExpressions(t *testing.T) {
	tests := []struct {
		re      string // between the slashes of the expression
		goRe    string // the same for regexp
		subject string
	}{
		{`^a\/b`, `^a/b`, "a/b/c"},
		{`a\/b$`, `a/b$`, "c/a/b"},
		{`^a\/b$`, `^a/b$`, "a/b"},
		{`a\/b`, `a/b`, "xa/by"},
		{`a\.b`, `a\.b`, "xa/by"},
		{`^^x`, `^^x`, "xy"},
		{`^^x$`, `^^x$`, "x"},
		{`^BENCH-END`, `^BENCH-END`, benchLine},
		{`^BENCH-END`, `^BENCH-END`, "BENCH-END 4000000"},
		{`^BENCH-(END|STOP)$`, `^BENCH-(END|STOP)$`, "BENCH-STOP"},
		{`^BENCH-(END|STOP)$`, `^BENCH-(END|STOP)$`, "BENCH-"},
		{`(?i)^bench`, `(?i)^bench`, "BENCH"},
		{`^6ba7b810-9dad`, `^6ba7b810-9dad`, ""},
		{`80b4`, `80b4`, ""},
		{`00c04fd430c8$`, `00c04fd430c8$`, ""},
		{`^6ba7b810-9dad-11d1-80b4-00c04fd430c8$`, `^6ba7b810-9dad-11d1-80b4-00c04fd430c8$`, ""},
		{`^6ba7b810-[0-9a-f]{4}-`, `^6ba7b810-[0-9a-f]{4}-`, ""},
		{`^6ba7b810-(9dad|x)`, `^6ba7b810-(9dad|x)`, ""},
		{`^6ba7b811`, `^6ba7b811`, ""},
	}
	uuid := []byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	const uuidText = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
	for _, tc := range tests {
		msg := &message.Message{}
		msg.SetPayload(tc.subject)
		msg.SetUuid(uuid)
		for _, v := range []any{tc.subject, []byte(tc.subject)} {
			f, err := message.NewField("f", v, "")
			if err != nil {
				t.Fatal(err)
			}
			msg.AddField(f)
		}
		std := regexp.MustCompile(tc.goRe)
		for _, v := range []struct{ name, subject string }{{"Payload", tc.subject}, {"Fields[f]", tc.subject}, {"Fields[f][1]", tc.subject}, {"Uuid", uuidText}} {
			want := std.MatchString(v.subject)
			for _, op := range []string{"=~", "!~"} {
				expr := v.name + " " + op + " /" + tc.re + "/"
				m, err := Compile(expr)
				if err != nil {
					t.Fatalf("%s: %v", expr, err)
				}
				if got := m.Match(msg); got != (want == (op == "=~")) {
					t.Errorf("%s on %q: got %v, regexp.MatchString = %v", expr, v.subject, got, want)
				}
			}
		}
	}
}

// checkRegex fails t unless the matcher's evaluation of expr on s is
// regexp's: on a string, on bytes and (for literal modes) in place. The
// one allowed difference is Heka's (?m) suffix quirk, and then the answer
// must be that of the regexp with "$" read as \z.
func checkRegex(t *testing.T, expr, s string) {
	t.Helper()
	std, stdErr := regexp.Compile(expr)
	r, err := compileRegex(expr)
	if (err == nil) != (stdErr == nil) {
		t.Fatalf("%q: compileRegex error %v, regexp.Compile error %v", expr, err, stdErr)
	}
	if err != nil {
		return
	}
	want := std.MatchString(s)
	if r.mode == reSuffix && isMultilineSuffix(expr) {
		want = regexp.MustCompile(expr[:len(expr)-1] + `\z`).MatchString(s)
	}
	if got := r.matchString(s); got != want {
		t.Fatalf("%q on %q: matchString = %v, want %v (mode %d, lit %q)", expr, s, got, want, r.mode, r.lit)
	}
	if got := r.match([]byte(s)); got != want {
		t.Fatalf("%q on %q: match = %v, want %v (mode %d, lit %q)", expr, s, got, want, r.mode, r.lit)
	}
	if r.mode != reFull {
		if got := r.matchLit([]byte(s)); got != want {
			t.Fatalf("%q on %q: matchLit = %v, want %v (mode %d, lit %q)", expr, s, got, want, r.mode, r.lit)
		}
	}
}

// isMultilineSuffix reports whether expr's tree ends with a "$" under
// (?m), the only shape where Heka's quirk may apply.
func isMultilineSuffix(expr string) bool {
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil || !strings.HasSuffix(expr, "$") {
		return false
	}
	subs := concatSubs(tree)
	return subs[len(subs)-1].Op == syntax.OpEndLine
}

// FuzzRegexEquivalence compiles arbitrary patterns and matches arbitrary
// subjects with both the matcher's regexp evaluation and regexp.
func FuzzRegexEquivalence(f *testing.F) {
	for _, group := range regexCases {
		for i, expr := range group.exprs {
			f.Add(expr, group.subjects[i%len(group.subjects)])
		}
	}
	f.Add(`^BENCH-END`, benchLine)
	f.Add(`^heka\.(sandbox|counter)-output$`, "heka.sandbox-output")
	f.Fuzz(func(t *testing.T, expr, s string) {
		if len(expr) > 200 {
			return // bounded compile time; length adds no new shape
		}
		checkRegex(t, expr, s)
	})
}
