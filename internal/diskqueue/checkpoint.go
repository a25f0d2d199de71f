package diskqueue

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The checkpoint file holds the cursor as "<segment id> <offset>" in ASCII,
// offset being the byte after the last committed record (Heka's
// checkpoint.txt), padded with spaces to a fixed width. Open creates it
// atomically (a temporary file, synced, renamed over the old one, the
// directory synced); after that the reader overwrites it in place, so that
// moving the cursor never needs new disk space: a full disk cannot stop the
// reader from freeing it. An in-place write survives a kill -9 of hekad
// (the page cache keeps it); the file is synced before the segments behind
// the cursor are deleted and at Close. A crash of the machine may leave an
// older checkpoint (duplicates) or a torn one, which Open reports and
// replaces by the oldest segment (duplicates, never loss).
const (
	checkpointName = "checkpoint.txt"
	checkpointTemp = "checkpoint.txt.tmp"
	// checkpointWidth is the padded size of the checkpoint: two int64 in
	// decimal and a space fit.
	checkpointWidth = 48
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

// checkpointBytes is p as the checkpoint file holds it.
func checkpointBytes(p position) []byte {
	b := make([]byte, 0, checkpointWidth)
	b = strconv.AppendInt(b, p.id, 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, p.off, 10)
	for len(b) < checkpointWidth {
		b = append(b, ' ')
	}
	return b
}

// createCheckpoint replaces the checkpoint of dir with p, atomically and
// durably (dirf, the open directory, is synced after the rename), and
// returns the file opened for in-place updates.
func createCheckpoint(dir string, dirf *os.File, p position) (*os.File, error) {
	tmp := filepath.Join(dir, checkpointTemp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write checkpoint: %w", err)
	}
	_, err = f.Write(checkpointBytes(p))
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, checkpointName))
	}
	if err == nil {
		err = dirf.Sync()
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("write checkpoint %s: %w", p, err)
	}
	return f, nil
}

// updateCheckpoint overwrites the checkpoint file f with p in place, and
// syncs it if durable is set.
func updateCheckpoint(f *os.File, p position, durable bool) error {
	_, err := f.WriteAt(checkpointBytes(p), 0)
	if err == nil && durable {
		err = f.Sync()
	}
	if err != nil {
		return fmt.Errorf("write checkpoint %s: %w", p, err)
	}
	return nil
}
