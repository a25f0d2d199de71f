//go:build unix

package diskqueue

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockName is the lock file of a queue directory.
const lockName = "lock"

// lockDir takes an exclusive flock on dir's lock file, without waiting. The
// lock is held by the returned file and released when it is closed, or when
// the process dies. flock locks belong to the open file, so a second lock of
// the same directory fails in the same process as in another one.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.New("directory is in use by another queue (lock held by this or another process)")
		}
		return nil, fmt.Errorf("lock: %w", err)
	}
	return f, nil
}

// isNoSpace reports whether err says the file system is full (or the
// user's quota exhausted).
func isNoSpace(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
