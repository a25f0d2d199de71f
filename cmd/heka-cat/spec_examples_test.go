package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/hekad-go/hekad/message"
	"github.com/hekad-go/hekad/message/messagetest"
)

// specUUID is the uuid of the reference's test message.
const specUUID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"

// specMessage returns the test message of the reference's matcher examples
// (heka-reference.md §5.4), the one message/matcher/testdata/heka.txt
// describes, built with the message API.
func specMessage(t *testing.T) *message.Message {
	t.Helper()
	m := messagetest.SpecMessage()
	if got := m.GetUuidString(); got != specUUID {
		t.Fatalf("uuid %q, want %q", got, specUUID)
	}
	return m
}

// otherMessages returns the messages that follow the test message in the
// mixed file:
//
//	heartbeat: Timestamp, Type "heartbeat", Logger "GoSpec"; no uuid, no
//	           severity (so 7), no payload, env version, hostname, pid or
//	           fields
//	nginx 500: Type "nginx", Logger "nginx.access", Severity 3, Payload
//	           "GET /broken 500", Hostname "web1", Pid 77,
//	           Fields[status]=500 (integer), Fields[foo]="baz"
//	nginx 200: Type "nginx", Logger "nginx.access", Severity 6, Payload
//	           "GET / 200", Hostname "web1", Pid 77, Fields[status]=200
//
// None of them sets EnvVersion, so theirs compares as "".
func otherMessages(t *testing.T) []*message.Message {
	t.Helper()
	heartbeat := new(message.Message)
	heartbeat.SetTimestamp(1428773427000000000)
	heartbeat.SetType("heartbeat")
	heartbeat.SetLogger("GoSpec")

	nginx := func(i int, severity int32, status int, payload string) *message.Message {
		m := new(message.Message)
		var u [message.UUIDSize]byte
		for j := range u {
			u[j] = byte(0x11 * (i + j))
		}
		m.SetUuid(u[:])
		m.SetTimestamp(1428773428000000000 + int64(i))
		m.SetType("nginx")
		m.SetLogger("nginx.access")
		m.SetSeverity(severity)
		m.SetPayload(payload)
		m.SetHostname("web1")
		m.SetPid(77)
		m.AddField(field(t, "status", status, "count"))
		return m
	}
	n500 := nginx(1, 3, 500, "GET /broken 500")
	n500.AddField(field(t, "foo", "baz", ""))
	n200 := nginx(2, 6, 200, "GET / 200")
	return []*message.Message{heartbeat, n500, n200}
}

// writeMessages writes the messages, marshalled and framed unsigned, to a
// new file and returns its name.
func writeMessages(t *testing.T, msgs ...*message.Message) string {
	t.Helper()
	recs := make([][]byte, len(msgs))
	for i, m := range msgs {
		recs[i] = frame(t, m, nil)
	}
	name, _ := writeRecords(t, recs...)
	return name
}

// specCase is one matcher expression of §5.4 with what heka-cat counts: spec
// is its result on the test message alone (as decided in
// message/matcher/testdata/heka.txt), mixed the number of the four messages
// of the mixed file it matches.
type specCase struct {
	expr  string
	spec  bool
	mixed int
}

