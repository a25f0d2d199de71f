package fastregexp

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Patterns and the line of the benchmarks: the nginx combined format as the
// PayloadRegexDecoder is usually configured, Heka's documented example, and
// the pattern of the payload plugin's tests.
const (
	nginxBench  = `^(?P<remote_addr>\S+) - (?P<remote_user>\S+) \[(?P<time_local>[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{3}) (?P<body_bytes_sent>\d+) "(?P<http_referer>[^"]*)" "(?P<http_user_agent>[^"]*)"`
	nginxHeka   = `^(?P<RemoteIP>\S+) \S+ \S+ \[(?P<Timestamp>[^\]]+)\] "(?P<Method>[A-Z]+) (?P<Url>[^\s]+)[^"]*" (?P<StatusCode>\d+) (?P<RequestSize>\d+) "(?P<Referer>[^"]*)" "(?P<Browser>[^"]*)"`
	nginxPlugin = `^(?P<remote_addr>\S+) - (?P<remote_user>\S+) \[(?P<Timestamp>[^\]]+)\] "(?P<method>[A-Z]+) (?P<path>[^ "]*) (?P<protocol>[^"]*)" (?P<status>\d{3}) (?P<body_bytes_sent>\d+) "(?P<referer>[^"]*)" "(?P<user_agent>[^"]*)"`
	nginxLine   = `192.0.2.17 - alice [03/May/2016:12:34:56 +0200] "GET /api/v1/items/12345?page=3 HTTP/1.1" 200 51234 "https://www.example.com/catalogue" "Mozilla/5.0 (X11; Linux x86_64; rv:46.0) Gecko/20100101 Firefox/46.0"`
)

// patternTests lists patterns with whether they take the fast path.
var patternTests = []struct {
	expr string
	fast bool
}{
	{nginxBench, true},
	{nginxHeka, true},
	{nginxPlugin, true},
	// Heka's documented PayloadRegexDecoder examples.
	{`^(?P<RemoteIP>\S+) \S+ (?P<User>\S+) \[(?P<Timestamp>[^\]]+)\] "(?P<Method>[A-Z]+) (?P<Url>[^\s]+)[^"]*" (?P<StatusCode>\d+) (?P<RequestSize>\d+) "(?P<Referer>[^"]*)" "(?P<Browser>[^"]*)"`, true},
	{`^(?P<Timestamp>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z) (?P<Severity>\w+) (?P<Message>.*)`, true},
	{`^(?P<Uptime>\d+) (?P<Load1>\d+\.\d+) (?P<Load5>\d+\.\d+)`, true},
	{`(?P<Timestamp>\d+/\d+/\d+ \d+:\d+:\d+) \[(?P<Severity>\w+)\] (?P<Message>.*)`, true},
	// Anchors and assertions.
	{`^abc$`, true},
	{`abc$`, true},
	{`\Aab\z`, true},
	{`(?m)^a.*$`, true},
	{`(?m)^(\w+)$`, true},
	{`(?m)$`, true},
	{`^`, true},
	{`$`, true},
	{`\bfoo\b`, true},
	{`\Bo\B`, true},
	{`\b`, true},
	{`\B`, true},
	{`x*\b`, true},
	// Empty matches and empty groups.
	{``, true},
	{`()`, true},
	{`a*`, true},
	{`(a*)(b*)`, true},
	{`(?:)x`, true},
	{`a{0}b`, true},
	// Greedy and non-greedy, counted repeats.
	{`(a+)(a+)`, true},
	{`(a+?)(a+)`, true},
	{`(a*?)(a*)`, true},
	{`(.*)=(.*)`, true},
	{`(.*?)=(.*)`, true},
	{`(.+)(\d+)`, true},
	{`(\d{2,4})(\d*)`, true},
	{`(\d{2,4}?)(\d*)`, true},
	{`(\d{3})`, true},
	{`(\d{2,})x`, true},
	{`(\d{2,}?)(\d)`, true},
	{`a??b`, true},
	{`(a?)(a?)a`, true},
	{`<(.*?)>`, true},
	{`"([^"]*)"`, true},
	{`(\S+)(\S+)(\S+)x`, true},
	// '.' and newlines.
	{`a.b`, true},
	{`(?s)a.b`, true},
	{`(.*)`, true},
	{`(?s)(.*)`, true},
	{`(?U)(a+)(a*)`, true},
	// Unicode classes and literals, case folding.
	{`(\pL+)(\PL*)`, true},
	{`(\p{Greek}+)`, true},
	{`([^\x00-\x7f]+)`, true},
	{`(é+)(.)`, true},
	{`(\x{FFFD}+)`, true},
	{`\x{FFFD}`, true},
	{`a\x{FFFD}b`, true},
	{`(?i)k`, true},
	{`(?i)(straße)`, true},
	{`(?i)[a-c]+`, true},
	{`[Kk]+`, true},
	{`[^a]`, true},
	{`[\x{D800}-\x{E000}]`, true},
	{`(?i)\x{212A}+`, true},
	{`[^\x00-\x{10FFFF}]`, true},
	{`(日本)(語*)`, true},
	{`(\w+)\s*=\s*(\w+)`, true},
	{`a(?:b(c))d`, true},
	{`((a)(b(c)))`, true},
	// Outside the subset.
	{`a|b|cd`, false},
	{`(ab)+`, false},
	{`(a)?`, false},
	{`(?:ab)*`, false},
	{`(ab|c)d`, false},
	{`(?i)(ab)+`, false},
	{`(\d)+`, false},
	{`(?:a+)?`, false},
}

