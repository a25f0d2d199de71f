package diskqueue

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestRoundTripConcurrent(t *testing.T) {
	tests := []struct {
		name     string
		n, batch int
		size     int
		fileSize int64
		cuc      int
	}{
		{"small records many segments", 20000, 64, 200, 64 << 10, 100},
		{"large records", 600, 16, 4000, 64 << 10, 1},
		{"one segment", 5000, 100, 100, 512 << 20, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions(t, nil)
			o.MaxFileSize, o.CursorUpdateCount = tc.fileSize, tc.cuc
			q := mustOpen(t, o)
			var wg sync.WaitGroup
			wg.Go(func() {
				for i := 0; i < tc.n; i += tc.batch {
					for j := i; j < min(i+tc.batch, tc.n); j++ {
						if err := q.Append(testMsg(uint64(j), tc.size)); err != nil {
							t.Errorf("Append: %v", err)
							return
						}
					}
					if err := q.Sync(); err != nil {
						t.Errorf("Sync: %v", err)
						return
					}
				}
			})
			for i := range tc.n {
				msg := nextNow(t, q)
				if seq := seqOf(t, msg); seq != uint64(i) {
					t.Fatalf("record %d is seq %d", i, seq)
				}
				if err := q.Commit(); err != nil {
					t.Fatalf("Commit: %v", err)
				}
			}
			wg.Wait()
			st := q.Stats()
			if st.Pending != 0 || st.Appended != int64(tc.n) || st.Committed != int64(tc.n) || st.Corrupt != 0 {
				t.Fatalf("stats %+v", st)
			}
			if err := q.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			// Everything was consumed: at most one segment is left.
			if ids := segmentFiles(t, o.Dir); len(ids) > 1 {
				t.Fatalf("segments left: %v", ids)
			}
			q = mustOpen(t, o)
			defer q.Close()
			if st := q.Stats(); st.Pending != 0 {
				t.Fatalf("reopened: pending %d", st.Pending)
			}
		})
	}
}

func TestSegmentRollAndDelete(t *testing.T) {
	o := testOptions(t, nil)
	o.MaxMessageSize = 1024
	o.MaxFileSize = 4096 // 8 records of 511 bytes
	q := mustOpen(t, o)
	defer q.Close()
	appendSeqs(t, q, 0, 100, 500)
	ids := segmentFiles(t, o.Dir)
	if len(ids) != 13 || q.Stats().Segments != 13 {
		t.Fatalf("segments %v, stats %d, want 13", ids, q.Stats().Segments)
	}
	for _, id := range ids {
		info, err := os.Stat(segmentPath(o.Dir, id))
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() > o.MaxFileSize {
			t.Fatalf("%d.log has %d bytes, max %d", id, info.Size(), o.MaxFileSize)
		}
	}
	if st := q.Stats(); st.Bytes != 100*511 {
		t.Fatalf("Bytes %d, want %d", st.Bytes, 100*511)
	}
	for i := range 100 {
		if seq := seqOf(t, nextNow(t, q)); seq != uint64(i) {
			t.Fatalf("record %d is seq %d", i, seq)
		}
		if err := q.Commit(); err != nil {
			t.Fatal(err)
		}
		// The segment holding the cursor and those after it remain.
		first := ids[0] + int64((i+1)/8)
		if (i+1)%8 == 0 {
			first-- // the reader has not left the segment yet
		}
		if got := segmentFiles(t, o.Dir); got[0] != first {
			t.Fatalf("after record %d: first segment %d, want %d", i, got[0], first)
		}
	}
	// The last segment (written to) holds records 96..99.
	if st := q.Stats(); st.Segments != 1 || st.Bytes != 4*511 {
		t.Fatalf("after draining: %+v", st)
	}
}

