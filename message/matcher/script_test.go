package matcher

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/message"
)

// The script files in testdata/*.txt drive TestScripts. Format, one
// directive per line ("#" starts a comment line, blank lines are ignored):
//
//	message <name>          start a message definition, ended by "end"
//	  Uuid: <32 hex digits, hyphens optional>
//	  UuidRaw: "<Go-quoted bytes>"     (any length)
//	  Timestamp: <int>    Severity: <int>    Pid: <int>
//	  Type: <text>        (also Logger, Payload, EnvVersion, Hostname; the
//	                      rest of the line, or a Go-quoted string)
//	  Field: <name> <type> <value> | [<value>, ...]
//	                      name: a word or a Go-quoted string; type: string,
//	                      bytes, integer, double, bool, or type:N for a raw
//	                      value type; string/bytes values are Go-quoted
//	end
//	use <name>              select the message for the following lines
//	match <expr> -> <want>  the expression is the text between "match " and
//	                        the last " -> "
//	matchq "<Go-quoted expr>" -> <want>   for newlines, NULs, bad UTF-8
//
// <want> is true, false or error; error may be followed by @<byte offset>
// and then by a Go-quoted string the error message must contain.

type scriptCase struct {
	file    string
	line    int
	msgName string
	msg     *message.Message
	expr    string
	want    string // "true", "false" or "error"
	errPos  int    // -1: not checked
	errText string // "": not checked
}

func TestScripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no script files in testdata")
	}
	total := 0
	for _, file := range files {
		cases, err := readScript(file)
		if err != nil {
			t.Fatal(err)
		}
		total += len(cases)
		t.Run(filepath.Base(file), func(t *testing.T) {
			for _, c := range cases {
				runCase(t, c)
			}
		})
	}
	t.Logf("%d match lines in %d files", total, len(files))
}