// inputs is matched against every pattern of patternTests.
var inputs = []string{
	"",
	"a",
	"aaa",
	"aaab",
	"b",
	"abc",
	"xabc",
	"abc\n",
	"ab\nc",
	"a\nb",
	"a\x00b",
	"foo bar foo",
	"xfoox",
	"hello world",
	"key = value",
	"k=v=w",
	"<a><b>",
	`"quoted" text "more"`,
	"12345",
	"123456789x",
	"1/2/2016 12:34:56 [INFO] something happened",
	"2016-05-03T12:34:56.123Z INFO started ok",
	"1234 0.50 0.75",
	"one two three\nfour five",
	"\nline\n\nother\n",
	"KkK\u212a k",
	"STRASSE straße STRAßE",
	"ÀÉÎõü naïve",
	"日本語語語 text",
	"αβγ abc",
	"é\u00e9e\u0301",
	"a\xffb",
	"\xff\xfe\xfd",
	"\xe2\x82",
	"\xe2\x82\xac\xe2\x82",
	"x\xc3",
	"\xc3\xa9\xa9",
	"a\ufffdb",
	"\ufffd\xff\ufffd",
	"\xed\xa0\x80",
	"\xf4\x90\x80\x80",
	"aaaa bbbb cccc",
	nginxLine,
	nginxLine + "\n",
	"garbage " + nginxLine,
	strings.Replace(nginxLine, " 200 ", " 2000 ", 1),
	strings.Replace(nginxLine, `"GET`, `"get`, 1),
	"192.0.2.17 - alice [03/May/2016:12:34:56 +0200] \"GET /\xff\xfe HTTP/1.1\" 200 5 \"-\" \"\xc3\xa9\"",
}

// check compares r with the standard library on s.
func check(t *testing.T, r *Regexp, s string) {
	t.Helper()
	want := regexp.MustCompile(r.String()).FindStringSubmatchIndex(s)
	got := r.FindStringSubmatchIndex(s, nil)
	if !slices.Equal(got, want) {
		t.Fatalf("FindStringSubmatchIndex(%q) on %q = %v, regexp gives %v (fast %v)", r, s, got, want, r.Fast())
	}
	buf := make([]int, 0, 2*(r.NumSubexp()+1))
	if got := r.FindStringSubmatchIndex(s, buf); !slices.Equal(got, want) {
		t.Fatalf("FindStringSubmatchIndex(%q) on %q with a buffer = %v, regexp gives %v", r, s, got, want)
	}
	if got, want := r.MatchString(s), want != nil; got != want {
		t.Fatalf("MatchString(%q) on %q = %v, want %v", r, s, got, want)
	}
}

func TestEquivalence(t *testing.T) {
	for _, tc := range patternTests {
		t.Run(tc.expr, func(t *testing.T) {
			r, err := Compile(tc.expr)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			if r.Fast() != tc.fast {
				t.Errorf("Fast() = %v, want %v", r.Fast(), tc.fast)
			}
			for _, s := range inputs {
				check(t, r, s)
			}
		})
	}
}

