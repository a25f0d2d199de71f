package logstreamer

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// compressed reports whether path is a gzip-compressed file of a stream
// (by its .gz suffix, as Heka): such a file is read, journaled and hashed
// by its decompressed bytes, and is taken to be complete (it never grows).
func compressed(path string) bool { return strings.HasSuffix(path, ".gz") }

// gzipAt returns a reader of f's decompressed bytes from decompressed
// offset off on, and the up to hashLen decompressed bytes before off (for
// the journal's hash). It reads f from its start: a compressed file cannot
// be seeked in.
func gzipAt(f *os.File, off int64) (*gzip.Reader, []byte, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, nil, fmt.Errorf("gzip: %w", err)
	}
	lo := max(0, off-hashLen)
	if _, err := io.CopyN(io.Discard, zr, lo); err != nil {
		return nil, nil, fmt.Errorf("gzip: skipping to offset %d: %w", off, err)
	}
	before := make([]byte, off-lo)
	if _, err := io.ReadFull(zr, before); err != nil {
		return nil, nil, fmt.Errorf("gzip: skipping to offset %d: %w", off, err)
	}
	return zr, before, nil
}

// gzipHashAt is hashAt for a compressed file: the journal hash of its
// decompressed bytes at offset, or false when they are fewer than offset
// or do not decompress.
func gzipHashAt(f *os.File, offset int64) (string, bool) {
	_, before, err := gzipAt(f, offset)
	if err != nil {
		return "", false
	}
	return hashOf(before, offset), true
}

// incomplete reports whether err, met while decompressing, says the file
// ended early: a compressor may still be writing it.
func incomplete(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF)
}
