package examples_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSyslogExample runs examples/syslog.toml over a log directory holding a
// rotated, compressed syslog.1.gz and the current syslog: every line comes
// out of Heka's rsyslog decoder with the fields rsyslog's traditional
// format gives, oldest file first.
func TestSyslogExample(t *testing.T) {
	base, logs := t.TempDir(), t.TempDir()
	year := time.Now().UTC().Year()
	old := "Dec  4 23:59:58 oldhost cron[42]: (root) CMD (run-parts /etc/cron.hourly)\n"
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write([]byte(old))
	zw.Close()
	if err := os.WriteFile(filepath.Join(logs, "syslog.1.gz"), zipped.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	current := "Dec  5 03:04:05 myhost sshd[1234]: Accepted publickey for alice\n" +
		"Dec  5 03:04:06 myhost kernel: usb 1-1: new high-speed USB device\n"
	if err := os.WriteFile(filepath.Join(logs, "syslog"), []byte(current), 0o644); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(base, "syslog.log")
	cmd := run(t, hekad(t), "syslog.toml",
		`base_dir = "/var/cache/hekad"`, fmt.Sprintf("base_dir = %q\nshare_dir = %q", base, shareDir(t)),
		`log_directory = "/var/log"`, fmt.Sprintf("log_directory = %q", logs),
		`path = "/var/cache/hekad/syslog.log"`, fmt.Sprintf("path = %q", archive))
	var got []string
	waitFor(t, "3 archived messages", func() bool {
		got = describeArchive(t, archive)
		return len(got) >= 3
	})
	stop(t, cmd)
	want := []string{
		fmt.Sprintf("%d-12-04T23:59:58Z|oldhost|42|cron|(root) CMD (run-parts /etc/cron.hourly)", year),
		fmt.Sprintf("%d-12-05T03:04:05Z|myhost|1234|sshd|Accepted publickey for alice", year),
		fmt.Sprintf("%d-12-05T03:04:06Z|myhost|0|kernel|usb 1-1: new high-speed USB device", year),
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("archived\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// describeArchive reads a framed archive: per message its timestamp,
// Hostname, Pid, Fields[programname] and Payload.
func describeArchive(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for _, m := range readFramed(t, path) {
		prog := ""
		if v, ok := m.GetFieldValue("programname"); ok {
			prog = fmt.Sprint(v)
		}
		ts := time.Unix(0, m.GetTimestamp()).UTC().Format(time.RFC3339)
		out = append(out, fmt.Sprintf("%s|%s|%d|%s|%s", ts, m.GetHostname(), m.GetPid(), prog, m.GetPayload()))
	}
	return out
}
