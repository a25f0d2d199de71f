package logstreamer

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// hashLen is how many bytes before the seek position the journal hashes,
// as Heka's.
const hashLen = 500

// Location is a stream's seek journal, in Heka's JSON format: the file,
// the offset just past what was done with, and the SHA-1 (hex) of the up
// to 500 bytes before that offset, zero-padded in front to 500 bytes ("" at
// offset 0). The hash tells, at the next start, whether the file at that
// name still holds what was read, or which rotated file does.
type Location struct {
	Seek     int64  `json:"seek"`
	FileName string `json:"file_name"`
	Hash     string `json:"last_hash"`
}

// hashOf returns the journal hash of the bytes before offset, of which
// tail holds the last min(offset, 500).
func hashOf(tail []byte, offset int64) string {
	if offset == 0 {
		return ""
	}
	h := sha1.New()
	if len(tail) < hashLen {
		h.Write(make([]byte, hashLen-len(tail)))
	}
	h.Write(tail)
	return hex.EncodeToString(h.Sum(nil))
}

// hashAt returns the journal hash of f at offset, or false when f is
// shorter than offset.
func hashAt(f *os.File, offset int64) (string, bool) {
	lo := max(0, offset-hashLen)
	buf := make([]byte, offset-lo)
	if _, err := f.ReadAt(buf, lo); err != nil && !(err == io.EOF && len(buf) == 0) {
		return "", false
	}
	return hashOf(buf, offset), true
}

// journalPath is the journal file of a stream: its name, with path
// separators replaced, in dir.
func journalPath(dir, stream string) string {
	return filepath.Join(dir, strings.NewReplacer("/", "_", "\\", "_").Replace(stream))
}

// loadJournal reads a journal. A missing or empty file is no position
// (false, nil); one that does not parse is an error (the caller warns and
// starts over: duplicates, never a refusal to start).
func loadJournal(path string) (Location, bool, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return Location{}, false, nil
	}
	if err != nil {
		return Location{}, false, err
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return Location{}, false, nil
	}
	var loc Location
	if err := json.Unmarshal(data, &loc); err != nil {
		return Location{}, false, fmt.Errorf("journal %s: %w", path, err)
	}
	if loc.Seek < 0 {
		return Location{}, false, fmt.Errorf("journal %s: negative seek %d", path, loc.Seek)
	}
	return loc, true, nil
}

// saveJournal writes a journal atomically: a temporary file in the same
// directory, optionally fsynced, renamed over the journal. A reader (or a
// restart after kill -9) sees the old journal or the new one, never a
// torn one.
func saveJournal(path string, loc Location, sync bool) error {
	data, err := json.Marshal(loc)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
