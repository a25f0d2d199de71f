package process

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeProc(t *testing.T, dir, sec, name, body string) string {
	t.Helper()
	d := filepath.Join(dir, sec)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(d, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func echoConf(word string) string {
	return fmt.Sprintf("[ProcessInput]\nimmediate_start = true\n[ProcessInput.command.0]\nbin = \"echo\"\nargs = [%q]\n", word)
}

// TestDirRescan adds, changes and removes process files and checks that
// each rescan starts and stops the ProcessInputs to match.
func TestDirRescan(t *testing.T) {
	dir := t.TempDir()
	a := writeProc(t, dir, "60", "a.toml", echoConf("alpha"))
	writeProc(t, dir, "60", "ignored.txt", "not toml")
	writeProc(t, dir, "notanumber", "x.toml", echoConf("never"))
	bad := writeProc(t, dir, "60", "bad.toml", "[ProcessInput]\nbogus = 1\n")
	in := &DirInput{dir: dir, hostname: "h", log: discard(), tick: make(chan struct{}, 1)}
	host := newHost()
	stop, _ := start(t, in, host)
	defer stop()

	payloads := func() []string {
		var p []string
		for _, d := range host.Deliveries() {
			p = append(p, d.Message.GetPayload())
		}
		return p
	}
	running := func(want ...string) func() bool {
		return func() bool { return slices.Equal(in.Running(), want) }
	}
	eventually(t, "alpha delivered", func() bool { return slices.Contains(payloads(), "alpha\n") })
	eventually(t, "only a.toml running", running(a))
	if slices.Contains(payloads(), "never\n") {
		t.Error("a file outside a <seconds> directory ran")
	}
	_ = bad

	b := writeProc(t, dir, "60", "b.toml", echoConf("beta"))
	in.Tick(t.Context(), nil)
	eventually(t, "beta delivered", func() bool { return slices.Contains(payloads(), "beta\n") })
	eventually(t, "a and b running", running(a, b))

	writeProc(t, dir, "60", "a.toml", echoConf("gamma"))
	os.Remove(b)
	in.Tick(t.Context(), nil)
	eventually(t, "changed a restarted", func() bool { return slices.Contains(payloads(), "gamma\n") })
	eventually(t, "b removed", running(a))

	d := host.Deliveries()[0].Message
	if d.GetType() != "ProcessInput" || !strings.HasSuffix(field(d, "ProcessInputName").(string), "a.toml.stdout") {
		t.Errorf("message type %q name %v", d.GetType(), field(d, "ProcessInputName"))
	}
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := waitLong
	_ = deadline
	plugintestEventually(t, what, cond)
}