func runCase(t *testing.T, c scriptCase) {
	t.Helper()
	where := fmt.Sprintf("%s:%d: %q", c.file, c.line, c.expr)
	m, err := Compile(c.expr)
	if c.want == "error" {
		if err == nil {
			t.Errorf("%s: compiled, want a syntax error", where)
			return
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: error %v is not a *SyntaxError", where, err)
			return
		}
		if se.Expr != c.expr || se.Pos < 0 || se.Pos > len(c.expr) {
			t.Errorf("%s: bad SyntaxError %+v", where, se)
		}
		if c.errPos >= 0 && se.Pos != c.errPos {
			t.Errorf("%s: error at byte %d, want %d (%v)", where, se.Pos, c.errPos, err)
		}
		if c.errText != "" && !strings.Contains(err.Error(), c.errText) {
			t.Errorf("%s: error %q does not contain %q", where, err, c.errText)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: %v", where, err)
		return
	}
	if m.String() != c.expr {
		t.Errorf("%s: String() = %q", where, m.String())
	}
	if c.msg == nil {
		t.Errorf("%s: no message selected (use <name>)", where)
		return
	}
	if got := strconv.FormatBool(m.Match(c.msg)); got != c.want {
		t.Errorf("%s: message %s: Match = %s, want %s", where, c.msgName, got, c.want)
	}
}

func readScript(file string) ([]scriptCase, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		cases   []scriptCase
		msgs    = map[string]*message.Message{}
		cur     *message.Message // message being defined
		curName string
		useName string
	)
	sc := bufio.NewScanner(f)
	for lineNo := 1; sc.Scan(); lineNo++ {
		line := strings.TrimSpace(sc.Text())
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", file, lineNo, fmt.Sprintf(format, args...))
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if cur != nil {
			if line == "end" {
				msgs[curName], cur = cur, nil
				continue
			}
			if err := setHeader(cur, line); err != nil {
				return nil, fail("%v", err)
			}
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		switch word {
		case "message":
			cur, curName = &message.Message{}, rest
		case "use":
			if msgs[rest] == nil {
				return nil, fail("unknown message %q", rest)
			}
			useName = rest
		case "match", "matchq":
			i := strings.LastIndex(rest, " -> ")
			if i < 0 {
				return nil, fail(`missing " -> "`)
			}
			c := scriptCase{file: file, line: lineNo, msgName: useName, msg: msgs[useName], expr: rest[:i], errPos: -1}
			if word == "matchq" {
				if c.expr, err = strconv.Unquote(c.expr); err != nil {
					return nil, fail("bad quoted expression: %v", err)
				}
			}
			if err := parseWant(&c, strings.TrimSpace(rest[i+4:])); err != nil {
				return nil, fail("%v", err)
			}
			cases = append(cases, c)
		default:
			return nil, fail("unknown directive %q", word)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, fmt.Errorf("%s: message %q has no end", file, curName)
	}
	return cases, nil
}

func parseWant(c *scriptCase, s string) error {
	want, text, _ := strings.Cut(s, " ")
	want, pos, hasPos := strings.Cut(want, "@")
	switch want {
	case "true", "false":
		if hasPos || text != "" {
			return fmt.Errorf("only error takes a position or text")
		}
	case "error":
	default:
		return fmt.Errorf("want true, false or error, not %q", want)
	}
	c.want = want
	if hasPos {
		n, err := strconv.Atoi(pos)
		if err != nil {
			return fmt.Errorf("bad error position: %v", err)
		}
		c.errPos = n
	}
	if text != "" {
		s, err := strconv.Unquote(text)
		if err != nil {
			return fmt.Errorf("bad error text: %v", err)
		}
		c.errText = s
	}
	return nil
}

// setHeader applies one "Key: value" line of a message definition.
func setHeader(m *message.Message, line string) error {
	key, val, ok := strings.Cut(line, ":")
	if !ok {
		return fmt.Errorf("want Key: value, got %q", line)
	}
	val = strings.TrimSpace(val)
	text := func() (string, error) {
		if strings.HasPrefix(val, `"`) {
			return strconv.Unquote(val)
		}
		return val, nil
	}
	var err error
	var s string
	var n int64
	switch key {
	case "Type", "Logger", "Payload", "EnvVersion", "Hostname":
		if s, err = text(); err != nil {
			return err
		}
		map[string]func(string){
			"Type": m.SetType, "Logger": m.SetLogger, "Payload": m.SetPayload,
			"EnvVersion": m.SetEnvVersion, "Hostname": m.SetHostname,
		}[key](s)
	case "Timestamp":
		if n, err = strconv.ParseInt(val, 10, 64); err == nil {
			m.SetTimestamp(n)
		}
	case "Severity", "Pid":
		if n, err = strconv.ParseInt(val, 10, 32); err == nil {
			map[string]func(int32){"Severity": m.SetSeverity, "Pid": m.SetPid}[key](int32(n))
		}
	case "Uuid":
		var b []byte
		if b, err = hex.DecodeString(strings.ReplaceAll(val, "-", "")); err == nil {
			if len(b) != message.UUIDSize {
				return fmt.Errorf("uuid %q is not 16 bytes", val)
			}
			m.SetUuid(b)
		}
	case "UuidRaw":
		if s, err = strconv.Unquote(val); err == nil {
			m.SetUuid([]byte(s))
		}
	case "Field":
		err = addField(m, val)
	default:
		return fmt.Errorf("unknown message key %q", key)
	}
	return err
}

// addField parses `<name> <type> <value>|[<value>, ...]`.
func addField(m *message.Message, spec string) error {
	name, rest, err := scriptWord(spec)
	if err != nil {
		return err
	}
	typ, rest, err := scriptWord(rest)
	if err != nil {
		return err
	}
	var vt message.ValueType
	switch typ {
	case "string":
		vt = message.ValueString
	case "bytes":
		vt = message.ValueBytes
	case "integer":
		vt = message.ValueInteger
	case "double":
		vt = message.ValueDouble
	case "bool":
		vt = message.ValueBool
	default:
		n, ok := strings.CutPrefix(typ, "type:")
		v, err := strconv.Atoi(n)
		if !ok || err != nil {
			return fmt.Errorf("unknown field type %q", typ)
		}
		vt = message.ValueType(v)
	}
	f := message.NewFieldInit(name, vt, "")
	var values []string
	if inner, ok := strings.CutPrefix(rest, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		if !ok {
			return fmt.Errorf("missing ] in %q", rest)
		}
		for strings.TrimSpace(inner) != "" {
			var v string
			if v, inner, err = scriptWord(inner); err != nil {
				return err
			}
			values = append(values, v)
			inner = strings.TrimPrefix(strings.TrimSpace(inner), ",")
		}
	} else {
		v, tail, err := scriptWord(rest)
		if err != nil {
			return err
		}
		if tail != "" {
			return fmt.Errorf("unexpected %q after the value", tail)
		}
		values = append(values, v)
	}
	for _, v := range values {
		switch vt {
		case message.ValueString:
			err = f.AddString(v)
		case message.ValueBytes:
			err = f.AddBytes([]byte(v))
		case message.ValueInteger:
			var n int64
			if n, err = strconv.ParseInt(v, 10, 64); err == nil {
				err = f.AddInteger(n)
			}
		case message.ValueDouble:
			var d float64
			if d, err = strconv.ParseFloat(v, 64); err == nil {
				err = f.AddDouble(d)
			}
		case message.ValueBool:
			var b bool
			if b, err = strconv.ParseBool(v); err == nil {
				err = f.AddBool(b)
			}
		default:
			err = fmt.Errorf("field type %v cannot hold values", vt)
		}
		if err != nil {
			return err
		}
	}
	m.AddField(f)
	return nil
}

// scriptWord returns the first word of s (a Go-quoted string, or a run of
// characters other than space and ",") and the rest of s after it.
func scriptWord(s string) (word, rest string, err error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, `"`) {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return "", "", fmt.Errorf("bad quoted string in %q: %w", s, err)
		}
		word, err = strconv.Unquote(q)
		return word, strings.TrimSpace(s[len(q):]), err
	}
	i := strings.IndexAny(s, " ,")
	if i < 0 {
		i = len(s)
	}
	if i == 0 {
		return "", "", fmt.Errorf("missing word at %q", s)
	}
	return s[:i], strings.TrimSpace(s[i:]), nil
}
