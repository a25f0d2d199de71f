package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrintsStreams resolves a configuration's streams from real files.
func TestPrintsStreams(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	os.Mkdir(logs, 0o755)
	for _, f := range []string{"access.log", "access.log.1", "access.log.2", "error.log", "other.txt"} {
		os.WriteFile(filepath.Join(logs, f), []byte("x\n"), 0o644)
	}
	conf := filepath.Join(dir, "ls.toml")
	os.WriteFile(conf, []byte(`[hekad]
base_dir = "`+filepath.Join(dir, "base")+`"
[web]
type = "LogstreamerInput"
log_directory = "`+logs+`"
file_match = '(?P<Name>access|error)\.log\.?(?P<Seq>\d*)'
priority = ["^Seq"]
differentiator = ["web-", "Name"]
`), 0o644)
	var out, errb bytes.Buffer
	if rc := run([]string{"-config", conf}, &out, &errb); rc != 0 {
		t.Fatalf("rc %d: %s", rc, errb.String())
	}
	want := "Found 2 Logstream(s) for section [web].\n\nLogstream name: [web-access]\n" +
		"Journal: none (" + filepath.Join(dir, "base", "logstreamer", "web-access") + ")\n" +
		"Files: 3 (printing oldest to newest)\n\t" + filepath.Join(logs, "access.log.2") + "\n\t" +
		filepath.Join(logs, "access.log.1") + "\n\t" + filepath.Join(logs, "access.log") + "\n"
	if !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "[web-error]") {
		t.Errorf("output:\n%s\nwant prefix:\n%s", out.String(), want)
	}
}
