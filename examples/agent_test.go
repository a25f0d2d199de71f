package examples_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// archived is one message of the aggregator's archive.
type archived struct {
	typ, logger, payload, status string
	decodeFailure                bool
}

// readArchive decodes the framed protobuf file at path (what it holds so
// far; a partly written last frame is left for later).
func readArchive(t *testing.T, path string) []archived {
	t.Helper()
	var out []archived
	for _, m := range readFramed(t, path) {
		a := archived{typ: m.GetType(), logger: m.GetLogger(), payload: m.GetPayload()}
		if v, ok := m.GetFieldValue("status"); ok {
			a.status = fmt.Sprint(v)
		}
		_, a.decodeFailure = m.GetFieldValue("decode_failure")
		out = append(out, a)
	}
	return out
}

func appendLines(t *testing.T, path string, lines []string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
		t.Fatal(err)
	}
}

// TestAgentExample runs examples/agent.toml and examples/aggregator.toml as
// two hekad processes, with acknowledged shipping between them, against a
// temporary log directory: syslog and nginx access lines are written, the
// nginx log is rotated (rename and create) and written again, and the
// aggregator's archive must hold every line exactly once, nginx lines
// parsed, then both stop with exit status 0 on SIGTERM.
func TestAgentExample(t *testing.T) {
	bin := hekad(t)
	tmp := t.TempDir()
	logs := filepath.Join(tmp, "log")
	nginxDir := filepath.Join(logs, "nginx")
	if err := os.MkdirAll(nginxDir, 0o755); err != nil {
		t.Fatal(err)
	}
	syslog := filepath.Join(logs, "syslog")
	access := filepath.Join(nginxDir, "access.log")

	// Lines written before hekad starts: a rotated syslog file and the
	// current one (read oldest first), and a first access log.
	var wantSyslog, wantNginx []string
	syslogLines := func(from, n int) []string {
		var l []string
		for i := from; i < from+n; i++ {
			l = append(l, fmt.Sprintf("Dec  5 00:%02d:%02d web1 CRON[%d]: (root) CMD (job %d)", i/60%60, i%60, 1000+i, i))
		}
		wantSyslog = append(wantSyslog, l...)
		return l
	}
	nginxLines := func(from, n int) []string {
		var l []string
		for i := from; i < from+n; i++ {
			l = append(l, fmt.Sprintf(`10.0.0.%d - - [05/Dec/2026:00:%02d:%02d +0000] "GET /items/%d HTTP/1.1" %d %d "-" "curl/8.5.0"`,
				i%250, i/60%60, i%60, i, []int{200, 404, 500}[i%3], 100+i))
		}
		wantNginx = append(wantNginx, l...)
		return l
	}
	appendLines(t, syslog+".1", syslogLines(0, 40))
	appendLines(t, syslog, syslogLines(40, 60))
	appendLines(t, access, nginxLines(0, 100))
	// A line nginx's pattern does not match: shipped unparsed
	// (send_decode_failures), not dropped.
	bad := "this is not an access line"
	appendLines(t, access, []string{bad})
	// A file neither stream takes.
	appendLines(t, filepath.Join(logs, "dpkg.log"), []string{"not tailed"})

	// The aggregator, its upstream a collector here.
	aggBase := filepath.Join(tmp, "aggregator")
	archivePath := filepath.Join(aggBase, "archive", "agents.log")
	aggAddr := freeAddr(t)
	up := newCollector(t)
	agg := run(t, bin, "aggregator.toml",
		"0.0.0.0:5565", aggAddr,
		"analyzer.example.com:5565", up.addr(),
		`# base_dir = "/var/cache/hekad"`, `base_dir = "`+aggBase+`"`,
		`path = "archive/agents.log"`, `path = "`+archivePath+`"`)
	dialWhenUp(t, aggAddr).Close()

	// The agent, its logs, state and aggregator substituted.
	agent, agentLogs := runLogged(t, bin, "agent.toml",
		`# base_dir = "/var/cache/hekad"`, `base_dir = "`+filepath.Join(tmp, "agent")+`"`,
		`log_directory = "/var/log"`, `log_directory = "`+logs+`"`,
		`log_directory = "/var/log/nginx"`, `log_directory = "`+nginxDir+`"`,
		"aggregator.example.com:5565", aggAddr)

	total := func() int { return len(wantSyslog) + len(wantNginx) + 1 }
	waitFor(t, "the first lines in the archive", func() bool { return len(readArchive(t, archivePath)) >= total() })

	// Rotate the access log as logrotate does by default (rename, then
	// create), and write to both streams again.
	if err := os.Rename(access, access+".1"); err != nil {
		t.Fatal(err)
	}
	appendLines(t, access, nginxLines(100, 150))
	appendLines(t, syslog, syslogLines(100, 50))
	waitFor(t, "every line in the archive", func() bool { return len(readArchive(t, archivePath)) >= total() })
	// The aggregator forwards the same messages upstream.
	waitFor(t, "the messages upstream", func() bool { return len(up.types(t)) >= total() })
	time.Sleep(time.Second) // anything more (a duplicate) would show now

	// Stop the agent first, then the aggregator: both exit 0.
	stop(t, agent)
	stop(t, agg)

	// Each Payload is the line with its newline (TokenSplitter keeps the
	// delimiter, as Heka's).
	nl := func(lines []string) []string {
		var out []string
		for _, l := range lines {
			out = append(out, l+"\n")
		}
		return out
	}
	// The two negotiated acknowledged shipping (it would fall back to
	// Heka's behaviour otherwise, and say so).
	if strings.Contains(agentLogs.String(), "the receiver does not acknowledge") {
		t.Error("the aggregator did not acknowledge")
	}
	var gotSyslog, gotNginx, gotBad []string
	for _, a := range readArchive(t, archivePath) {
		switch {
		case a.logger == "syslog" && a.typ == "logfile":
			gotSyslog = append(gotSyslog, a.payload)
		case a.logger == "nginx_access" && a.typ == "nginx.access":
			if want := []string{"200", "404", "500"}; !slices.Contains(want, a.status) {
				t.Errorf("nginx line without its status field (%q): %q", a.status, a.payload)
			}
			gotNginx = append(gotNginx, a.payload)
		case a.logger == "nginx_access" && a.typ == "logfile" && a.decodeFailure:
			gotBad = append(gotBad, a.payload)
		default:
			t.Errorf("unexpected message in the archive: %+v", a)
		}
	}
	if !slices.Equal(gotSyslog, nl(wantSyslog)) {
		t.Errorf("syslog: %d lines archived, want %d in order", len(gotSyslog), len(wantSyslog))
	}
	if !slices.Equal(gotNginx, nl(wantNginx)) {
		t.Errorf("nginx: %d lines archived, want %d in order", len(gotNginx), len(wantNginx))
	}
	if !slices.Equal(gotBad, nl([]string{bad})) {
		t.Errorf("unparsed nginx lines: %q, want %q", gotBad, bad)
	}
	if n := len(up.types(t)); n != total() {
		t.Errorf("upstream got %d messages, want %d", n, total())
	}
}
