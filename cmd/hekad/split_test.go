package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRegexSplitterEndToEnd: multi-line records introduced by a date,
// cut by a RegexSplitter over a real TCP connection, reach a file whole,
// each starting with its date.
func TestRegexSplitterEndToEnd(t *testing.T) {
	addr := freePort(t)
	out := filepath.Join(t.TempDir(), "records.log")
	p := startHekad(t, fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[in]
type = "TcpInput"
address = %q
splitter = "dated"
decoder = ""

[dated]
type = "RegexSplitter"
delimiter = '\n(\d{4}-\d\d-\d\d )'
delimiter_eol = false
deliver_incomplete_final = true

[out]
type = "FileOutput"
message_matcher = "Type == 'in'"
path = %q
encoder = "PayloadEncoder"

[PayloadEncoder]
append_newlines = true
`, addr, out))
	p.waitListening(addr)
	var sent strings.Builder
	var want []string
	for i := range 200 {
		rec := fmt.Sprintf("2026-12-%02d record %d\n  detail a\n  detail b", 1+i%28, i)
		want = append(want, rec)
		sent.WriteString(rec + "\n")
	}
	send(t, addr, []byte(sent.String()))
	waitFor(t, 30*time.Second, "every record", func() bool { return countLines(out) >= 3*200 })
	if code := p.stop(); code != 0 {
		t.Fatalf("exit code %d\n%s", code, p.Stderr())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// The last record is delivered at the end of the stream with its
	// trailing newline (deliver_incomplete_final).
	if g, w := string(got), strings.Join(want, "\n")+"\n\n"; g != w {
		t.Errorf("file holds:\n%.400s\nwant:\n%.400s", g, w)
	}
}
