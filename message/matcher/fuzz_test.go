package matcher

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/hekad-go/hekad/message"
)

// FuzzCompile compiles arbitrary expressions: Compile must never panic, a
// failure must be a well-formed *SyntaxError, and a compiled matcher must
// keep its source and evaluate any message without panicking.
func FuzzCompile(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for _, file := range files {
		cases, err := readScript(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, c := range cases {
			f.Add(c.expr)
		}
	}
	msgs := []*message.Message{hekaTestMessage(f), {}}
	odd := &message.Message{}
	odd.SetUuid([]byte{1, 2, 3})
	for _, v := range []any{"", []byte{}, []int64{}, []float64{}, []bool{false, true}, []byte{0xff}} {
		field, err := message.NewField("", v, "")
		if err != nil {
			f.Fatal(err)
		}
		odd.AddField(field)
		field, _ = message.NewField("foo", v, "")
		odd.AddField(field)
	}
	odd.AddField(message.NewFieldInit("int", message.ValueType(42), ""))
	msgs = append(msgs, odd)

	f.Fuzz(func(t *testing.T, expr string) {
		m, err := Compile(expr)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("%q: error %v is not a *SyntaxError", expr, err)
			}
			if se.Expr != expr || se.Pos < 0 || se.Pos > len(expr) || se.Msg == "" {
				t.Fatalf("%q: malformed %#v", expr, se)
			}
			return
		}
		if m.String() != expr {
			t.Fatalf("%q: String() = %q", expr, m.String())
		}
		m2, err := Compile(m.String())
		if err != nil {
			t.Fatalf("%q: recompiling String(): %v", expr, err)
		}
		for _, msg := range msgs {
			if a, b := m.Match(msg), m2.Match(msg); a != b {
				t.Fatalf("%q: recompiled matcher disagrees: %v, %v", expr, a, b)
			}
		}
	})
}
