package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// fiveRecords returns five framed messages, alternately unsigned and signed.
func fiveRecords(t *testing.T) [][]byte {
	t.Helper()
	msgs := []struct {
		typ, logger string
		severity    int32
		status      int
	}{
		{"web.access", "nginx", 6, 200},
		{"web.access", "nginx", 6, 404},
		{"web.error", "nginx", 3, 500},
		{"heka.all-report", "hekad", 7, 0},
		{"web.access", "apache", 6, 404},
	}
	var recs [][]byte
	for i, m := range msgs {
		var fields []*fieldArg
		if m.status != 0 {
			fields = append(fields, &fieldArg{"status", m.status, "count"})
		}
		fields = append(fields, &fieldArg{"n", []int{i, i * 10}, ""})
		msg := testMessage(i, m.typ, m.logger, m.severity)
		for _, f := range fields {
			msg.AddField(field(t, f.name, f.value, f.rep))
		}
		signer := testSigner
		if i%2 == 0 {
			signer = nil
		}
		recs = append(recs, frame(t, msg, signer))
	}
	return recs
}

// fieldArg is the arguments of one field of a test message.
type fieldArg struct {
	name  string
	value any
	rep   string
}

func TestCountMatch(t *testing.T) {
	name, _ := writeRecords(t, fiveRecords(t)...)
	tests := []struct {
		match   string
		matched int
	}{
		{"TRUE", 5},
		{"FALSE", 0},
		{`Type == "web.access"`, 3},
		{`Type =~ /^web\./ && Severity < 6`, 1},
		{`Fields[status] == 404`, 2},
		{`Fields[status] == NIL`, 1},
		{`Logger != 'nginx' || Fields[n][0][1] >= 20`, 3},
		{`Uuid == '10111213-1415-1617-1819-1a1b1c1d1e1f'`, 1},
		{`Hostname == "host.example" && Pid > 1002`, 2},
	}
	for _, tc := range tests {
		t.Run(tc.match, func(t *testing.T) {
			r := runCat(t, "-format", "count", "-match", tc.match, name)
			if r.code != exitOK {
				t.Fatalf("exit %d:\n%s", r.code, r.stderr)
			}
			wantErr := fmt.Sprintf("Input:%s  Offset:0  Match:%s  Format:count  Tail:false  Output:\n", name, tc.match) +
				summary(5, tc.matched)
			if r.stderr != wantErr {
				t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, wantErr)
			}
			if r.stdout != "" {
				t.Errorf("count wrote %q to stdout", r.stdout)
			}
		})
	}
}

func TestBadMatch(t *testing.T) {
	name, _ := writeRecords(t, fiveRecords(t)...)
	tests := []struct{ match string }{
		{`Type == `},
		{`Type = 'x'`},
		{`Fields[n] == 1 && Bogus == 2`},
		{`Type =~ /(/`},
	}
	for _, tc := range tests {
		t.Run(tc.match, func(t *testing.T) {
			r := runCat(t, "-match", tc.match, name)
			if r.code != exitBadFlag {
				t.Errorf("exit %d, want %d", r.code, exitBadFlag)
			}
			if !strings.HasPrefix(r.stderr, fmt.Sprintf("heka-cat: -match %q: ", tc.match)) {
				t.Errorf("stderr does not name the expression:\n%s", r.stderr)
			}
			if !regexp.MustCompile(`(?i)(position|offset|column|byte) \d+`).MatchString(r.stderr) {
				t.Errorf("matcher error does not give the position:\n%s", r.stderr)
			}
			if strings.Contains(r.stderr, "Processed:") || r.stdout != "" {
				t.Errorf("read the input despite the bad expression:\nstdout %q\nstderr %q", r.stdout, r.stderr)
			}
		})
	}
}

