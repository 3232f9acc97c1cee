//go:build !windows

package registry

import (
	"fmt"
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

// fileKey names the file fi describes by its device and inode: hard links of one file share it.
func fileKey(fi os.FileInfo, path string) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	}
	return path
}
