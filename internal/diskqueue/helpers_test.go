package diskqueue

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hekad-go/hekad/message"
)

// crash drops the queue as kill -9 would: the files and the lock are closed,
// nothing buffered is written, no checkpoint is written.
func (q *Queue) crash() {
	q.abandon()
}

// testMsg returns message seq of the given size (at least 8 bytes): the
// sequence number, then filler derived from it.
func testMsg(seq uint64, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint64(b, seq)
	for i := 8; i < size; i++ {
		b[i] = byte(seq + uint64(i))
	}
	return b
}

// seqOf returns the sequence number of a test message.
func seqOf(t testing.TB, msg []byte) uint64 {
	t.Helper()
	if len(msg) < 8 {
		t.Fatalf("message of %d bytes", len(msg))
	}
	seq := binary.BigEndian.Uint64(msg)
	if !bytes.Equal(msg, testMsg(seq, len(msg))) {
		t.Fatalf("message %d: content differs", seq)
	}
	return seq
}

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testOptions returns options in a new temporary directory, logging to logs.
func testOptions(t testing.TB, logs *logBuffer) Options {
	var h slog.Handler = slog.DiscardHandler
	if logs != nil {
		h = slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})
	}
	return Options{
		Dir:            filepath.Join(t.TempDir(), "output_queue", "out"),
		MaxMessageSize: 4096,
		MaxFileSize:    64 << 10,
		Logger:         slog.New(h),
	}
}

func mustOpen(t testing.TB, o Options) *Queue {
	t.Helper()
	q, err := Open(o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return q
}

// appendSeqs appends messages first..first+n-1 and syncs.
func appendSeqs(t testing.TB, q *Queue, first uint64, n, size int) {
	t.Helper()
	for i := range n {
		if err := q.Append(testMsg(first+uint64(i), size)); err != nil {
			t.Fatalf("Append %d: %v", first+uint64(i), err)
		}
	}
	if err := q.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
}

// nextNow returns the next record, failing if none is ready: every record
// the tests expect was synced before.
func nextNow(t testing.TB, q *Queue) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	msg, err := q.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return msg
}

// drain reads and commits every synced record, returning their sequence
// numbers. It stops when Next would block.
func drain(t testing.TB, q *Queue) []uint64 {
	t.Helper()
	var seqs []uint64
	for {
		ctx, cancel := context.WithCancel(t.Context())
		cancel() // Next still returns the records that are ready
		msg, err := q.Next(ctx)
		if errors.Is(err, context.Canceled) {
			return seqs
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		seqs = append(seqs, seqOf(t, msg))
		if err := q.Commit(); err != nil {
			t.Fatalf("Commit: %v", err)
		}
	}
}

// segmentFiles returns the ids of the segment files in dir.
func segmentFiles(t testing.TB, dir string) []int64 {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(segs))
	for i, s := range segs {
		ids[i] = s.id
	}
	return ids
}

// checkSeqs fails unless got is first, first+1, ..., first+n-1.
func checkSeqs(t testing.TB, got []uint64, first uint64, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("got %d records, want %d (first %v)", len(got), n, head(got))
	}
	for i, s := range got {
		if s != first+uint64(i) {
			t.Fatalf("record %d is seq %d, want %d", i, s, first+uint64(i))
		}
	}
}

func head(s []uint64) []uint64 {
	if len(s) > 10 {
		return s[:10]
	}
	return s
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// appendRecordHeka frames msg as Heka does (no CRC).
func appendRecordHeka(t testing.TB, dst, msg []byte) []byte {
	t.Helper()
	dst, err := message.AppendFrame(dst, msg, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
