package matcher

import (
	"errors"
	"regexp/syntax"
	"strings"
	"sync"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/messagetest"
)

// hekaTestMessage builds the test message of Heka's own matcher tests: the
// §5.4 message plus a status field.
func hekaTestMessage(tb testing.TB) *message.Message {
	tb.Helper()
	m := messagetest.SpecMessage()
	field, err := message.NewField("status", int64(500), "")
	if err != nil {
		tb.Fatal(err)
	}
	m.AddField(field)
	return m
}

func TestNestingLimit(t *testing.T) {
	ok := strings.Repeat("(", maxDepth) + "TRUE" + strings.Repeat(")", maxDepth)
	m, err := Compile(ok)
	if err != nil {
		t.Fatalf("%d levels: %v", maxDepth, err)
	}
	if !m.Match(&message.Message{}) {
		t.Error("nested TRUE did not match")
	}
	tooDeep := "(" + ok + ")"
	_, err = Compile(tooDeep)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Pos != maxDepth {
		t.Fatalf("%d levels: got %v, want a syntax error at byte %d", maxDepth+1, err, maxDepth)
	}
}

func TestLongChains(t *testing.T) {
	msg := hekaTestMessage(t)
	tests := []struct {
		expr string
		want bool
	}{
		{strings.Repeat("Type == 'x' || ", 10000) + "Type == 'TEST'", true},
		{strings.Repeat("Severity == 6 && ", 10000) + "Severity == 5", false},
		{strings.Repeat("TRUE && FALSE || ", 100) + "TRUE", true},
		{"(" + strings.Repeat("FALSE || ", 100) + "TRUE) && FALSE", false},
	}
	for _, tc := range tests {
		m, err := Compile(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Match(msg); got != tc.want {
			t.Errorf("%.40q...: got %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func TestSyntaxErrorUnwrap(t *testing.T) {
	_, err := Compile(`Type =~ /a(b/`)
	var re *syntax.Error
	if !errors.As(err, &re) || re.Code != syntax.ErrMissingParen {
		t.Fatalf("got %v, want it to wrap a *syntax.Error (missing paren)", err)
	}
	_, err = Compile(`Type == bogus`)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Err != nil || errors.Unwrap(err) != nil {
		t.Fatalf("got %#v, want a SyntaxError without a cause", err)
	}
}

func TestMustCompile(t *testing.T) {
	if m := MustCompile("TRUE"); m.String() != "TRUE" {
		t.Errorf("String() = %q", m.String())
	}
	defer func() {
		r := recover()
		if _, ok := r.(*SyntaxError); !ok {
			t.Errorf("recovered %v, want a *SyntaxError", r)
		}
	}()
	MustCompile("bogus")
	t.Error("MustCompile did not panic")
}

// TestConcurrentMatch shares one Matcher between goroutines (run with
// -race).
func TestConcurrentMatch(t *testing.T) {
	m := MustCompile(`Type =~ /^TE/ && Fields[foo][1] =~ /alt/ || Uuid == 'x'`)
	msg := hekaTestMessage(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				if !m.Match(msg) {
					t.Error("no match")
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestZeroAllocs checks that every operator except a full regexp match
// (the literal regexp tests and a failed pre-check included) evaluates
// without allocating, on header variables and on fields of
// every type.
func TestZeroAllocs(t *testing.T) {
	msg := hekaTestMessage(t)
	var exprs []string
	ops := []string{"==", "!=", "<", "<=", ">", ">="}
	for _, op := range ops {
		for _, v := range []string{"Type", "Logger", "Payload", "EnvVersion", "Hostname", "Uuid", "Fields[foo]", "Fields[foo][1]", "Fields[bytes]", "Fields[missing]", "Fields[int]", "Fields[bool]"} {
			exprs = append(exprs, v+" "+op+" 'TEST'")
		}
		for _, v := range []string{"Timestamp", "Severity", "Pid", "Fields[int]", "Fields[int][0][1]", "Fields[double]", "Fields[foo]", "Fields[bytes]", "Fields[bool]", "Fields[missing]"} {
			exprs = append(exprs, v+" "+op+" 6")
		}
	}
	for _, op := range []string{"=~", "!~"} {
		for _, v := range []string{"Type", "Uuid", "Fields[foo]", "Fields[bytes]", "Fields[int]", "Fields[bool]", "Fields[missing]"} {
			exprs = append(exprs, v+" "+op+" /^TE/", v+" "+op+" /ta$/", v+" "+op+" /^/",
				v+" "+op+" /ES/", v+" "+op+" /^TEST$/", v+" "+op+" /^X(Y|Z)/")
		}
	}
	for _, v := range []string{"Fields[foo]", "Fields[bytes]", "Fields[int]", "Fields[double]", "Fields[bool]", "Fields[missing]", "Fields[int][0][5]"} {
		exprs = append(exprs, v+" == NIL", v+" != NIL", v+" == TRUE", v+" == FALSE")
	}
	exprs = append(exprs, "TRUE", "FALSE", "TRUE && FALSE || (TRUE && Type == 'TEST')",
		"Type == 'nginx' && Severity < 4", "Fields[status] == 500")
	for _, expr := range exprs {
		m, err := Compile(expr)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if n := testing.AllocsPerRun(100, func() { m.Match(msg) }); n != 0 {
			t.Errorf("%s: %v allocations per Match, want 0", expr, n)
		}
	}
}

func TestConstant(t *testing.T) {
	tests := []struct {
		expr      string
		value, ok bool
	}{
		{"TRUE", true, true},
		{"FALSE", false, true},
		{"(TRUE)", true, true},
		{"TRUE && TRUE", false, false}, // not folded: only a lone constant counts
		{"Type == 'x'", false, false},
		{"Fields[a] == TRUE", false, false},
	}
	for _, tc := range tests {
		value, ok := MustCompile(tc.expr).Constant()
		if value != tc.value || ok != tc.ok {
			t.Errorf("Constant(%q) = %v, %v; want %v, %v", tc.expr, value, ok, tc.value, tc.ok)
		}
	}
}
