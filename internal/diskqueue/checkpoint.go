package diskqueue

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The checkpoint file holds the cursor as "<segment id> <offset>" in ASCII,
// offset being the byte after the last committed record (Heka's
// checkpoint.txt). It is replaced atomically: written to a temporary file
// and renamed over the old one. A durable replacement also syncs the file
// before the rename and the directory after it; the others survive a crash
// of the process (kill -9: the kernel keeps what was written) but not
// necessarily a power loss, after which the checkpoint may be an older one
// (more records delivered again, none lost) or unreadable (Open falls back
// to the oldest segment, which is never past the cursor: segments are only
// deleted after a durable checkpoint past them).
const (
	checkpointName = "checkpoint.txt"
	checkpointTemp = "checkpoint.txt.tmp"
)

// position is a place in the queue: a segment id and a byte offset in it.
type position struct {
	id  int64
	off int64
}

func (p position) String() string {
	return segmentName(p.id) + ":" + strconv.FormatInt(p.off, 10)
}

// errNoCheckpoint: the queue has no checkpoint file.
var errNoCheckpoint = errors.New("no checkpoint")

// readCheckpoint reads the checkpoint of dir. It returns errNoCheckpoint
// when there is none, or an error naming what is wrong with it.
func readCheckpoint(dir string) (position, error) {
	b, err := os.ReadFile(filepath.Join(dir, checkpointName))
	if errors.Is(err, os.ErrNotExist) {
		return position{}, errNoCheckpoint
	}
	if err != nil {
		return position{}, err
	}
	return parseCheckpoint(b)
}

// parseCheckpoint parses "<id> <offset>", surrounding white space allowed.
func parseCheckpoint(b []byte) (position, error) {
	if len(b) > 64 {
		return position{}, fmt.Errorf("%d bytes, want \"<id> <offset>\"", len(b))
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return position{}, fmt.Errorf("%q: want \"<id> <offset>\"", b)
	}
	id, err1 := strconv.ParseInt(f[0], 10, 64)
	off, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil || id < 0 || off < 0 {
		return position{}, fmt.Errorf("%q: want two non-negative integers", b)
	}
	return position{id: id, off: off}, nil
}

// checkpointSyncInterval is the longest time between two durable
// checkpoint writes while the cursor moves: after a power loss at most the
// records committed in that time (or since the reader entered its
// segment) are delivered again.
const checkpointSyncInterval = time.Second

// writeCheckpoint replaces the checkpoint with p. A durable write goes to
// a temporary file, synced, renamed over the checkpoint, and the directory
// synced; the checkpoint is then kept open. A plain write overwrites the
// open checkpoint in place when the new text is at least as long as the
// old (always, while the reader stays in one segment: the offset only
// grows), which a crash of the process cannot tear (one pwrite of a few
// bytes); otherwise it is a temporary file renamed over the checkpoint
// without syncs. (Renaming over a file costs ext4 a write-out of the new
// one, about 70 µs on the development VM, so it is kept off the common
// path.)
func (q *Queue) writeCheckpoint(p position, durable bool) error {
	text := strconv.AppendInt(q.ckptBuf[:0], p.id, 10)
	text = append(text, ' ')
	text = strconv.AppendInt(text, p.off, 10) // Heka writes "%d %d" with no newline
	q.ckptBuf = text
	if !durable && q.ckptf != nil && len(text) >= q.ckptLen {
		if _, err := q.ckptf.WriteAt(text, 0); err != nil {
			return fmt.Errorf("write checkpoint %s: %w", p, err)
		}
		q.ckptLen = len(text)
		return nil
	}
	tmp := filepath.Join(q.dir, checkpointTemp)
	name := filepath.Join(q.dir, checkpointName)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	_, err = f.Write(text)
	if err == nil && durable {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err == nil && durable {
		err = q.dirf.Sync()
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("write checkpoint %s: %w", p, err)
	}
	// f is the checkpoint now: later plain writes go to it in place.
	q.closeCheckpoint()
	q.ckptf, q.ckptLen = f, len(text)
	return nil
}

// closeCheckpoint closes the checkpoint file kept open for writes in place.
func (q *Queue) closeCheckpoint() {
	if q.ckptf != nil {
		q.ckptf.Close()
		q.ckptf = nil
	}
}
