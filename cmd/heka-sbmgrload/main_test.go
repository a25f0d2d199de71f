package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/client/hekadtest"
)

// hekadBin is hekad, built by TestMain.
var hekadBin string

func TestMain(m *testing.M) { hekadtest.Main(m, &hekadBin) }

const hekadConfig = `
[hekad]
base_dir = "%DIR%/base"

[ctl_in]
type = "TcpInput"
address = "%ADDR%"
splitter = "signed_framing"

[signed_framing]
type = "HekaFramingSplitter"

[signed_framing.signer.ops_1]
hmac_key = "k"

[mgr]
type = "SandboxManagerFilter"
message_signer = "ops"
max_filters = 2
`

// TestLoadUnloadMany loads three counter sandboxes into a manager that
// runs at most two, then unloads them all.
func TestLoadUnloadMany(t *testing.T) {
	dir := t.TempDir()
	addr := hekadtest.FreeAddr(t, "tcp")
	h := hekadtest.Start(t, hekadBin, dir, strings.ReplaceAll(hekadConfig, "%ADDR%", addr))
	h.WaitListening("ctl_in")
	cfg := filepath.Join(dir, "sbmgrload.toml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "ip_address = %q\n[signer]\nname = \"ops\"\nhmac_key = \"k\"\nversion = 1\n", addr), 0o600); err != nil {
		t.Fatal(err)
	}
	sbmgrload := func(args ...string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"-config", cfg}, args...), &stdout, &stderr); code != 0 {
			t.Fatalf("heka-sbmgrload %v: exit %d: %s", args, code, stderr.String())
		}
	}
	sbmgrload("-action", "load", "-num", "3")
	hekadtest.WaitFor(t, 30*time.Second, "two loaded, one refused", func() bool {
		out := h.Output()
		return strings.Contains(out, "plugin=mgr-CounterSandbox0") && strings.Contains(out, "plugin=mgr-CounterSandbox1") &&
			strings.Contains(out, "mgr attempted to load more than 2 filters")
	})
	sbmgrload("-action", "unload", "-num", "3")
	hekadtest.WaitFor(t, 30*time.Second, "both unloaded", func() bool {
		return strings.Count(h.Output(), "filter removed: draining") == 2
	})
	h.Stop()
	if strings.Contains(h.Output(), "CounterSandbox2 type=SandboxFilter") {
		t.Errorf("a third filter ran:\n%s", h.Output())
	}
}
