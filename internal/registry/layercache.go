package registry

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// LayerCache remembers, per registry, the compressed blob each uncompressed layer (by diff id)
// was pushed as: an engine's layers are uncompressed, so without it every push compresses
// every layer again just to learn the digests a manifest names. It is a hint: a blob it names
// is used only when the registry holds it, and each layer read is still checked against its
// diff id. The entries are lines appended to one file per registry, so runs at the same time
// neither block nor lose each other's entries.
type LayerCache struct {
	// Dir holds the files ($XDG_CACHE_HOME/samship/layers); empty: nothing is remembered.
	Dir string

	mu      sync.Mutex
	loaded  map[string]map[v1.Hash]CachedLayer // by registry
	entries map[string][]string                // lines to append, by registry
}

// CachedLayer is what a layer was pushed as.
type CachedLayer struct {
	Digest v1.Hash // of the compressed blob
	Size   int64   // of the compressed blob
	// Uncompressed is the layer's size as the engine exports it (its tar).
	Uncompressed int64
}

func (c *LayerCache) file(registry string) string {
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, registry)
	return filepath.Join(c.Dir, name)
}

// Lookup returns what diffID was pushed as to registry.
func (c *LayerCache) Lookup(registry string, diffID v1.Hash) (CachedLayer, bool) {
	if c == nil || c.Dir == "" {
		return CachedLayer{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.load(registry)
	l, ok := m[diffID]
	return l, ok
}

// load reads registry's file once; lines it cannot parse (a line a killed run cut short) are
// skipped, and a later line wins.
func (c *LayerCache) load(registry string) map[v1.Hash]CachedLayer {
	if c.loaded == nil {
		c.loaded = map[string]map[v1.Hash]CachedLayer{}
	}
	if m, ok := c.loaded[registry]; ok {
		return m
	}
	m := map[v1.Hash]CachedLayer{}
	c.loaded[registry] = m
	f, err := os.Open(c.file(registry))
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 4 {
			continue
		}
		diff, err1 := v1.NewHash(fields[0])
		d, err2 := v1.NewHash(fields[1])
		size, err3 := strconv.ParseInt(fields[2], 10, 64)
		usize, err4 := strconv.ParseInt(fields[3], 10, 64)
		if err1 == nil && err2 == nil && err3 == nil && err4 == nil {
			m[diff] = CachedLayer{Digest: d, Size: size, Uncompressed: usize}
		}
	}
	return m
}

// Add records that diffID is blob l in registry; Save writes what was added.
func (c *LayerCache) Add(registry string, diffID v1.Hash, l CachedLayer) {
	if c == nil || c.Dir == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.load(registry)
	if m[diffID] == l {
		return
	}
	m[diffID] = l
	if c.entries == nil {
		c.entries = map[string][]string{}
	}
	c.entries[registry] = append(c.entries[registry], fmt.Sprintf("%s %s %d %d\n", diffID, l.Digest, l.Size, l.Uncompressed))
}

// Save appends the entries added since the last Save, one write per registry.
func (c *LayerCache) Save() error {
	if c == nil || c.Dir == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for registry, lines := range c.entries {
		if err := os.MkdirAll(c.Dir, 0o755); err != nil {
			return fmt.Errorf("save layer cache: %w", err)
		}
		f, err := os.OpenFile(c.file(registry), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return fmt.Errorf("save layer cache: %w", err)
		}
		_, err = f.WriteString(strings.Join(lines, ""))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("save layer cache: %w", err)
		}
	}
	c.entries = nil
	return nil
}
