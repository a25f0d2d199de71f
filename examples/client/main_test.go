package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/client/hekadtest"
	"github.com/hekad-go/hekad/internal/testbuild"
)

var hekadBin string

func TestMain(m *testing.M) { hekadtest.Main(m, &hekadBin) }

// startDefaultHekad starts hekad on its embedded default configuration
// (daemon/default.toml), with its fixed ports moved to free ones so that
// tests never collide, and returns it with the address of its protobuf
// TcpInput.
func startDefaultHekad(t *testing.T) (*hekadtest.Proc, string) {
	t.Helper()
	def, err := os.ReadFile(filepath.Join(testbuild.Root(), "daemon", "default.toml"))
	if err != nil {
		t.Fatal(err)
	}
	addr := hekadtest.FreeAddr(t, "tcp")
	cfg := strings.NewReplacer("127.0.0.1:5565", addr, "127.0.0.1:5566", hekadtest.FreeAddr(t, "tcp")).Replace(string(def))
	if cfg == string(def) {
		t.Fatal("the default configuration no longer listens on 127.0.0.1:5565: update this test")
	}
	dir := t.TempDir()
	cfg = "[hekad]\nbase_dir = \"%DIR%/base\"\n" + cfg
	p := hekadtest.Start(t, hekadBin, dir, cfg)
	hekadtest.WaitFor(t, 30*time.Second, "hekad to listen on "+addr, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return p, addr
}

// TestExample runs the example against hekad on its default configuration,
// which prints every message it receives: the five messages are there.
func TestExample(t *testing.T) {
	p, addr := startDefaultHekad(t)
	var out, errb bytes.Buffer
	if code := run([]string{"-addr", addr}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "sent 5 messages to tcp "+addr+" (0 failed)") {
		t.Errorf("output %q", out.String())
	}
	want := []string{
		":Type: oldstyle\n", // the log line
		":Type: counter\n",
		":Type: timer\n",
		":Type: gauge\n",
		":Type: oldstyle\n", // the exception
	}
	var records []string
	hekadtest.WaitFor(t, 30*time.Second, "five messages printed by hekad", func() bool {
		records = records[:0]
		for _, r := range strings.Split(p.Output(), ":Timestamp: ") {
			if strings.Contains(r, ":Logger: example-app\n") {
				records = append(records, r)
			}
		}
		return len(records) >= len(want)
	})
	if len(records) != len(want) {
		t.Fatalf("%d records", len(records))
	}
	details := []string{
		":Payload: example app started\n",
		":Payload: 1\n",
		`value:"example.work"`,
		":Payload: 42\n",
		":Payload: example failure: disk full\n",
	}
	for i, r := range records {
		if !strings.Contains(r, want[i]) || !strings.Contains(r, details[i]) {
			t.Errorf("record %d lacks %q or %q:\n%s", i, want[i], details[i], r)
		}
	}
	if !strings.Contains(records[4], ":Severity: 1\n") || !strings.Contains(records[4], `name:"stack"`) {
		t.Errorf("the exception has no severity 1 or no stack:\n%s", records[4])
	}
}

// TestExampleNoHekad: with nothing listening, the example says what it
// could not deliver and fails.
func TestExampleNoHekad(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"-addr", hekadtest.FreeAddr(t, "tcp"), "-timeout", "100ms"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "5 records dropped") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
