package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// agentTailConfig: an agent that tails <logs>/app.log* and ships each line
// through a buffered TcpOutput with acknowledgements to up; its journal
// and disk queue live in base, kept across restarts.
func agentTailConfig(base, logs, up string) string {
	return fmt.Sprintf(`
[hekad]
base_dir = %q

[tail]
type = "LogstreamerInput"
log_directory = %q
file_match = 'app\.log\.?(?P<Seq>\d*)'
priority = ["^Seq"]
check_data_interval = "20ms"
journal_interval = 100

`, base, logs) + ackUpstream("Type == 'logfile'", up)
}

// aggregatorLinesConfig: an aggregator that archives each line it is sent
// (the lines keep their newline) and acknowledges what it made durable.
func aggregatorLinesConfig(base, in, archive string) string {
	return ackAggregatorConfig(base, in, archive) + "append_newlines = false\n"
}

// TestAgentAndAggregatorKills: an agent hekad tails a growing log file
// (renamed and recreated halfway) and ships it with acknowledgements to an
// aggregator hekad. The agent and the aggregator are each killed with
// SIGKILL three times, taking turns, and restarted: every line reaches the
// archive, none lost; the duplicates are counted (docs/delivery.md).
// HEKAD_ACK_MESSAGES sets the number of lines.
func TestAgentAndAggregatorKills(t *testing.T) {
	total := 3 * ackMessages(t)
	dir := t.TempDir()
	logs, agentBase, aggBase := filepath.Join(dir, "logs"), filepath.Join(dir, "agent"), filepath.Join(dir, "agg")
	os.MkdirAll(logs, 0o755)
	archive := filepath.Join(dir, "archive.log")
	aggIn := freePort(t)
	aggCfg, agentCfg := aggregatorLinesConfig(aggBase, aggIn, archive), agentTailConfig(agentBase, logs, aggIn)

	// The writer spreads the lines over about 4 s, so that the kills fall
	// while the file grows.
	pause := 4 * time.Second * 100 / time.Duration(total)
	written := make(chan struct{})
	go func() {
		defer close(written)
		path := filepath.Join(logs, "app.log")
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Error(err)
			return
		}
		for i := 0; i < total; {
			if i == total/2 {
				f.Close()
				os.Rename(path, path+".1")
				f, _ = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
			}
			var b strings.Builder
			for j := 0; j < 100 && i < total; j++ {
				fmt.Fprintf(&b, "line %d\n", i)
				i++
			}
			f.WriteString(b.String())
			time.Sleep(pause)
		}
		f.Close()
	}()

	agg := startHekad(t, aggCfg)
	agg.waitListening(aggIn)
	agent := startHekad(t, agentCfg)
	start := time.Now()
	for k := 1; k <= 6; k++ {
		at := total * k / 8
		waitFor(t, 300*time.Second, fmt.Sprintf("%d lines archived", at), func() bool { return len(outCounts(t, archive)) >= at })
		victim, cfg, name := &agent, agentCfg, "agent"
		if k%2 == 0 {
			victim, cfg, name = &agg, aggCfg, "aggregator"
		}
		if err := (*victim).cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		(*victim).wait(10 * time.Second)
		*victim = startHekad(t, cfg)
		if name == "aggregator" {
			agg.waitListening(aggIn)
		}
		t.Logf("kill %d (%s): %d distinct lines archived", k, name, len(outCounts(t, archive)))
	}
	<-written
	waitFor(t, 300*time.Second, "every line archived", func() bool { return len(outCounts(t, archive)) >= total })
	elapsed := time.Since(start)
	if code := agent.stop(); code != 0 {
		t.Errorf("agent exit code %d", code)
	}
	if code := agg.stop(); code != 0 {
		t.Errorf("aggregator exit code %d", code)
	}
	counts := outCounts(t, archive)
	lost, dups := 0, 0
	for i := range total {
		switch c := counts[i]; {
		case c == 0:
			lost++
		case c > 1:
			dups += c - 1
		}
	}
	t.Logf("written %d, distinct in the archive %d, lost %d, duplicated %d over 3 agent and 3 aggregator kills, %v",
		total, len(counts), lost, dups, elapsed.Round(time.Millisecond))
	if lost != 0 || len(counts) != total {
		t.Fatalf("%d lines lost", lost)
	}
}
