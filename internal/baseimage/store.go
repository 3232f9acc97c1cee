package baseimage

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// errCorrupt marks a cached blob whose bytes do not match its digest or size.
var errCorrupt = errors.New("corrupt cached blob")

// store is the cache directory: blobs/sha256/<hex> holds each blob under its digest, records/
// one JSON file per (ref, platform), tmp/ what is being written. Every file is written to tmp/
// and renamed into place, so a reader sees either nothing or the whole, verified file.
type store struct{ dir string }

func (s store) blobPath(h v1.Hash) string { return filepath.Join(s.dir, "blobs", h.Algorithm, h.Hex) }

func (s store) init() error {
	for _, d := range []string{"blobs/sha256", "records", "tmp"} {
		if err := os.MkdirAll(filepath.Join(s.dir, d), 0o755); err != nil {
			return fmt.Errorf("create base image cache: %w", err)
		}
	}
	return nil
}

// sweep removes what killed runs left in tmp/ more than a day before now.
func (s store) sweep(now time.Time) {
	entries, _ := os.ReadDir(filepath.Join(s.dir, "tmp"))
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && now.Sub(fi.ModTime()) > 24*time.Hour {
			os.Remove(filepath.Join(s.dir, "tmp", e.Name()))
		}
	}
}

// has reports whether the blob h of size bytes is cached: present with that size. A blob of
// another size (cut short, or not that blob) is removed so that it is fetched again.
func (s store) has(h v1.Hash, size int64) bool {
	fi, err := os.Stat(s.blobPath(h))
	if err != nil {
		return false
	}
	if fi.Size() != size {
		os.Remove(s.blobPath(h))
		return false
	}
	return true
}

// write copies r into the blob h, checking while it copies that the bytes have digest h and
// size bytes (size < 0: any size); the blob appears only once it is whole and verified.
func (s store) write(h v1.Hash, size int64, r io.Reader) error {
	if h.Algorithm != "sha256" {
		return fmt.Errorf("blob %s: unsupported digest algorithm", h)
	}
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "blob-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	sum := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, sum), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("blob %s: %w", h, err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("blob %s: got %d bytes, want %d", h, n, size)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != h.Hex {
		return fmt.Errorf("blob %s: got bytes of digest sha256:%s", h, got)
	}
	if err := os.Rename(f.Name(), s.blobPath(h)); err != nil && !s.has(h, n) {
		return err // else another run put it there first (Windows refuses to replace a file in use)
	}
	return nil
}

// writeBytes stores b as its own blob h (a manifest or config).
func (s store) writeBytes(h v1.Hash, b []byte) error {
	return s.write(h, int64(len(b)), bytes.NewReader(b))
}

// read returns the whole blob h, verified against its digest; a blob that fails is removed and
// the error wraps errCorrupt. A blob that is not cached gives an error wrapping fs.ErrNotExist.
func (s store) read(h v1.Hash) ([]byte, error) {
	b, err := os.ReadFile(s.blobPath(h))
	if err != nil {
		return nil, err
	}
	if fmt.Sprintf("%x", sha256.Sum256(b)) != h.Hex {
		os.Remove(s.blobPath(h))
		return nil, fmt.Errorf("%w %s (removed; the next build fetches it again)", errCorrupt, s.blobPath(h))
	}
	return b, nil
}

// open returns a reader of the blob h that fails at its end when the bytes read do not have
// digest h and size bytes, and then removes the blob so that the next build fetches it again.
func (s store) open(h v1.Hash, size int64) (io.ReadCloser, error) {
	f, err := os.Open(s.blobPath(h))
	if err != nil {
		return nil, err
	}
	return &verifier{f: f, want: h, size: size, sum: sha256.New(), path: s.blobPath(h)}, nil
}

type verifier struct {
	f    *os.File
	want v1.Hash
	size int64
	n    int64
	sum  interface {
		io.Writer
		Sum([]byte) []byte
	}
	path string
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.f.Read(p)
	v.n += int64(n)
	v.sum.Write(p[:n])
	if errors.Is(err, io.EOF) {
		if got := hex.EncodeToString(v.sum.Sum(nil)); got != v.want.Hex || v.n != v.size {
			os.Remove(v.path)
			return n, fmt.Errorf("%w %s: got %d bytes of digest sha256:%s, want %d of %s (removed; the next build fetches it again)",
				errCorrupt, v.path, v.n, got, v.size, v.want)
		}
	}
	return n, err
}

func (v *verifier) Close() error { return v.f.Close() }

// record is what the cache remembers of a (ref, platform): the manifest the ref named for the
// platform when it was resolved.
type record struct {
	Ref      string    `json:"ref"`
	Platform string    `json:"platform"`
	Digest   v1.Hash   `json:"digest"`
	Resolved time.Time `json:"resolved"`
}

func (s store) recordPath(ref, platform string) string {
	return filepath.Join(s.dir, "records", fmt.Sprintf("%x.json", sha256.Sum256([]byte(ref+" "+platform))))
}

// record returns the record of (ref, platform); ok is false when there is none or it cannot
// be read (a record is only a shortcut: the tag is then resolved again).
func (s store) record(ref, platform string) (r record, ok bool) {
	b, err := os.ReadFile(s.recordPath(ref, platform))
	if err != nil {
		return record{}, false
	}
	if json.Unmarshal(b, &r) != nil || r.Ref != ref || r.Platform != platform || r.Digest.Hex == "" {
		return record{}, false
	}
	return r, true
}

func (s store) putRecord(r record) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "record-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), s.recordPath(r.Ref, r.Platform))
}
