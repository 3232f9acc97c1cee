package build

import (
	"os"
	"sync"
)

// scratch is a run's temporary directories, removed together at its end.
type scratch struct {
	mu   sync.Mutex
	root string
}

func newScratch() (*scratch, error) {
	root, err := os.MkdirTemp("", "samship-build-")
	if err != nil {
		return nil, err
	}
	return &scratch{root: root}, nil
}

// dir makes a new empty directory.
func (s *scratch) dir(prefix string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return os.MkdirTemp(s.root, prefix+"-")
}

// close removes every directory made.
func (s *scratch) close() error { return os.RemoveAll(s.root) }
