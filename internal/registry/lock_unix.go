//go:build !windows

package registry

import (
	"os"
	"syscall"
)

// lock takes an exclusive lock on f for as long as it is open: the run's scratch directory is
// in use.
func lock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }

// unlocked reports whether no live process holds the lock on the file at path.
func unlocked(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return lock(f) == nil
}
