package samconfig

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// lockDir takes the lock of the config file's directory: a lock file created exclusively,
// retried while another samship holds it (one left by a killed run is taken over after a
// minute), and returns its release.
func lockDir(dir string) (func(), error) {
	path := filepath.Join(dir, ".samship-samconfig.lock")
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !os.IsExist(err) {
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > time.Minute || time.Since(start) > 2*time.Minute {
			os.Remove(path)
		}
	}
}