func TestRestartResumesAtCheckpoint(t *testing.T) {
	tests := []struct {
		name      string
		cuc       int
		crash     bool
		committed int
		wantFirst uint64
	}{
		{"close", 10, false, 37, 37},
		{"crash cursor_update_count 1", 1, true, 37, 37},
		{"crash cursor_update_count 10", 10, true, 37, 30},
		{"crash cursor_update_count 50", 50, true, 37, 20}, // entering segment 20.. wrote one
		{"crash after segment change", 1000, true, 90, 80}, // the cursor entered segment 80..
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions(t, nil)
			o.MaxMessageSize = 1024
			o.MaxFileSize = 20 * 211 // 20 records a segment
			o.CursorUpdateCount = tc.cuc
			q := mustOpen(t, o)
			appendSeqs(t, q, 0, 100, 200)
			for range tc.committed {
				nextNow(t, q)
				if err := q.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			if tc.crash {
				q.crash()
			} else if err := q.Close(); err != nil {
				t.Fatal(err)
			}
			q = mustOpen(t, o)
			defer q.Close()
			if st := q.Stats(); st.Pending != int64(100-tc.wantFirst) {
				t.Fatalf("pending after reopen %d, want %d", st.Pending, 100-tc.wantFirst)
			}
			got := drain(t, q)
			checkSeqs(t, got, tc.wantFirst, int(100-tc.wantFirst))
			if dups := tc.committed - int(tc.wantFirst); dups > tc.cuc {
				t.Fatalf("%d duplicates, cursor_update_count %d", dups, tc.cuc)
			}
		})
	}
}

func TestCrashLosesOnlyUnsynced(t *testing.T) {
	o := testOptions(t, nil)
	q := mustOpen(t, o)
	appendSeqs(t, q, 0, 50, 100)
	for i := 50; i < 60; i++ { // appended, not synced: may be lost
		if err := q.Append(testMsg(uint64(i), 100)); err != nil {
			t.Fatal(err)
		}
	}
	q.crash()
	q = mustOpen(t, o)
	defer q.Close()
	checkSeqs(t, drain(t, q), 0, 50)
	// The writer goes on in a new segment.
	appendSeqs(t, q, 60, 5, 100)
	checkSeqs(t, drain(t, q), 60, 5)
}

func TestTruncatedLastRecord(t *testing.T) {
	tests := []struct {
		name string
		cut  int // bytes cut from the end of the segment
	}{
		{"one byte", 1},
		{"into the message", 150},
		{"into the header", 205},
		{"after the separator", 210},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logBuffer{}
			o := testOptions(t, logs)
			q := mustOpen(t, o)
			appendSeqs(t, q, 0, 10, 200)
			id := q.w.active.id
			q.crash()
			path := segmentPath(o.Dir, id)
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, info.Size()-int64(tc.cut)); err != nil {
				t.Fatal(err)
			}
			q = mustOpen(t, o)
			defer q.Close()
			if st := q.Stats(); st.Pending != 9 {
				t.Fatalf("pending %d, want 9", st.Pending)
			}
			appendSeqs(t, q, 10, 3, 200)
			got := drain(t, q)
			want := append(seqRange(0, 9), seqRange(10, 13)...)
			if !equalSeqs(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			if st := q.Stats(); st.Corrupt != 1 {
				t.Fatalf("corrupt %d, want 1", st.Corrupt)
			}
			wantLog := fmt.Sprintf("skipped corrupt record at %d.log:%d", id, 9*211)
			if !strings.Contains(logs.String(), wantLog) {
				t.Fatalf("log lacks %q:\n%s", wantLog, logs)
			}
		})
	}
}