func TestNginxCaptures(t *testing.T) {
	r := MustCompile(nginxPlugin)
	m := r.FindStringSubmatchIndex(nginxLine, nil)
	if m == nil {
		t.Fatal("no match")
	}
	want := map[string]string{
		"remote_addr":     "192.0.2.17",
		"remote_user":     "alice",
		"Timestamp":       "03/May/2016:12:34:56 +0200",
		"method":          "GET",
		"path":            "/api/v1/items/12345?page=3",
		"protocol":        "HTTP/1.1",
		"status":          "200",
		"body_bytes_sent": "51234",
		"referer":         "https://www.example.com/catalogue",
		"user_agent":      "Mozilla/5.0 (X11; Linux x86_64; rv:46.0) Gecko/20100101 Firefox/46.0",
	}
	for i, name := range r.SubexpNames() {
		if i == 0 {
			continue
		}
		if got := nginxLine[m[2*i]:m[2*i+1]]; got != want[name] {
			t.Errorf("%s = %q, want %q", name, got, want[name])
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for _, expr := range []string{`(`, `a**`, `x{1001}`, `\8`, "\xff", `a{2,1}`, `[z-a]`} {
		t.Run(expr, func(t *testing.T) {
			_, err := Compile(expr)
			_, want := regexp.Compile(expr)
			if err == nil || want == nil || err.Error() != want.Error() {
				t.Fatalf("Compile error %v, regexp gives %v", err, want)
			}
		})
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("MustCompile(`(`) did not panic")
		}
	}()
	MustCompile(`(`)
}

func TestAccessors(t *testing.T) {
	r := MustCompile(nginxBench)
	std := regexp.MustCompile(nginxBench)
	if r.String() != nginxBench || r.Std().String() != nginxBench {
		t.Errorf("String() = %q, Std().String() = %q", r.String(), r.Std().String())
	}
	if r.NumSubexp() != std.NumSubexp() || !slices.Equal(r.SubexpNames(), std.SubexpNames()) {
		t.Errorf("subexps %d %q, regexp %d %q", r.NumSubexp(), r.SubexpNames(), std.NumSubexp(), std.SubexpNames())
	}
}

func TestZeroAllocs(t *testing.T) {
	for _, expr := range []string{nginxBench, nginxHeka, nginxPlugin} {
		r := MustCompile(expr)
		buf := make([]int, 0, 2*(r.NumSubexp()+1))
		for _, s := range []string{nginxLine, "no match here"} {
			var m []int
			if n := testing.AllocsPerRun(100, func() {
				m = r.FindStringSubmatchIndex(s, buf)
				_ = r.MatchString(s)
			}); n != 0 {
				t.Errorf("%q on %q: %v allocs per run, want 0", expr, s, n)
			}
			if (m != nil) != (s == nginxLine) {
				t.Errorf("%q on %q: match %v", expr, s, m)
			}
		}
	}
}

// TestBudgetFallback checks that patterns which backtrack super-linearly
// make the fast matcher give up, and that the answer is still regexp's.
func TestBudgetFallback(t *testing.T) {
	long := strings.Repeat("a", 5000)
	tests := []struct {
		name, expr, input string
		exhaust           bool // the fast matcher must run out of budget
	}{
		{"three plus no x", `(\S+)(\S+)(\S+)x`, long, true},
		{"three plus x at end", `(\S+)(\S+)(\S+)x`, long + "x", false},
		{"unanchored digits", `(\d+)x`, strings.Repeat("1", 5000), true},
		{"dot star pairs", `^(.*)x(.*)y`, strings.Repeat("x", 3000), true},
		{"lazy", `(a*?)(a*?)(a*?)b`, long, true},
		{"long line", `^(\S+) (.*)$`, strings.Repeat("ab ", 5000), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := MustCompile(tc.expr)
			if !r.Fast() {
				t.Fatalf("%q is not on the fast path", tc.expr)
			}
			if _, ok := r.find(tc.input, nil); ok == tc.exhaust {
				t.Fatalf("fast matcher finished: %v, want %v", ok, !tc.exhaust)
			}
			check(t, r, tc.input)
		})
	}
}

// TestConcurrent shares one Regexp between goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	r := MustCompile(nginxPlugin)
	want := regexp.MustCompile(nginxPlugin).FindStringSubmatchIndex(nginxLine)
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for range 4 {
		wg.Go(func() {
			dst := make([]int, 0, len(want))
			for range 200 {
				if got := r.FindStringSubmatchIndex(nginxLine, dst); !slices.Equal(got, want) {
					errs <- fmt.Sprintf("got %v, want %v", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
