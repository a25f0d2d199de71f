package diskqueue

import "testing"

// TestCommitMark reads ahead of what is committed, across segments, and
// commits only up to marks: a restart (after a crash, the checkpoint kept)
// resumes just past the last committed mark.
func TestCommitMark(t *testing.T) {
	o := testOptions(t, nil)
	o.CursorUpdateCount = 1
	q := mustOpen(t, o)
	appendSeqs(t, q, 0, 300, 1000) // several 64 KiB segments
	var marks []Mark
	for i := range 300 {
		if got := seqOf(t, nextNow(t, q)); got != uint64(i) {
			t.Fatalf("record %d: got %d", i, got)
		}
		marks = append(marks, q.Mark())
	}
	if err := q.CommitMark(marks[9]); err != nil {
		t.Fatal(err)
	}
	if err := q.CommitMark(marks[9]); err != nil { // again: nothing
		t.Fatal(err)
	}
	if err := q.CommitMark(marks[149]); err != nil {
		t.Fatal(err)
	}
	if st := q.Stats(); st.Committed != 150 || st.Pending != 150 {
		t.Fatalf("stats %+v, want 150 committed, 150 pending", st)
	}
	q.crash()
	q = mustOpen(t, o)
	got := drain(t, q)
	checkSeqs(t, got, 150, 150)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
}