// specCases are every example of §5.4, in the order of heka.txt, then the
// real-world ones and a few about the other messages of the mixed file.
var specCases = []specCase{
	// Documentation examples (table rows 1-8).
	{`Type == "test" && Severity == 6`, false, 0},
	{`(Severity == 7 || Payload == "Test Payload") && Type == "test"`, false, 0},
	{`Fields[foo] != "bar"`, false, 1}, // nginx 500 (baz); false where foo is missing
	{`Fields[foo][1][0] == 'alternate'`, true, 1},
	{`Fields[MyBool] == TRUE`, false, 0},
	{`TRUE`, true, 4},
	{`Fields[widget] != NIL`, false, 0},
	{`FALSE`, false, 0},
	{`Fields[created] =~ /%TIMESTAMP%/`, false, 0},
	{`Fields[Timestamp] =~ /%TIMESTAMP%/`, false, 0},

	// Negative examples (rows 9-24); the others may still match.
	{`Type == 'test'&&(Severity==7||Payload=='Test Payload')`, false, 0},
	{`EnvVersion == '0.9'`, false, 0},
	{`EnvVersion != '0.8'`, false, 3}, // "" != '0.8'
	{`EnvVersion > '0.9'`, false, 0},
	{`EnvVersion >= '0.9'`, false, 0},
	{`EnvVersion < '0.8'`, false, 3}, // "" < '0.8'
	{`EnvVersion <= '0.7'`, false, 3},
	{`Severity == 5`, false, 0},
	{`Severity != 6`, false, 2}, // heartbeat (7), nginx 500 (3)
	{`Severity < 6`, false, 1},
	{`Severity <= 5`, false, 1},
	{`Severity > 6`, false, 1}, // heartbeat: unset severity is 7
	{`Severity >= 7`, false, 1},
	{`Fields[foo] == 'ba'`, false, 0},
	{`Fields[foo][1] == 'bar'`, false, 0},
	{`Fields[foo][0][1] == 'bar'`, false, 0},
	{`Fields[bool] == FALSE`, false, 0},
	{`Type =~ /Test/`, false, 0},
	{`Type !~ /TEST/`, false, 3},
	{`Payload =~ /^Payload/`, false, 0},
	{`Type == "te'st"`, false, 0},
	{`Type == 'te"st'`, false, 0},
	{`Fields[int] =~ /999/`, false, 0},
	{`Fields[zero] == "0"`, false, 0},
	{`Fields[string] == 43`, false, 0},
	{`Fields[int] == NIL`, false, 3},
	{`Fields[int][0][1] == NIL`, false, 3},
	{`Fields[missing] != NIL`, false, 0},
	{`Type =~ /^te/`, false, 0},
	{`Type =~ /st$/`, false, 0},
	{`Type !~ /^TE/`, false, 3},
	{`Type !~ /ST$/`, false, 3},
	{`Logger =~ /./ && Type =~ /^anything/`, false, 0},

	// Positive examples (rows 25-39).
	{`(Severity == 7 || Payload == 'Test Payload') && Type == 'TEST'`, true, 1},
	{`EnvVersion == "0.8"`, true, 1},
	{`EnvVersion == '0.8'`, true, 1},
	{`EnvVersion != '0.9'`, true, 4},
	{`EnvVersion > '0.7'`, true, 1},
	{`EnvVersion >= '0.8'`, true, 1},
	{`EnvVersion < '0.9'`, true, 4},
	{`EnvVersion <= '0.8'`, true, 4},
	{`Hostname != ''`, true, 3}, // not the heartbeat
	{`Logger == 'GoSpec'`, true, 2},
	{`Pid != 0`, true, 3},
	{`Severity != 5`, true, 4},
	{`Severity < 7`, true, 3},
	{`Severity <= 6`, true, 3},
	{`Severity == 6`, true, 2},
	{`Severity > 5`, true, 3},
	{`Severity >= 6`, true, 3},
	{`Timestamp > 0`, true, 4},
	{`Type != 'test'`, true, 4},
	{`Type == 'TEST' && Severity == 6`, true, 1},
	{`Type == 'test' && Severity == 7 || Payload == 'Test Payload'`, true, 1},
	{`Type == 'TEST'`, true, 1},
	{`Type == 'foo' || Type == 'bar' || Type == 'TEST'`, true, 1},
	{`Uuid == '` + specUUID + `'`, true, 1},
	{`Fields[foo] == 'bar'`, true, 1},
	{`Fields[foo][0] == 'bar'`, true, 1},
	{`Fields[foo][0][0] == 'bar'`, true, 1},
	{`Fields[foo][1] == 'alternate'`, true, 1},
	{`Fields[foo][1][0] == 'alternate'`, true, 1},
	{`Fields[bytes] == 'data'`, true, 1},
	{`Fields[int] == 999`, true, 1},
	{`Fields[int][0][1] == 1024`, true, 1},
	{`Fields[double] == 99.9`, true, 1},
	{`Fields[bool] == TRUE`, true, 1},
	{`Type =~ /TEST/`, true, 1},
	{`Type !~ /bogus/`, true, 4},
	{`Type =~ /TEST/ && Payload =~ /Payload/`, true, 1},
	{`Fields[foo][1] =~ /alt/`, true, 1},
	{`Fields[Payload] =~ /name=\w+/`, true, 1},
	{`Type =~ /(ST)/`, true, 1},
	{`Fields[int] != NIL`, true, 1},
	{`Fields[int][0][1] != NIL`, true, 1},
	{`Fields[int][0][2] == NIL`, true, 4},
	{`Fields[missing] == NIL`, true, 4},
	{`Type =~ /^TE/`, true, 1},
	{`Type =~ /ST$/`, true, 1},
	{`Type !~ /^te/`, true, 4},
	{`Type !~ /st$/`, true, 4},
	{`Fields[number] == 64 && Severity == 6`, true, 1},

	// Real-world expressions.
	{`Type == 'heka.sandbox-output' && Fields[payload_type] == 'alert'`, false, 0},
	{`Type != 'heka.counter-output'`, true, 4},
	{`Type == 'heka.all-report'`, false, 0},
	{`Logger == 'TestWebserver'`, false, 0},
	{`Type !~ /^heka/`, true, 4},
	{`Type == 'heka.control.sandbox'`, false, 0},

	// The other messages of the mixed file.
	{`Type == 'nginx' && Severity < 4`, false, 1},
	{`Fields[status] == 500`, false, 1},
	{`Fields[status] >= 200 && Fields[status] < 500`, false, 1},
	{`Fields[status] != NIL`, false, 2},
	{`Uuid == ''`, false, 1}, // the heartbeat has none
	{`Severity == 7`, false, 1},
	{`Payload == '' && Hostname == '' && Pid == 0`, false, 1},
	{`Type == 'nginx' && Fields[foo] == 'baz' || Type == 'heartbeat'`, false, 2},
}