func TestFlippedBytes(t *testing.T) {
	tests := []struct {
		name string
		flip []int // offsets in the segment, records of 211 bytes
		lost []uint64
		runs int64
	}{
		{"message byte", []int{50*211 + 100}, []uint64{50}, 1},
		{"separator", []int{50 * 211}, []uint64{50}, 1},
		{"header length", []int{50*211 + 1}, []uint64{50}, 1},
		{"crc", []int{50*211 + 7}, []uint64{50}, 1},
		{"two places", []int{10*211 + 20, 70*211 + 20}, []uint64{10, 70}, 2},
		{"adjacent records", []int{30*211 + 20, 31*211 + 20}, []uint64{30, 31}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logBuffer{}
			o := testOptions(t, logs)
			o.MaxFileSize = 1 << 20
			q := mustOpen(t, o)
			appendSeqs(t, q, 0, 100, 200)
			id := q.w.active.id
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
			path := segmentPath(o.Dir, id)
			b := readFile(t, path)
			for _, off := range tc.flip {
				b[off] ^= 0x55
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			q = mustOpen(t, o)
			defer q.Close()
			want := seqRange(0, 100)
			for _, l := range tc.lost {
				want = without(want, l)
			}
			if st := q.Stats(); st.Pending != int64(len(want)) {
				t.Fatalf("pending %d, want %d", st.Pending, len(want))
			}
			if got := drain(t, q); !equalSeqs(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			if st := q.Stats(); st.Corrupt != tc.runs {
				t.Fatalf("corrupt %d, want %d", st.Corrupt, tc.runs)
			}
			wantLog := fmt.Sprintf("skipped corrupt record at %d.log:%d", id, tc.lost[0]*211)
			if !strings.Contains(logs.String(), wantLog) {
				t.Fatalf("log lacks %q:\n%s", wantLog, logs)
			}
		})
	}
}

func TestBadCheckpoint(t *testing.T) {
	tests := []struct {
		name       string
		checkpoint func(ids []int64) string
		wantFirst  uint64
		warn       bool
	}{
		{"garbage", func([]int64) string { return "}}garbage{{" }, 0, true},
		{"empty", func([]int64) string { return "" }, 0, true},
		{"three numbers", func([]int64) string { return "1 2 3" }, 0, true},
		{"negative", func([]int64) string { return "-1 5" }, 0, true},
		{"huge", func([]int64) string { return strings.Repeat("9", 100) }, 0, true},
		{"deleted file", func(ids []int64) string { return fmt.Sprintf("%d 211", ids[0]-1) }, 0, true},
		{"offset past end", func(ids []int64) string { return fmt.Sprintf("%d 999999", ids[1]) }, 0, true},
		{"valid", func(ids []int64) string { return fmt.Sprintf("%d %d", ids[1], 5*211) }, 25, false},
		{"valid with newline", func(ids []int64) string { return fmt.Sprintf("%d %d\n", ids[1], 5*211) }, 25, false},
		{"missing file at offset 0", func(ids []int64) string { return fmt.Sprintf("%d 0", ids[len(ids)-1]+1) }, 100, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &logBuffer{}
			o := testOptions(t, logs)
			o.MaxMessageSize = 1024
			o.MaxFileSize = 20 * 211
			q := mustOpen(t, o)
			appendSeqs(t, q, 0, 100, 200)
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
			ids := segmentFiles(t, o.Dir)
			if err := os.WriteFile(filepath.Join(o.Dir, checkpointName), []byte(tc.checkpoint(ids)), 0o600); err != nil {
				t.Fatal(err)
			}
			q, err := Open(o)
			if err != nil {
				t.Fatalf("Open refused to start: %v", err)
			}
			defer q.Close()
			checkSeqs(t, drain(t, q), tc.wantFirst, int(100-tc.wantFirst))
			if warned := strings.Contains(logs.String(), "level=WARN"); warned != tc.warn {
				t.Fatalf("warning logged %v, want %v:\n%s", warned, tc.warn, logs)
			}
			// The checkpoint is sane again.
			if _, err := readCheckpoint(o.Dir); err != nil {
				t.Fatalf("checkpoint after Open: %v", err)
			}
		})
	}
}

