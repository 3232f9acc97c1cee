package registry

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestScratchSweep: a run's directory is made on first use and removed by Close; the next run
// removes what a killed run left (its lock is free), but not a live run's directory, nor a
// young directory whose run has not locked it yet; old temporary files of earlier versions go.
func TestScratchSweep(t *testing.T) {
	base := t.TempDir()
	live := NewScratch(base)
	if entries, _ := os.ReadDir(base); len(entries) != 0 {
		t.Fatalf("NewScratch made %d entries before any use", len(entries))
	}
	f, err := live.CreateTemp("layer-*.gz")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	liveDir, _ := live.Dir()

	// A killed run: its directory and lock file are there, nobody holds the lock.
	killed := filepath.Join(base, scratchPrefix+"killed")
	os.MkdirAll(killed, 0o755)
	os.WriteFile(filepath.Join(killed, "lock"), nil, 0o644)
	os.WriteFile(filepath.Join(killed, "layer-1.gz"), make([]byte, 1000), 0o644)
	// A run between making its directory and locking it.
	young := filepath.Join(base, scratchPrefix+"young")
	os.MkdirAll(young, 0o755)
	// Leftovers of earlier versions: an old engine archive and a fresh one.
	old := filepath.Join(base, "samship-engine-1.tar")
	os.WriteFile(old, nil, 0o644)
	os.Chtimes(old, time.Now().Add(-48*time.Hour), time.Now().Add(-48*time.Hour))
	fresh := filepath.Join(base, "samship-engine-2.tar")
	os.WriteFile(fresh, nil, 0o644)
	other := filepath.Join(base, "someone-else")
	os.WriteFile(other, nil, 0o644)

	next := NewScratch(base)
	var left []string
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{filepath.Base(fresh), "someone-else", filepath.Base(liveDir), scratchPrefix + "young"}
	for _, w := range want {
		if !strings.Contains(strings.Join(left, " "), w) {
			t.Errorf("the sweep removed %s; left %v", w, left)
		}
	}
	if len(left) != len(want) {
		t.Errorf("after the sweep: %v, want %v", left, want)
	}
	live.Close()
	next.Close()
	if _, err := os.Stat(liveDir); !os.IsNotExist(err) {
		t.Errorf("Close() left %s", liveDir)
	}
}

// TestLayerCache: entries survive a new cache on the same directory, per registry; a line a
// killed run cut short is skipped; a cache without a directory remembers nothing.
func TestLayerCache(t *testing.T) {
	dir := t.TempDir()
	diff, _ := v1.NewHash("sha256:" + strings.Repeat("a", 64))
	blob, _ := v1.NewHash("sha256:" + strings.Repeat("b", 64))
	c := &LayerCache{Dir: dir}
	c.Add("r1.example", diff, CachedLayer{Digest: blob, Size: 10, Uncompressed: 20})
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(c.file("r1.example"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("sha256:" + strings.Repeat("c", 64) + " sha256:dd")
	f.Close()
	again := &LayerCache{Dir: dir}
	if got, ok := again.Lookup("r1.example", diff); !ok || got != (CachedLayer{Digest: blob, Size: 10, Uncompressed: 20}) {
		t.Errorf("Lookup() = %+v, %v after a reload", got, ok)
	}
	if _, ok := again.Lookup("r2.example", diff); ok {
		t.Error("Lookup() found another registry's entry")
	}
	var none *LayerCache
	none.Add("r1.example", diff, CachedLayer{})
	if _, ok := none.Lookup("r1.example", diff); ok || none.Save() != nil {
		t.Error("a nil cache remembered something")
	}
}
