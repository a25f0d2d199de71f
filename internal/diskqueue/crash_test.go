package diskqueue

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Environment of the child process of TestCrashLoop.
const (
	crashDirEnv   = "DISKQUEUE_CRASH_DIR"
	crashRoundEnv = "DISKQUEUE_CRASH_ROUND"
)

// crashOptions are the options of the queue TestCrashLoop's children use:
// small segments so that kills land during rolls, checkpoints and deletions.
func crashOptions(dir string) Options {
	return Options{Dir: dir, MaxMessageSize: 1024, MaxFileSize: 16 << 10, CursorUpdateCount: 7}
}

// crashSeq is the sequence number of record i of round r.
func crashSeq(r, i uint64) uint64 { return r<<32 | i }

// runCrashChild appends and syncs in a loop, printing "s <seq>" after each
// Sync returns (every record up to seq is durable), while a reader commits
// each record after printing "c <seq>" (delivering it). It runs until killed.
func runCrashChild(dir string, round uint64) {
	q, err := Open(crashOptions(dir))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	var mu sync.Mutex // one line at a time
	say := func(format string, args ...any) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
		mu.Unlock()
	}
	go func() {
		for {
			msg, err := q.Next(context.Background())
			if err != nil {
				say("next: %v", err)
				os.Exit(2)
			}
			// Delivered (printed), then committed, as an output would.
			say("c %d", binaryUint64(msg))
			if err := q.Commit(); err != nil {
				say("commit: %v", err)
				os.Exit(2)
			}
		}
	}()
	rng := rand.New(rand.NewPCG(round, 1))
	for i := uint64(0); ; {
		for range 1 + rng.IntN(100) {
			if err := q.Append(testMsg(crashSeq(round, i), 16+rng.IntN(400))); err != nil {
				say("append: %v", err)
				os.Exit(2)
			}
			i++
		}
		if err := q.Sync(); err != nil {
			say("sync: %v", err)
			os.Exit(2)
		}
		say("s %d", crashSeq(round, i-1))
	}
}

func binaryUint64(b []byte) uint64 {
	var v uint64
	for _, c := range b[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

// TestCrashLoop kills a writing and reading child process with SIGKILL at
// random instants, several times over the same queue, then drains it: every
// record a Sync returned for is delivered (before a kill or after), in
// order, with at most cursor_update_count+1 duplicates per kill (the +1: a
// record delivered but not yet committed).
func TestCrashLoop(t *testing.T) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		round, _ := strconv.ParseUint(os.Getenv(crashRoundEnv), 10, 64)
		runCrashChild(dir, round)
		return
	}
	if testing.Short() {
		t.Skip("runs child processes")
	}
	const rounds = 6
	dir := t.TempDir() + "/q"
	rng := rand.New(rand.NewPCG(uint64(os.Getpid()), 2))
	lastSynced := make([]int64, rounds) // per round, -1: nothing synced
	var delivered []uint64              // committed by a child or drained, in order
	for r := range rounds {
		lastSynced[r] = -1
		killAfter := 3 + rng.IntN(150) // synced batches
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLoop$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashRoundEnv+"="+strconv.Itoa(r))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		syncs := 0
		killed := false
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			kind, num, ok := strings.Cut(line, " ")
			seq, err := strconv.ParseUint(num, 10, 64)
			if !ok || err != nil || kind != "s" && kind != "c" {
				if strings.HasPrefix(line, "---") || strings.HasPrefix(line, "===") || line == "PASS" {
					continue
				}
				t.Fatalf("round %d: child says %q", r, line)
			}
			if kind == "c" {
				delivered = append(delivered, seq)
				continue
			}
			lastSynced[r] = int64(seq & (1<<32 - 1))
			if syncs++; syncs == killAfter && !killed {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		err = cmd.Wait()
		if !killed || err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("round %d: child ended with %v (killed %v)", r, err, killed)
		}
	}
	q := mustOpen(t, crashOptions(dir))
	delivered = append(delivered, drain(t, q)...)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}

	// Order: queue order is round, then index; after a restart the reader
	// may go back by the duplicates.
	seen := map[uint64]int{}
	dups := 0
	for _, s := range delivered {
		if seen[s]++; seen[s] > 1 {
			dups++
		}
	}
	for r := range rounds {
		for i := int64(0); i <= lastSynced[r]; i++ {
			if seen[crashSeq(uint64(r), uint64(i))] == 0 {
				t.Fatalf("round %d: record %d lost (last synced %d)", r, i, lastSynced[r])
			}
		}
	}
	if max := rounds * (crashOptions("").CursorUpdateCount + 1); dups > max {
		t.Fatalf("%d duplicates, more than %d", dups, max)
	}
	for i := 1; i < len(delivered); i++ {
		if delivered[i] <= delivered[i-1] && seen[delivered[i]] == 1 {
			t.Fatalf("out of order: %#x after %#x", delivered[i], delivered[i-1])
		}
	}
	if ids := segmentFiles(t, dir); len(ids) > 1 {
		t.Fatalf("segments left after draining: %v", ids)
	}
	t.Logf("%d rounds, %d records delivered, %d duplicates, last synced %v", rounds, len(delivered), dups, lastSynced)
}

// lockProbeEnv makes TestLockAcrossProcesses's child try to open a queue.
const lockProbeEnv = "DISKQUEUE_LOCK_PROBE"

// A queue open in this process cannot be opened by another one.
func TestLockAcrossProcesses(t *testing.T) {
	if dir := os.Getenv(lockProbeEnv); dir != "" {
		q, err := Open(Options{Dir: dir})
		if err != nil {
			fmt.Println("refused:", err)
			return
		}
		q.Close()
		fmt.Println("opened")
		return
	}
	o := testOptions(t, nil)
	q := mustOpen(t, o)
	probe := func() string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockAcrossProcesses$", "-test.count=1")
		cmd.Env = append(os.Environ(), lockProbeEnv+"="+o.Dir)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("child: %v: %s", err, out)
		}
		return string(out)
	}
	if out := probe(); !strings.Contains(out, "refused: disk queue "+o.Dir+": directory is in use") {
		t.Fatalf("child with the queue open here: %s", out)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if out := probe(); !strings.HasPrefix(out, "opened") {
		t.Fatalf("child after Close: %s", out)
	}
}