func TestErrFullAndSpaceFreed(t *testing.T) {
	o := testOptions(t, nil)
	o.MaxMessageSize = 1024
	o.MaxFileSize = 10 * 211
	o.MaxBufferSize = 50 * 211
	q := mustOpen(t, o)
	defer q.Close()
	n := 0
	for ; ; n++ {
		err := q.Append(testMsg(uint64(n), 200))
		if errors.Is(err, ErrFull) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if n != 50 {
		t.Fatalf("full after %d records, want 50", n)
	}
	before := q.Stats()
	if err := q.Append(testMsg(999, 200)); !errors.Is(err, ErrFull) {
		t.Fatalf("second Append when full: %v", err)
	}
	if st := q.Stats(); st != before {
		t.Fatalf("a refused Append changed stats: %+v -> %+v", before, st)
	}
	if err := q.Sync(); err != nil {
		t.Fatal(err)
	}
	if st := q.Stats(); st.Bytes > o.MaxBufferSize {
		t.Fatalf("%d bytes on disk, max %d", st.Bytes, o.MaxBufferSize)
	}
	// Committing the first segment frees its space.
	checkSeqs(t, drain(t, q)[:10], 0, 10)
	if err := q.Append(testMsg(50, 200)); err != nil {
		t.Fatalf("Append after the reader freed space: %v", err)
	}
}

// A buffer smaller than a segment: the writer rolls so that the reader can
// delete what it committed. A blocked writer waits on Freed (full_action
// "block") and loses nothing.
func TestErrFullBlockingWriter(t *testing.T) {
	o := testOptions(t, nil)
	o.MaxMessageSize = 1024
	o.MaxFileSize = 1 << 20
	o.MaxBufferSize = 20 * 211
	q := mustOpen(t, o)
	defer q.Close()
	const n = 1000
	var wg sync.WaitGroup
	fulls := 0
	wg.Go(func() {
		for i := 0; i < n; i++ {
			for {
				err := q.Append(testMsg(uint64(i), 200))
				if err == nil {
					break
				}
				if !errors.Is(err, ErrFull) {
					t.Errorf("Append: %v", err)
					return
				}
				fulls++
				if err := q.Sync(); err != nil {
					t.Errorf("Sync: %v", err)
					return
				}
				select {
				case <-q.Freed():
				case <-t.Context().Done():
					return
				}
			}
			if i%8 == 7 {
				if err := q.Sync(); err != nil {
					t.Errorf("Sync: %v", err)
					return
				}
			}
		}
		if err := q.Sync(); err != nil {
			t.Errorf("Sync: %v", err)
		}
	})
	for i := range n {
		if seq := seqOf(t, nextNow(t, q)); seq != uint64(i) {
			t.Fatalf("record %d is seq %d", i, seq)
		}
		if st := q.Stats(); st.Bytes > o.MaxBufferSize {
			t.Fatalf("%d bytes on disk, max %d", st.Bytes, o.MaxBufferSize)
		}
		if err := q.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if fulls == 0 {
		t.Fatal("the writer never found the queue full")
	}
}

// A write error (ENOSPC injected) fails Sync with ErrFull and discards the
// records appended since the last Sync; the queue goes on.
func TestSyncFailureDiscards(t *testing.T) {
	tests := []struct {
		name string
		op   string
	}{
		{"write", "write"},
		{"fsync", "fsync"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions(t, nil)
			o.MaxMessageSize = 1024
			o.MaxFileSize = 10 * 211
			q := mustOpen(t, o)
			defer q.Close()
			appendSeqs(t, q, 0, 15, 200)
			segs := q.Stats().Segments
			for i := 15; i < 40; i++ { // rolls twice
				if err := q.Append(testMsg(uint64(i), 200)); err != nil {
					t.Fatal(err)
				}
			}
			q.w.fault = func(op string) error {
				if op == tc.op {
					return syscall.ENOSPC
				}
				return nil
			}
			err := q.Sync()
			if !errors.Is(err, ErrFull) || !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("Sync: %v, want ErrFull and ENOSPC", err)
			}
			q.w.fault = nil
			if st := q.Stats(); st.Pending != 15 || st.Appended != 15 || st.Segments != segs || st.Bytes != 15*211 {
				t.Fatalf("stats after the failed sync %+v (segments before %d)", st, segs)
			}
			appendSeqs(t, q, 100, 20, 200)
			want := append(seqRange(0, 15), seqRange(100, 120)...)
			if got := drain(t, q); !equalSeqs(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
			if st := q.Stats(); st.Corrupt != 0 {
				t.Fatalf("corrupt %d", st.Corrupt)
			}
		})
	}
}

func TestSecondOpenFails(t *testing.T) {
	o := testOptions(t, nil)
	q := mustOpen(t, o)
	_, err := Open(o)
	if err == nil || !strings.Contains(err.Error(), o.Dir) || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open: %v", err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	q = mustOpen(t, o)
	q.Close()
}

func TestNextReturnsOnCancelAndClose(t *testing.T) {
	o := testOptions(t, nil)
	q := mustOpen(t, o)
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error)
	go func() {
		_, err := q.Next(ctx)
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Next after cancel: %v", err)
	}
	go func() {
		_, err := q.Next(t.Context())
		errc <- err
	}()
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
	if _, err := q.Next(t.Context()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next on a closed queue: %v", err)
	}
	if err := q.Append([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Append on a closed queue: %v", err)
	}
	if err := q.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close: %v", err)
	}
}