func TestUnreadableInput(t *testing.T) {
	dir := t.TempDir()
	noPerm := filepath.Join(dir, "noperm.log")
	if err := os.WriteFile(noPerm, frame(t, testMessage(1, "a", "l", 6), nil), 0o000); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, prefix, cause string
		code                      int
	}{
		{"missing", filepath.Join(dir, "missing.log"), "heka-cat: open input", "no such file or directory", exitInput},
		{"directory", dir, "heka-cat: open input", "is a directory", exitInput},
		{"permission", noPerm, "heka-cat: open input", "permission denied", exitInput},
		// Opens, then fails to read: the summary, then the error.
		{"read error", "/proc/self/mem", summary(0, 0) + "heka-cat: read input", "input/output error", exitRead},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "permission" && os.Geteuid() == 0 {
				t.Skip("root reads any file")
			}
			if _, err := os.Stat(tc.path); tc.name == "read error" && err != nil {
				t.Skip(err)
			}
			r := runCat(t, tc.path)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d", r.code, tc.code)
			}
			if !strings.Contains(r.stderr, tc.prefix) ||
				!strings.Contains(r.stderr, tc.path) || !strings.Contains(r.stderr, tc.cause) {
				t.Errorf("stderr does not name the file and the cause %q:\n%s", tc.cause, r.stderr)
			}
		})
	}
}

// TestCorruptRecord checks that damage in the middle of a file is reported
// with its offset and reason and skipped, and that the rest is still read.
func TestCorruptRecord(t *testing.T) {
	recs := fiveRecords(t)
	badSep := bytes.Clone(recs[1])
	badSep[2+int(badSep[1])] = 'X' // the unit separator after the header
	badProto := frameRaw([]byte{0x0a, 0x7f, 0x01})
	garbage := []byte("no record here")

	name, offsets := writeRecords(t, recs[0], badSep, recs[2], badProto, garbage, recs[3], recs[4])
	r := runCat(t, "-format", "json", name)
	if r.code != exitOK {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	// Five intact records plus the undecodable one were processed.
	if !strings.HasSuffix(r.stderr, summary(5, 4)) {
		t.Errorf("stderr does not end with %q:\n%s", summary(5, 4), r.stderr)
	}
	if n := strings.Count(r.stdout, "\n"); n != 4 {
		t.Errorf("%d messages output, want 4:\n%s", n, r.stdout)
	}
	for _, want := range []string{
		fmt.Sprintf("Corruption detected at offset: %d bytes: %d (", offsets[1], len(badSep)),
		fmt.Sprintf("Error unmarshalling message at offset: %d error: ", offsets[3]),
		fmt.Sprintf("Corruption detected at offset: %d bytes: %d (", offsets[4], len(garbage)),
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if c := strings.Count(r.stderr, "Corruption detected"); c != 2 {
		t.Errorf("%d corruption reports, want 2:\n%s", c, r.stderr)
	}
	if !regexp.MustCompile(`Corruption detected at offset: \d+ bytes: \d+ \(\S.*\)\n`).MatchString(r.stderr) {
		t.Errorf("corruption report gives no reason:\n%s", r.stderr)
	}
}

// frameRaw frames msg as is, unsigned, whatever its content.
func frameRaw(msg []byte) []byte {
	return append([]byte{0x1e, 2, 0x08, byte(len(msg)), 0x1f}, msg...)
}

// TestMaxMessageSize checks that each record whose message exceeds
// -max-message-size is reported on its own and skipped.
func TestMaxMessageSize(t *testing.T) {
	big := testMessage(9, "big", "l", 6)
	big.SetPayload(strings.Repeat("x", 2000))
	small := testMessage(1, "small", "l", 6)
	bigRec := frame(t, big, nil)
	name, offsets := writeRecords(t, frame(t, small, nil), bigRec, bigRec, frame(t, small, nil))

	tests := []struct {
		name      string
		max       string
		processed int
		reports   []int64 // offsets of the oversize reports
	}{
		{"default", "4194304", 4, nil},
		{"just large enough", fmt.Sprint(big.Size()), 4, nil},
		{"smaller than the big ones", "1000", 2, []int64{offsets[1], offsets[2]}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCat(t, "-format", "count", "-max-message-size", tc.max, name)
			if r.code != exitOK {
				t.Fatalf("exit %d:\n%s", r.code, r.stderr)
			}
			if !strings.HasSuffix(r.stderr, summary(tc.processed, tc.processed)) {
				t.Errorf("stderr:\n%s", r.stderr)
			}
			if n := strings.Count(r.stderr, "Corruption"); n != len(tc.reports) {
				t.Errorf("%d corruption reports, want %d:\n%s", n, len(tc.reports), r.stderr)
			}
			for _, off := range tc.reports {
				report := fmt.Sprintf("Corruption detected at offset: %d bytes: %d (message too large", off, len(bigRec))
				if !strings.Contains(r.stderr, report) {
					t.Errorf("stderr lacks %q:\n%s", report, r.stderr)
				}
			}
		})
	}
}

func TestOffset(t *testing.T) {
	recs := fiveRecords(t)
	name, offsets := writeRecords(t, recs...)
	size := offsets[4] + int64(len(recs[4]))
	tests := []struct {
		name      string
		offset    int64
		processed int
		corrupt   string // expected corruption report, if any
	}{
		{"start", 0, 5, ""},
		{"third record", offsets[2], 3, ""},
		{"inside the second record", offsets[1] + 3, 3,
			fmt.Sprintf("Corruption detected at offset: %d bytes: %d (", offsets[1]+3, offsets[2]-offsets[1]-3)},
		{"end of file", size, 0, ""},
		{"past the end", size + 100, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCat(t, "-format", "json", "-offset", fmt.Sprint(tc.offset), name)
			if r.code != exitOK {
				t.Fatalf("exit %d:\n%s", r.code, r.stderr)
			}
			head := fmt.Sprintf("Input:%s  Offset:%d  Match:TRUE  Format:json  Tail:false  Output:\n", name, tc.offset)
			if !strings.HasPrefix(r.stderr, head) || !strings.HasSuffix(r.stderr, summary(tc.processed, tc.processed)) {
				t.Errorf("stderr:\n%s", r.stderr)
			}
			if got := strings.Contains(r.stderr, "Corruption"); got != (tc.corrupt != "") {
				t.Errorf("corruption reported: %v:\n%s", got, r.stderr)
			}
			if tc.corrupt != "" && !strings.Contains(r.stderr, tc.corrupt) {
				t.Errorf("stderr lacks %q:\n%s", tc.corrupt, r.stderr)
			}
			if n := strings.Count(r.stdout, "\n"); n != tc.processed {
				t.Errorf("%d messages output, want %d", n, tc.processed)
			}
			// The last messages of the file are the ones output.
			if tc.processed > 0 && !strings.Contains(r.stdout, `"payload":"payload 4"`) {
				t.Errorf("last message missing:\n%s", r.stdout)
			}
		})
	}
}

