package build

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// file is one entry of a layer: a path in the image with where its bytes come from.
type file struct {
	// Path is absolute in the image ("/var/task/app.py").
	Path string
	// Mode holds the permission bits and the type (fs.ModeDir, fs.ModeSymlink).
	Mode     os.FileMode
	UID, GID int
	// Src is the file on this machine holding the bytes ("" for a directory or link).
	Src string
	// Link is a symlink's target.
	Link string
}

func (f file) dir() bool  { return f.Mode.IsDir() }
func (f file) link() bool { return f.Mode&os.ModeSymlink != 0 }

// layerFiles sorts files by path and adds the parent directories none of them names (root's,
// 0755), as docker build's COPY creates them, so the tar has every directory before its
// entries. A path given twice keeps its last entry (a later source wins, as in COPY).
func layerFiles(files []file) []file {
	byPath := map[string]file{}
	for _, f := range files {
		byPath[f.Path] = f
		for d := path.Dir(f.Path); d != "/" && d != "."; d = path.Dir(d) {
			if _, ok := byPath[d]; !ok {
				byPath[d] = file{Path: d, Mode: os.ModeDir | 0o755}
			}
		}
	}
	out := make([]file, 0, len(byPath))
	for _, f := range byPath {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// key is the layer cache key of files: their paths, modes, owners, link targets and contents.
// Reading every file's bytes is the price of knowing the layer is unchanged; compressing them,
// the larger one, is what the cache saves.
func filesKey(files []file) (string, error) {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%q %o %d %d %q\n", f.Path, uint32(f.Mode), f.UID, f.GID, f.Link)
		if f.Src == "" {
			continue
		}
		if err := hashFile(h, f.Src); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(h hash.Hash, name string) error {
	r, err := os.Open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	n, err := io.Copy(h, r)
	fmt.Fprintf(h, "\n%d\n", n)
	return err
}

// writeTar writes files as a tar with every time set to mtime and no user or group names:
// the same files give the same bytes on any machine.
func writeTar(w io.Writer, files []file, mtime time.Time) error {
	tw := tar.NewWriter(w)
	for _, f := range files {
		hdr := &tar.Header{Name: strings.TrimPrefix(f.Path, "/"), Mode: int64(f.Mode.Perm()) | special(f.Mode),
			Uid: f.UID, Gid: f.GID, ModTime: mtime, Format: tar.FormatPAX}
		switch {
		case f.dir():
			hdr.Typeflag, hdr.Name = tar.TypeDir, hdr.Name+"/"
		case f.link():
			hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, f.Link
		default:
			fi, err := os.Stat(f.Src)
			if err != nil {
				return err
			}
			hdr.Typeflag, hdr.Size = tar.TypeReg, fi.Size()
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeReg {
			if err := copyFile(tw, f.Src, hdr.Size); err != nil {
				return err
			}
		}
	}
	return tw.Close()
}

func special(m os.FileMode) int64 {
	var s int64
	if m&os.ModeSetuid != 0 {
		s |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		s |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		s |= 0o1000
	}
	return s
}

func copyFile(w io.Writer, name string, size int64) error {
	r, err := os.Open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	n, err := io.Copy(w, io.LimitReader(r, size))
	if err == nil && n != size {
		err = fmt.Errorf("%s changed size while it was read", name)
	}
	return err
}

// layer is a compressed layer blob in the cache, with the digests that name it.
type layer struct {
	rec  layerRecord
	path string
}

// layerRecord is what the cache remembers of a layer.
type layerRecord struct {
	Digest    v1.Hash         `json:"digest"`
	DiffID    v1.Hash         `json:"diff_id"`
	Size      int64           `json:"size"`
	MediaType types.MediaType `json:"media_type"`
}

var _ v1.Layer = (*layer)(nil)

// Digest implements v1.Layer.
func (l *layer) Digest() (v1.Hash, error) { return l.rec.Digest, nil }

// DiffID implements v1.Layer.
func (l *layer) DiffID() (v1.Hash, error) { return l.rec.DiffID, nil }

// Size implements v1.Layer.
func (l *layer) Size() (int64, error) { return l.rec.Size, nil }

// MediaType implements v1.Layer.
func (l *layer) MediaType() (types.MediaType, error) { return l.rec.MediaType, nil }

// Compressed implements v1.Layer.
func (l *layer) Compressed() (io.ReadCloser, error) { return os.Open(l.path) }

// Uncompressed implements v1.Layer.
func (l *layer) Uncompressed() (io.ReadCloser, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return readCloser{zr, f}, nil
}

type readCloser struct {
	io.Reader
	f *os.File
}

func (r readCloser) Close() error { return r.f.Close() }

// layers is the build's layer cache: compressed blobs under blobs/sha256/, and one small JSON
// file per key naming the blob the inputs made. Blobs and keys are written to temporary files
// and renamed, so builds at the same time, or one killed, never leave a wrong entry.
type layers struct {
	dir   string
	mtime time.Time
}

func (c layers) blob(h v1.Hash) string { return filepath.Join(c.dir, "blobs", h.Algorithm, h.Hex) }

// lookup returns the layer made for key before, if its blob is still there.
func (c layers) lookup(key string) (*layer, bool) {
	b, err := os.ReadFile(filepath.Join(c.dir, "keys", key))
	if err != nil {
		return nil, false
	}
	var l layer
	if json.Unmarshal(b, &l.rec) != nil {
		return nil, false
	}
	l.path = c.blob(l.rec.Digest)
	if fi, err := os.Stat(l.path); err != nil || fi.Size() != l.rec.Size {
		return nil, false
	}
	return &l, true
}

// make writes files as a gzip-compressed layer of mediaType, remembers it under key, and
// returns it.
func (c layers) make(key string, files []file, mediaType types.MediaType) (l *layer, made bool, err error) {
	if l, ok := c.lookup(key); ok && l.rec.MediaType == mediaType {
		return l, false, nil
	}
	l, err = c.write(key, files, mediaType)
	return l, err == nil, err
}

func (c layers) write(key string, files []file, mediaType types.MediaType) (*layer, error) {
	if err := os.MkdirAll(filepath.Join(c.dir, "blobs", "sha256"), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Join(c.dir, "blobs"), "layer-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	digest, counted := sha256.New(), &counter{}
	zw, _ := gzip.NewWriterLevel(io.MultiWriter(tmp, digest, counted), gzip.BestSpeed)
	diffID := sha256.New()
	if err := writeTar(io.MultiWriter(zw, diffID), files, c.mtime); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	l := &layer{rec: layerRecord{Digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(digest.Sum(nil))},
		DiffID: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(diffID.Sum(nil))}, Size: counted.n, MediaType: mediaType}}
	l.path = c.blob(l.rec.Digest)
	if err := os.Rename(tmp.Name(), l.path); err != nil {
		return nil, err
	}
	return l, c.remember(key, l)
}

func (c layers) remember(key string, l *layer) error {
	b, _ := json.Marshal(l.rec)
	dir := filepath.Join(c.dir, "keys")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, key), b)
}

// layerKind names a layer media type in a cache key: "oci" or "docker".
func layerKind(mt types.MediaType) string {
	if mt == types.OCILayer {
		return "oci"
	}
	return "docker"
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// writeAtomic writes b to name through a temporary file renamed over it.
func writeAtomic(name string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