// specMalformed are the malformed expressions of §5.4, each with the byte
// offset of the error that message/matcher/testdata/heka.txt decided.
var specMalformed = []struct {
	expr string
	pos  int
}{
	{``, 0},
	{`bogus`, 0},
	{`Type = 'test'`, 5},
	{`Pid == 'test='`, 7},
	{`Type == 'test' && (Severity==7 || Payload == 'Test Payload'`, 59},
	{`Invalid == 'bogus'`, 0},
	{`Fields[]`, 0},
	{`Fields[test][]`, 0},
	{`Fields[test][a]`, 0},
	{`Fields[test][0][]`, 0},
	{`Fields[test][0][a]`, 0},
	{`Fields[test][0][0][]`, 18},
	{`Fields[test][xxxx`, 0},
	{`Pid =~ /6/`, 4},
	{`Pid !~ /6/`, 4},
	{`Type =~ /test`, 8},
	{`Type == /test/`, 8},
	{`Type =~ 'test'`, 8},
	{`Type =~ /\ytest/`, 8},
	{`Type != 'test"`, 8},
	{`Pid =~ 6`, 4},
	{`NIL`, 0},
	{`Type == NIL`, 8},
	{`Fields[test] > NIL`, 15},
}

// TestSpecExamples runs heka-cat -format count with every matcher example of
// the reference over a file holding only its test message and over a file
// holding it and three other messages, and checks the counts it reports.
func TestSpecExamples(t *testing.T) {
	spec := specMessage(t)
	specFile := writeMessages(t, spec)
	mixedFile := writeMessages(t, append([]*message.Message{spec}, otherMessages(t)...)...)

	for _, tc := range specCases {
		t.Run(tc.expr, func(t *testing.T) {
			want := 0
			if tc.spec {
				want = 1
			}
			for _, in := range []struct {
				name               string
				processed, matched int
			}{
				{specFile, 1, want},
				{mixedFile, 4, tc.mixed},
			} {
				r := runCat(t, "-format", "count", "-match", tc.expr, in.name)
				if r.code != exitOK {
					t.Fatalf("%s: exit %d:\n%s", in.name, r.code, r.stderr)
				}
				wantErr := fmt.Sprintf("Input:%s  Offset:0  Match:%s  Format:count  Tail:false  Output:\n", in.name, tc.expr) +
					summary(in.processed, in.matched)
				if r.stderr != wantErr {
					t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, wantErr)
				}
				if r.stdout != "" {
					t.Errorf("count wrote %q to stdout", r.stdout)
				}
			}
		})
	}
}

// TestSpecMalformed checks that heka-cat refuses each malformed expression
// of the reference with exit status 2 and the byte offset of the error,
// without reading the input.
func TestSpecMalformed(t *testing.T) {
	name := writeMessages(t, specMessage(t))
	for _, tc := range specMalformed {
		t.Run(fmt.Sprintf("%q", tc.expr), func(t *testing.T) {
			r := runCat(t, "-format", "count", "-match", tc.expr, name)
			if r.code != exitBadFlag {
				t.Errorf("exit %d, want %d:\n%s", r.code, exitBadFlag, r.stderr)
			}
			prefix := fmt.Sprintf("heka-cat: -match %q: matcher: syntax error at byte %d: ", tc.expr, tc.pos)
			if !strings.HasPrefix(r.stderr, prefix) {
				t.Errorf("stderr:\n%s\nwant it to start with:\n%s", r.stderr, prefix)
			}
			if strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("want a one-line error, got:\n%s", r.stderr)
			}
			if strings.Contains(r.stderr, "Processed:") || r.stdout != "" {
				t.Errorf("read the input despite the bad expression:\nstdout %q\nstderr %q", r.stdout, r.stderr)
			}
		})
	}
}

// TestSpecExamplesBinary passes a few of the examples, quotes and all, to
// the built heka-cat as a process.
func TestSpecExamplesBinary(t *testing.T) {
	spec := specMessage(t)
	name := writeMessages(t, append([]*message.Message{spec}, otherMessages(t)...)...)
	tests := []struct {
		expr    string
		code    int
		matched int    // when code is 0
		errText string // when code is not 0
	}{
		{`Type == 'test' && Severity == 7 || Payload == 'Test Payload'`, exitOK, 1, ""},
		{`Type == 'nginx' && Severity < 4`, exitOK, 1, ""},
		{`Fields[Payload] =~ /name=\w+/`, exitOK, 1, ""},
		{`Type == "te'st"`, exitOK, 0, ""},
		{`Type != 'test"`, exitBadFlag, 0, "syntax error at byte 8: "},
		{``, exitBadFlag, 0, "syntax error at byte 0: "},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.expr), func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), catBin, "-format", "count", "-match", tc.expr, name)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if cmd.ProcessState == nil {
				t.Fatalf("heka-cat did not run: %v", err)
			}
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s", code, tc.code, stderr.String())
			}
			if tc.code == exitOK {
				if !strings.HasSuffix(stderr.String(), summary(4, tc.matched)) {
					t.Errorf("stderr does not end with %q:\n%s", summary(4, tc.matched), stderr.String())
				}
			} else if !strings.Contains(stderr.String(), tc.errText) {
				t.Errorf("stderr does not contain %q:\n%s", tc.errText, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}
