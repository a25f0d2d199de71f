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
// checkpoint.txt). It is replaced atomically: written to a temporary file,
// synced, renamed over the old one, and the directory synced.
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

// writeCheckpoint replaces the checkpoint of dir with p, atomically and
// durably. dirf is the open directory, synced after the rename.
func writeCheckpoint(dir string, dirf *os.File, p position) error {
	tmp := filepath.Join(dir, checkpointTemp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write checkpoint: %w", err)
	}
	// Heka writes "%d %d" with no newline.
	_, err = f.WriteString(strconv.FormatInt(p.id, 10) + " " + strconv.FormatInt(p.off, 10))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, checkpointName))
	}
	if err == nil {
		err = dirf.Sync()
	}
	if err != nil {
		return fmt.Errorf("write checkpoint %s: %w", p, err)
	}
	return nil
}
