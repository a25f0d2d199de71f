package diskqueue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// benchOptions: Heka's TcpOutput defaults (128 MiB segments).
func benchOptions(b *testing.B, cuc int) Options {
	return Options{Dir: b.TempDir(), MaxFileSize: 128 << 20, CursorUpdateCount: cuc}
}

// BenchmarkAppendSync appends 200-byte messages in groups, one Sync per
// group (one write and one fsync).
func BenchmarkAppendSync(b *testing.B) {
	for _, group := range []int{1, 64, 1024} {
		b.Run(fmt.Sprintf("group=%d", group), func(b *testing.B) {
			q, err := Open(benchOptions(b, 1))
			if err != nil {
				b.Fatal(err)
			}
			defer q.Close()
			msg := testMsg(1, 200)
			b.ReportAllocs()
			b.SetBytes(int64(group * len(msg)))
			for b.Loop() {
				for range group {
					if err := q.Append(msg); err != nil {
						b.Fatal(err)
					}
				}
				if err := q.Sync(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*group)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkNextCommit reads 200-byte records: one Commit per record (with a
// checkpoint every 1000 or every Commit), or one Commit per 64 records.
func BenchmarkNextCommit(b *testing.B) {
	tests := []struct {
		name       string
		perCommit  int
		cursorEach int
	}{
		{"commit-each/cursor_update_count=1000", 1, 1000},
		{"commit-per-64/cursor_update_count=1", 64, 1},
		{"commit-each/cursor_update_count=1", 1, 1},
	}
	for _, tc := range tests {
		b.Run(tc.name, func(b *testing.B) {
			q, err := Open(benchOptions(b, tc.cursorEach))
			if err != nil {
				b.Fatal(err)
			}
			defer q.Close()
			msg := testMsg(1, 200)
			ctx := context.Background()
			const refill = 64 << 10
			b.ReportAllocs()
			b.SetBytes(int64(tc.perCommit * len(msg)))
			for b.Loop() {
				if q.Stats().Pending < int64(tc.perCommit) {
					b.StopTimer()
					for range refill {
						if err := q.Append(msg); err != nil {
							b.Fatal(err)
						}
					}
					if err := q.Sync(); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				for range tc.perCommit {
					if _, err := q.Next(ctx); err != nil {
						b.Fatal(err)
					}
				}
				if err := q.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*tc.perCommit)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkWriteRead runs a writer (Sync per group of records) and a
// reader (Next each, Commit per 64 or when none is ready, checkpoint every 16
// Commits) together;
// each iteration is 64 records through the queue.
func BenchmarkWriteRead(b *testing.B) {
	for _, group := range []int{64, 256, 1024} {
		b.Run(fmt.Sprintf("group=%d", group), func(b *testing.B) {
			o := benchOptions(b, 16)
			o.MaxBufferSize = 64 << 20 // the writer may run ahead by this much
			q, err := Open(o)
			if err != nil {
				b.Fatal(err)
			}
			defer q.Close()
			msg := testMsg(1, 200)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					for range group {
						for {
							err := q.Append(msg)
							if err == nil {
								break
							}
							if err := q.Sync(); err != nil {
								b.Error(err)
								return
							}
							select {
							case <-q.Freed():
							case <-stop:
								return
							}
						}
					}
					if err := q.Sync(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			// The reader commits every 64 records, and before it would
			// block: a reader must not wait while it holds uncommitted
			// records, or a full writer and it wait for each other.
			ctx := context.Background()
			ready, cancel := context.WithCancel(ctx)
			cancel()
			uncommitted := 0
			commit := func() {
				if err := q.Commit(); err != nil {
					b.Fatal(err)
				}
				uncommitted = 0
			}
			b.ReportAllocs()
			b.SetBytes(64 * int64(len(msg)))
			for b.Loop() {
				for range 64 {
					_, err := q.Next(ready)
					if errors.Is(err, context.Canceled) {
						if uncommitted > 0 {
							commit()
						}
						_, err = q.Next(ctx)
					}
					if err != nil {
						b.Fatal(err)
					}
					if uncommitted++; uncommitted == 64 {
						commit()
					}
				}
			}
			b.ReportMetric(float64(b.N*64)/b.Elapsed().Seconds(), "records/s")
			close(stop)
			wg.Wait()
		})
	}
}

// Append, Next and Commit (without a checkpoint write) do not allocate.
func TestHotPathAllocs(t *testing.T) {
	o := testOptions(t, nil)
	o.MaxFileSize = 128 << 20
	o.CursorUpdateCount = 1 << 30
	q := mustOpen(t, o)
	defer q.Close()
	msg := testMsg(1, 200)
	appendSeqs(t, q, 0, 64, 200) // warm the buffer
	if n := testing.AllocsPerRun(20, func() {
		for range 64 {
			if err := q.Append(msg); err != nil {
				t.Fatal(err)
			}
		}
		if err := q.Sync(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Append+Sync: %v allocations", n)
	}
	ctx := context.Background()
	nextNow(t, q)
	if err := q.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() {
		if _, err := q.Next(ctx); err != nil {
			t.Fatal(err)
		}
		if err := q.Commit(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Next+Commit: %v allocations", n)
	}
}
