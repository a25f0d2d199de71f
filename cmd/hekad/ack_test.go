package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Acknowledged shipping between two real hekad processes: an agent
// (TcpInput -> buffered TcpOutput with ack) and an aggregator (TcpInput
// with ack -> FileOutput). The aggregator is killed -9 three times while
// the agent ships; nothing may be lost. HEKAD_ACK_MESSAGES sets the number
// of messages (default small enough for make test with -race; the figures
// in docs/delivery.md are for 100000).

func ackMessages(t *testing.T) int {
	if s := os.Getenv("HEKAD_ACK_MESSAGES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("HEKAD_ACK_MESSAGES=%q", s)
		}
		return n
	}
	return 6000
}

func ackAgentConfig(in, up string) string {
	return fmt.Sprintf(`
[hekad]
base_dir = "%%BASE%%"

[in]
type = "TcpInput"
address = %q

`, in) + ackUpstream("TRUE", up)
}

// ackUpstream is the agents' [up] section: a buffered TcpOutput with
// acknowledgements to up, of the messages matcher selects, retrying fast
// and forever while its receiver is down.
func ackUpstream(matcher, up string) string {
	return fmt.Sprintf(`
[up]
type = "TcpOutput"
message_matcher = %q
address = %q
ack = true
ack_timeout = 3
[up.retries]
delay = "20ms"
max_delay = "200ms"
max_jitter = "10ms"
max_retries = -1
`, matcher, up)
}

func ackAggregatorConfig(base, in, archive string) string {
	return fmt.Sprintf(`
[hekad]
base_dir = %q

[in]
type = "TcpInput"
address = %q
ack = true

[archive]
type = "FileOutput"
message_matcher = "TRUE"
path = %q
encoder = "PayloadEncoder"
flush_interval = 100

[PayloadEncoder]
`, base, in, archive)
}

// archived returns the payloads in the archive (complete lines only).
func archived(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	s := string(b)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	} else {
		return nil
	}
	return strings.Split(s, "\n")
}

func distinct(got []string) int {
	seen := make(map[string]struct{}, len(got))
	for _, p := range got {
		seen[p] = struct{}{}
	}
	return len(seen)
}

// resetProxy forwards connections from its listener to target and resets
// (RST) every open connection every period.
type resetProxy struct {
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	resets int
	done   chan struct{}
}

func startResetProxy(t *testing.T, addr, target string, period time.Duration) *resetProxy {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &resetProxy{ln: ln, done: make(chan struct{})}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { io.Copy(d, c); d.Close() }()
			go func() { io.Copy(c, d); c.Close() }()
		}
	}()
	go func() {
		tk := time.NewTicker(period)
		defer tk.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-tk.C:
			}
			p.mu.Lock()
			for _, c := range p.conns {
				c.(*net.TCPConn).SetLinger(0) // close with RST
				c.Close()
			}
			if len(p.conns) > 0 {
				p.resets++
			}
			p.conns = nil
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() { close(p.done); ln.Close() })
	return p
}

func TestAckShippingSurvivesAggregatorKills(t *testing.T) {
	testAckShipping(t, ackMessages(t), false, syscall.SIGKILL)
}

func TestAckShippingThroughResettingProxy(t *testing.T) {
	testAckShipping(t, ackMessages(t), true, syscall.SIGKILL)
}

// TestAckShippingAcrossAggregatorRestarts: the aggregator is stopped
// (SIGTERM) and started again three times while the agent ships. At
// shutdown it keeps its connections open until its drain is over and
// acknowledges everything it made durable, so the agent sends nothing
// twice: no loss and no duplicate. (At least 30,000 messages, so that the
// stops come while the agent ships; when the aggregator closed its
// connections at once, this run had about 21,000 duplicates.)
func TestAckShippingAcrossAggregatorRestarts(t *testing.T) {
	if dups := testAckShipping(t, max(ackMessages(t), 30000), false, syscall.SIGTERM); dups != 0 {
		t.Errorf("%d duplicates across graceful restarts, want 0", dups)
	}
}

// testAckShipping ships n messages through an agent to an aggregator
// (through a resetting proxy if proxy) that gets sig three times and is
// started again, checks that nothing is lost and returns the duplicates.
func testAckShipping(t *testing.T, n int, proxy bool, sig syscall.Signal) int {
	aggBase := t.TempDir()
	archive := filepath.Join(aggBase, "archive.log")
	aggIn, agentIn := freePort(t), freePort(t)
	up := aggIn
	var px *resetProxy
	if proxy {
		up = freePort(t)
		px = startResetProxy(t, up, aggIn, 300*time.Millisecond)
	}
	aggCfg := ackAggregatorConfig(aggBase, aggIn, archive)
	agg := startHekad(t, aggCfg)
	agg.waitListening(aggIn)
	agent := startHekad(t, ackAgentConfig(agentIn, up))
	agent.waitListening(agentIn)

	const chunk = 1000
	var chunks [][]byte
	for i := 0; i < n; i += chunk {
		var pl []string
		for j := i; j < min(i+chunk, n); j++ {
			pl = append(pl, strconv.Itoa(j))
		}
		chunks = append(chunks, payloadFrames(t, "ack", pl...))
	}
	start := time.Now()
	sendDone := make(chan struct{})
	go func() {
		defer close(sendDone)
		for _, c := range chunks {
			if err := trySend(agentIn, c); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	kills := 0
	for k := 1; k <= 3; k++ {
		at := n * k / 4
		waitFor(t, 300*time.Second, fmt.Sprintf("%d messages archived", at), func() bool { return len(archived(archive)) >= at })
		if err := agg.cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		if code := agg.wait(60 * time.Second); sig == syscall.SIGTERM && code != 0 {
			t.Errorf("aggregator exit code %d at a graceful stop", code)
		}
		kills++
		time.Sleep(100 * time.Millisecond)
		agg = startHekad(t, aggCfg)
		agg.waitListening(aggIn)
	}
	<-sendDone
	waitFor(t, 300*time.Second, "every message archived", func() bool { return distinct(archived(archive)) >= n })
	elapsed := time.Since(start)
	got := archived(archive)
	dups := checkAll(t, got, n)
	resets := 0
	if px != nil {
		px.mu.Lock()
		resets = px.resets
		px.mu.Unlock()
	}
	t.Logf("sent %d, archived %d, lost 0, duplicated %d, aggregator stopped (%v) %d times, proxy resets %d, %v",
		n, len(got), dups, sig, kills, resets, elapsed.Round(time.Millisecond))
	if code := agent.stop(); code != 0 {
		t.Errorf("agent exit code %d", code)
	}
	if code := agg.stop(); code != 0 {
		t.Errorf("aggregator exit code %d", code)
	}
	return dups
}
