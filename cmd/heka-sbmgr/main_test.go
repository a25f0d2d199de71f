package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/client/hekadtest"
	"github.com/hekad-go/hekad/internal/sbmgr"
	"github.com/hekad-go/hekad/message"
)

// hekadBin is hekad, built by TestMain.
var hekadBin string

func TestMain(m *testing.M) { hekadtest.Main(m, &hekadBin) }

// managerConfig runs a SandboxManagerFilter that obeys signer ops only,
// behind a TcpInput that knows ops' key, and writes every message to
// %DIR%/all.log.
const managerConfig = `
[hekad]
base_dir = "%DIR%/base"
report_interval = 1
max_process_duration = %MPD%

[ctl_in]
type = "TcpInput"
address = "%ADDR%"
splitter = "signed_framing"

[signed_framing]
type = "HekaFramingSplitter"

[signed_framing.signer.ops_0]
hmac_key = "secret"

[OpsManager]
type = "SandboxManagerFilter"
message_signer = "ops"
max_filters = 2

[all_out]
type = "FileOutput"
message_matcher = "TRUE"
path = "%DIR%/all.log"
encoder = "ProtobufEncoder"
flush_operator = "OR"
flush_interval = 20
flush_count = 10000
`

func counterToml(name string) string {
	return fmt.Sprintf(`[%s]
type = "SandboxFilter"
message_matcher = "Type == 'data'"
timer_event_on_shutdown = true
`, name)
}

type setup struct {
	t    *testing.T
	dir  string
	addr string
	h    *hekadtest.Proc
}

// startManager runs managerConfig. Its max_process_duration is 1 s: a
// filter descheduled while its queue is full (a loaded test machine) is
// not ended for being slow; TestSlowSandboxIsEnded sets its own.
func startManager(t *testing.T, dir, addr string) *setup {
	t.Helper()
	return startManagerMPD(t, dir, addr, "1000000000")
}

// startManagerMPD runs managerConfig with max_process_duration mpd (ns).
func startManagerMPD(t *testing.T, dir, addr, mpd string) *setup {
	t.Helper()
	h := hekadtest.Start(t, hekadBin, dir, strings.NewReplacer("%ADDR%", addr, "%MPD%", mpd).Replace(managerConfig))
	h.WaitListening("ctl_in")
	return &setup{t: t, dir: dir, addr: addr, h: h}
}

func (s *setup) write(name, data string) string {
	s.t.Helper()
	path := filepath.Join(s.dir, name)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		s.t.Fatal(err)
	}
	return path
}

// sbmgr runs heka-sbmgr with the configuration of signer (key key; none
// when signer is empty).
func (s *setup) sbmgr(signer, key string, args ...string) {
	s.t.Helper()
	cfg := fmt.Sprintf("ip_address = %q\n", s.addr)
	if signer != "" {
		cfg += fmt.Sprintf("[signer]\nname = %q\nhmac_hash = \"md5\"\nhmac_key = %q\nversion = 0\n", signer, key)
	}
	path := s.write("sbmgr-"+signer+key+".toml", cfg)
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"-config", path}, args...), &stdout, &stderr); code != 0 {
		s.t.Fatalf("heka-sbmgr %v: exit %d: %s", args, code, stderr.String())
	}
}

func (s *setup) load(signer, key, name string) {
	s.t.Helper()
	s.sbmgr(signer, key, "-action", "load", "-script", s.write(name+".lua", sbmgr.CounterScript), "-scriptconfig", s.write(name+".toml", counterToml(name)))
}

// data sends n unsigned messages of Type data.
func (s *setup) data(n int) {
	s.t.Helper()
	var b []byte
	for i := range n {
		var m message.Message
		m.SetNewUUID()
		m.SetTimestamp(time.Now().UnixNano())
		m.SetType("data")
		m.SetPayload(fmt.Sprint(i))
		var err error
		if b, err = message.AppendFrame(b, m.Marshal(), nil, 0); err != nil {
			s.t.Fatal(err)
		}
	}
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		s.t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(b); err != nil {
		s.t.Fatal(err)
	}
}

func (s *setup) messages() []*message.Message {
	ms, err := hekadtest.ReadMessages(filepath.Join(s.dir, "all.log"))
	if err != nil {
		s.t.Fatal(err)
	}
	return ms
}

// waitData waits until all.log holds n data messages: the router has
// routed them (to the loaded filters too) before the output wrote them.
func (s *setup) waitData(n int) {
	s.t.Helper()
	hekadtest.WaitFor(s.t, 30*time.Second, fmt.Sprintf("%d data messages", n), func() bool {
		k := 0
		for _, m := range s.messages() {
			if m.GetType() == "data" {
				k++
			}
		}
		return k >= n
	})
}

// lastReport is the payload of the last heka.all-report in all.log.
func (s *setup) lastReport() string {
	r := ""
	for _, m := range s.messages() {
		if m.GetType() == "heka.all-report" {
			r = m.GetPayload()
		}
	}
	return r
}

// counts returns the payloads of the heka.sandbox-output messages filter
// injected.
func (s *setup) counts(filter string) []string {
	var out []string
	for _, m := range s.messages() {
		if m.GetType() == "heka.sandbox-output" && m.GetLogger() == filter {
			out = append(out, m.GetPayload())
		}
	}
	return out
}

