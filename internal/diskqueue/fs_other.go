//go:build !unix

package diskqueue

import (
	"errors"
	"os"
	"syscall"
)

// lockDir is not implemented on this platform: a queue cannot be opened.
func lockDir(dir string) (*os.File, error) {
	return nil, errors.New("directory locking is not supported on this platform")
}

// isNoSpace reports whether err says the file system is full.
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC)
}