func TestOversizeAppend(t *testing.T) {
	o := testOptions(t, nil)
	o.MaxMessageSize = 1024
	q := mustOpen(t, o)
	defer q.Close()
	err := q.Append(make([]byte, 1025))
	if !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrFull) {
		t.Fatalf("Append 1025 bytes: %v", err)
	}
	if err := q.Append(testMsg(1, 1024)); err != nil {
		t.Fatalf("Append 1024 bytes: %v", err)
	}
	if err := q.Sync(); err != nil {
		t.Fatal(err)
	}
	checkSeqs(t, drain(t, q), 1, 1)
}

func TestCommitWithoutRecord(t *testing.T) {
	q := mustOpen(t, testOptions(t, nil))
	defer q.Close()
	if err := q.Commit(); !errors.Is(err, ErrNothingToCommit) {
		t.Fatalf("Commit: %v", err)
	}
}

func TestBatchCommit(t *testing.T) {
	o := testOptions(t, nil)
	o.MaxMessageSize = 1024
	o.MaxFileSize = 10 * 211
	q := mustOpen(t, o)
	appendSeqs(t, q, 0, 100, 200)
	for range 3 { // 64 records, one Commit, twice: then 36 uncommitted
		for range 32 {
			nextNow(t, q)
		}
		if err := q.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if st := q.Stats(); st.Committed != 96 || st.Pending != 4 {
		t.Fatalf("stats %+v", st)
	}
	q.crash()
	q = mustOpen(t, o)
	defer q.Close()
	checkSeqs(t, drain(t, q), 96, 4)
}

func TestHekaWrittenQueue(t *testing.T) {
	o := testOptions(t, nil)
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	var seg []byte
	for i := range 20 {
		seg = appendRecordHeka(t, seg, testMsg(uint64(i), 150))
	}
	if err := os.WriteFile(filepath.Join(o.Dir, "0.log"), seg, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(o.Dir, checkpointName), []byte(fmt.Sprintf("0 %d", 5*(150+5))), 0o644); err != nil {
		t.Fatal(err)
	}
	q := mustOpen(t, o)
	defer q.Close()
	if st := q.Stats(); st.Pending != 15 {
		t.Fatalf("pending %d", st.Pending)
	}
	checkSeqs(t, drain(t, q), 5, 15)
}

func TestOptionsValidation(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no dir", Options{}, "Dir is empty"},
		{"file size", Options{Dir: dir, MaxFileSize: 1000}, "max file size"},
		{"buffer size", Options{Dir: dir, MaxBufferSize: 1000}, "max buffer size"},
		{"cursor count", Options{Dir: dir, CursorUpdateCount: -1}, "cursor update count"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v, want %q", err, tc.want)
			}
		})
	}
}
