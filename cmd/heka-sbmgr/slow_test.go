package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hekad-go/hekad/client/hekadtest"
	"github.com/hekad-go/hekad/message"
)

// slowScript spends several milliseconds on every message (about 500,000
// instructions, half the instruction_limit): well above the 1 ms
// max_process_duration the test sets.
const slowScript = `
local n = 0
function process_message()
    local x = 0
    for i = 1, 250000 do x = x + i end
    n = n + 1
    return 0
end

function timer_event(ns)
end
`

// TestSlowSandboxIsEnded: a manager-loaded filter that is slower than the
// traffic fills its queue and holds the router back; hekad ends it as
// Heka does (heka.sandbox-terminated, "sandbox is running slowly and
// blocking the router", with its figures), and everything sent still
// reaches the output.
func TestSlowSandboxIsEnded(t *testing.T) {
	dir := t.TempDir()
	s := startManagerMPD(t, dir, hekadtest.FreeAddr(t, "tcp"), "1000000")
	s.sbmgr("ops", "secret", "-action", "load", "-script", s.write("Slow.lua", slowScript),
		"-scriptconfig", s.write("Slow.toml", counterToml("Slow")))
	s.waitLog("filter started plugin=OpsManager-Slow")

	const n = 3000
	s.data(n)
	var term *message.Message
	hekadtest.WaitFor(t, 60*time.Second, "heka.sandbox-terminated for the slow filter", func() bool {
		for _, m := range s.messages() {
			if m.GetType() == "heka.sandbox-terminated" {
				term = m
				return true
			}
		}
		return false
	})
	if got, want := term.GetPayload(), "sandbox is running slowly and blocking the router"; got != want {
		t.Errorf("Payload %q, want %q", got, want)
	}
	if v, _ := term.GetFieldValue("plugin"); v != "OpsManager-Slow" {
		t.Errorf("plugin field %v", v)
	}
	if v, _ := term.GetFieldValue("ProcessMessageAvgDuration"); v == nil || v.(int64) <= 1000000 {
		t.Errorf("ProcessMessageAvgDuration %v, want above max_process_duration (1000000 ns)", v)
	}
	if v, _ := term.GetFieldValue("ProcessMessageSamples"); v == nil || v.(int64) < 29 {
		t.Errorf("ProcessMessageSamples %v, want at least plugin_chansize-1", v)
	}
	for _, f := range []string{"ProcessMessageCount", "MatchAvgDuration", "FilterChanLength", "RouterChanLength"} {
		if v, _ := term.GetFieldValue(f); v == nil {
			t.Errorf("no %s field", f)
		}
	}
	// The rest of the pipeline keeps going.
	s.waitData(n)
	hekadtest.WaitFor(t, 30*time.Second, "a report without the ended filter", func() bool {
		r := s.lastReport()
		return strings.Contains(r, `"RunningFilters":{"representation":"count","value":0}`) && !strings.Contains(r, `"Name":"OpsManager-Slow"`)
	})
	// What was queued for the ended filter is lost to it, and said so: the
	// closing line counts it and hekad exits with status 1.
	if err := s.h.StopStatus(); err == nil {
		t.Errorf("hekad exited with status 0 although the ended filter lost messages")
	}
	m := closing.FindStringSubmatch(s.h.Output())
	if m == nil {
		t.Fatalf("no closing line:\n%s", s.h.Output())
	}
	received, delivered, lost := atoi(m[1]), atoi(m[2]), atoi(m[3])
	if lost == 0 || received != delivered+lost || received < n {
		t.Errorf("closing line %q: want the %d data messages received, some lost at the ended filter, the rest delivered", m[0], n)
	}
	// The filter's own line says how many it lost: all of them.
	if m := regexp.MustCompile(`Lost/Dropped (\d+) messages plugin=OpsManager-Slow`).FindStringSubmatch(s.h.Output()); m == nil || atoi(m[1]) != lost {
		t.Errorf("the ended filter's line %q, want its %d lost messages", m, lost)
	}
}

var closing = regexp.MustCompile(`shutdown: (\d+) messages received = (\d+) delivered \+ 0 queued \+ 0 dropped \(0 unmatched\) \+ (\d+) lost`)

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
