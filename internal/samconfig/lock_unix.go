//go:build !windows

package samconfig

import (
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive lock on the directory of the config file, waiting for another
// samship writing beside it, and returns its release. The directory, not the file, is locked:
// a write replaces the file by renaming another over it, and a lock on the old file would not
// stop the next writer.
func lockDir(dir string) (func(), error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return func() { f.Close() }, nil // closing releases the lock
}