// TestHekaRoundTrip checks that -format heka writes the records exactly as
// read, signed or not, and only the matching ones.
func TestHekaRoundTrip(t *testing.T) {
	recs := fiveRecords(t)
	name, _ := writeRecords(t, recs...)
	in, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		match string
		want  []byte
	}{
		{"TRUE", in},
		{`Fields[status] == 404`, append(bytes.Clone(recs[1]), recs[4]...)},
		{"FALSE", nil},
	}
	for _, tc := range tests {
		t.Run(tc.match, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.log")
			r := runCat(t, "-format", "heka", "-match", tc.match, "-output", out, name)
			if r.code != exitOK {
				t.Fatalf("exit %d:\n%s", r.code, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("wrote %d bytes to stdout despite -output", len(r.stdout))
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("output differs from the records (%d bytes, want %d)", len(got), len(tc.want))
			}
			if !strings.Contains(r.stderr, "Output:"+out+"\n") {
				t.Errorf("startup line does not name the output:\n%s", r.stderr)
			}
		})
	}

	// The output reads back the same.
	out := filepath.Join(t.TempDir(), "out.log")
	if r := runCat(t, "-format", "heka", "-output", out, name); r.code != exitOK {
		t.Fatalf("exit %d:\n%s", r.code, r.stderr)
	}
	a, b := runCat(t, "-format", "json", name), runCat(t, "-format", "json", out)
	if a.stdout != b.stdout || a.stdout == "" {
		t.Errorf("json of the copy differs:\n%s\n%s", a.stdout, b.stdout)
	}
}