func (s *setup) waitLog(what string) {
	s.t.Helper()
	hekadtest.WaitFor(s.t, 30*time.Second, "log line "+what, func() bool { return strings.Contains(s.h.Output(), what) })
}

// TestLoadUnloadOverTCP: heka-sbmgr loads a counting SandboxFilter into a
// real hekad over TCP with a signed control message; the filter counts
// what is sent; an unsigned and a wrongly signed load are refused and
// logged; a signed unload drains the filter, whose Stop hook
// (timer_event_on_shutdown) reports every message it was routed, and
// removes its files; a filter still loaded at shutdown is restored when
// hekad starts again.
func TestLoadUnloadOverTCP(t *testing.T) {
	dir := t.TempDir()
	addr := hekadtest.FreeAddr(t, "tcp")
	s := startManager(t, dir, addr)
	work := filepath.Join(dir, "base", "sbxmgrs")

	s.load("ops", "secret", "Counter")
	s.waitLog("OpsManager-Counter")
	// "filter started" is logged on the router goroutine once the router
	// routes to the filter: the same line, not any "filter started" (the
	// manager's own) and any line of the filter's.
	s.waitLog("filter started plugin=OpsManager-Counter")
	for _, ext := range []string{".toml", ".lua"} {
		if _, err := os.Stat(filepath.Join(work, "OpsManager-Counter"+ext)); err != nil {
			t.Errorf("working directory: %v", err)
		}
	}

	// The loaded filter is in heka.all-report, the manager's count too.
	hekadtest.WaitFor(t, 30*time.Second, "a report with the loaded filter", func() bool {
		r := s.lastReport()
		return strings.Contains(r, `"Name":"OpsManager-Counter"`) && strings.Contains(r, `"RunningFilters":{"representation":"count","value":1}`)
	})

	// Refused: unsigned, and signed with the wrong key.
	s.load("", "", "Unsigned")
	s.waitLog("message refused: its signer is not message_signer")
	s.load("ops", "wrong", "Forged")
	hekadtest.WaitFor(t, 30*time.Second, "the forged frame to be rejected", func() bool {
		out := s.h.Output()
		return strings.Contains(out, "skipped framed data") || strings.Contains(out, "hmac")
	})

	const n = 500
	s.data(n)
	s.data(n)
	s.waitData(2 * n)

	s.sbmgr("ops", "secret", "-action", "unload", "-filtername", "Counter")
	hekadtest.WaitFor(t, 30*time.Second, "the unloaded filter's last count", func() bool { return len(s.counts("OpsManager-Counter")) > 0 })
	got := s.counts("OpsManager-Counter")
	// Everything routed to it before the unload was processed before its
	// Stop hook ran: nothing lost at unload.
	if len(got) != 1 || got[0] != fmt.Sprint(2*n) {
		t.Fatalf("counts %v, want one (the Stop hook's) of %d", got, 2*n)
	}
	if _, err := os.Stat(filepath.Join(work, "OpsManager-Counter.lua")); !os.IsNotExist(err) {
		t.Errorf("script left in the working directory after unload: %v", err)
	}
	hekadtest.WaitFor(t, 30*time.Second, "a report without the unloaded filter", func() bool {
		r := s.lastReport()
		return strings.Contains(r, `"RunningFilters":{"representation":"count","value":0}`) && !strings.Contains(r, `"Name":"OpsManager-Counter"`)
	})
	for _, bad := range []string{"OpsManager-Unsigned", "OpsManager-Forged"} {
		if strings.Contains(s.h.Output(), bad) {
			t.Errorf("%s was loaded", bad)
		}
	}

	// Kept: a filter loaded at shutdown comes back at start.
	s.load("ops", "secret", "Keeper")
	s.waitLog("filter started plugin=OpsManager-Keeper") // routed to: the data may go
	s.data(n)
	s.waitData(3 * n)
	s.h.Stop()
	if !strings.Contains(s.h.Output(), "0 lost") {
		t.Errorf("closing line:\n%s", s.h.Output())
	}
	if c := s.counts("OpsManager-Keeper"); len(c) != 1 || c[0] != fmt.Sprint(n) {
		t.Errorf("Keeper's counts at shutdown %v, want [%d]", c, n)
	}
	s2 := startManager(t, dir, addr)
	// Restored before the inputs start: what comes as soon as hekad
	// listens reaches it.
	s2.data(7)
	s2.waitData(3*n + 7)
	s2.sbmgr("ops", "secret", "-action", "unload", "-filtername", "Keeper")
	hekadtest.WaitFor(t, 30*time.Second, "the restored filter's count", func() bool { return len(s2.counts("OpsManager-Keeper")) == 2 })
	if c := s2.counts("OpsManager-Keeper"); c[1] != "7" {
		t.Errorf("restored Keeper counted %v, want 7 after the restart", c)
	}
	s2.h.Stop()
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "sbmgr.toml")
	os.WriteFile(cfg, []byte("ip_address = \"127.0.0.1:1\"\nuse_tls = true\n"), 0o600)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no config", []string{"-config", filepath.Join(dir, "none.toml")}, 1, "none.toml"},
		{"tls", []string{"-config", cfg}, 1, "use_tls"},
		{"bad flag", []string{"-bogus"}, 2, "bogus"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tc.args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d (want %d), stderr %q lacks %q", code, tc.code, stderr.String(), tc.want)
			}
		})
	}
}
