package registry

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// scratchPrefix starts the name of every run's scratch directory.
const scratchPrefix = "samship-run-"

// Scratch is one run's directory for temporary files (compressed layers on their way to a
// registry, unpacked OCI archives), made on first use under Base and removed by Close. The
// run holds a lock on it while it lives: a run that was killed (SIGKILL, a lost machine)
// leaves its directory unlocked, and the next run removes it.
type Scratch struct {
	// Base is where the directory goes (os.TempDir when empty).
	Base string

	mu   sync.Mutex
	dir  string
	lock *os.File
}

// NewScratch returns a scratch area under base and removes what killed runs left there.
func NewScratch(base string) *Scratch {
	s := &Scratch{Base: base}
	s.sweep()
	return s
}

func (s *Scratch) base() string {
	if s.Base != "" {
		return s.Base
	}
	return os.TempDir()
}

// Dir returns the run's directory, made (and locked) on first use.
func (s *Scratch) Dir() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir != "" {
		return s.dir, nil
	}
	dir, err := os.MkdirTemp(s.base(), scratchPrefix)
	if err != nil {
		return "", err
	}
	f, err := os.Create(filepath.Join(dir, "lock"))
	if err == nil {
		err = lock(f)
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		os.RemoveAll(dir)
		return "", err
	}
	s.dir, s.lock = dir, f
	return dir, nil
}

// CreateTemp makes a new file in the run's directory (os.CreateTemp's pattern).
func (s *Scratch) CreateTemp(pattern string) (*os.File, error) {
	dir, err := s.Dir()
	if err != nil {
		return nil, err
	}
	return os.CreateTemp(dir, pattern)
}

// MkdirTemp makes a new directory in the run's directory (os.MkdirTemp's pattern).
func (s *Scratch) MkdirTemp(pattern string) (string, error) {
	dir, err := s.Dir()
	if err != nil {
		return "", err
	}
	return os.MkdirTemp(dir, pattern)
}

// Close removes the run's directory and everything in it.
func (s *Scratch) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dir == "" {
		return
	}
	os.RemoveAll(s.dir)
	s.lock.Close()
	s.dir, s.lock = "", nil
}

// legacyAge is how old the temporary files of samship versions before scratch directories
// must be before a run removes them: they carry no lock to tell whether their run still lives.
const legacyAge = 24 * time.Hour

// sweep removes the scratch directories of runs that no longer hold their lock, and old
// temporary files of earlier versions.
func (s *Scratch) sweep() {
	base := s.base()
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(base, e.Name())
		switch {
		case strings.HasPrefix(e.Name(), scratchPrefix) && e.IsDir():
			if abandoned(p) {
				os.RemoveAll(p)
			}
		case strings.HasPrefix(e.Name(), "samship-engine-") && strings.HasSuffix(e.Name(), ".tar"),
			strings.HasPrefix(e.Name(), "samship-oci-") && e.IsDir():
			if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > legacyAge {
				os.RemoveAll(p)
			}
		}
	}
}

// abandoned reports whether no live run holds the lock of scratch directory dir. A directory
// without a lock file is one whose run was killed between making it and locking it.
func abandoned(dir string) bool {
	path := filepath.Join(dir, "lock")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		fi, serr := os.Stat(dir)
		return serr == nil && time.Since(fi.ModTime()) > time.Minute
	}
	return unlocked(path)
}
