//go:build !unix

package config

import "os"

// usable reports whether dir exists (write access is not checked here).
func usable(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}
