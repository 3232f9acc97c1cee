package registry

import (
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// A layout's blob file that was read whole and found to match its digest and diff id is
// remembered by its identity (device and inode where there are such, size, modification
// time): the next deploy of an image holding it (samship build's layouts hard-link the same
// base layers every time) does not read hundreds of megabytes again to learn what it knew.
// A file changed since has another identity and is read again.

// verifiedDir holds one small file per verified blob digest, naming the file identity it was
// verified as.
func (c *LayerCache) verifiedDir() string {
	if c == nil || c.Dir == "" {
		return ""
	}
	return filepath.Join(c.Dir, "verified")
}

// Verified reports whether the blob file at path was verified as digest before, unchanged.
func (c *LayerCache) Verified(path string, digest v1.Hash) bool {
	dir := c.verifiedDir()
	if dir == "" {
		return false
	}
	id, ok := identity(path)
	if !ok {
		return false
	}
	b, err := os.ReadFile(filepath.Join(dir, digest.Hex))
	return err == nil && string(b) == id
}

// MarkVerified remembers that the blob file at path is digest, verified whole; a failure to
// remember only costs the next deploy a read.
func (c *LayerCache) MarkVerified(path string, digest v1.Hash) {
	dir := c.verifiedDir()
	id, ok := identity(path)
	if dir == "" || !ok || os.MkdirAll(dir, 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.WriteString(id)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if os.Rename(tmp.Name(), filepath.Join(dir, digest.Hex)) != nil {
		os.Remove(tmp.Name())
	}
}

// identity names the file at path as it is now.
func identity(path string) (string, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	return fmt.Sprintf("%s %d %d", fileKey(fi, path), fi.Size(), fi.ModTime().UnixNano()), true
}
