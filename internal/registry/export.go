package registry

import (
	"archive/tar"
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"regexp"

	"github.com/klauspost/compress/gzip"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// An engine's export (docker save) is a tar of the images' configs and their layers,
// uncompressed, in an order of the engine's own; the names of the entries depend on the
// engine:
//   - Docker before 25: <v1 id>/layer.tar and <image id hex>.json;
//   - Docker 25 and later: an OCI layout, blobs/sha256/<hex> for configs and layers alike;
//   - Podman: <diff id hex>.tar and <image id hex>.json.
var (
	configEntry = regexp.MustCompile(`^([0-9a-f]{64})\.json$`)
	blobEntry   = regexp.MustCompile(`^blobs/sha256/([0-9a-f]{64})$`)
	layerEntry  = regexp.MustCompile(`^([0-9a-f]{64})\.tar$`)
	legacyLayer = regexp.MustCompile(`(^|/)layer\.tar$`)
)

// maxConfig bounds the size of an image config read into memory.
const maxConfig = 16 << 20

// exportWant is what an export is read for: the configs of the images, and the layers, each
// compressed into a file or only checked.
type exportWant struct {
	ids    map[v1.Hash]bool      // image ids (config digests)
	layers map[v1.Hash]*layerJob // by diff id
}

// layerJob is one distinct layer of the export.
type layerJob struct {
	diff v1.Hash
	// compress tells that the layer is to be compressed into a file; otherwise it is only
	// checked against its diff id, and known is the blob it was pushed as.
	compress bool
	known    CachedLayer

	done bool
	// Set when the layer was compressed: the file, the blob's descriptor and the layer's
	// uncompressed size.
	file  string
	desc  v1.Descriptor
	usize int64
}

// exported is what reading an export found.
type exported struct {
	configs map[v1.Hash][]byte
	// missed lists layers to compress that were only checked: an export that names its layers
	// by position (Docker before 25) was matched to them by size, wrongly. Read it again with
	// every layer compressed.
	missed []v1.Hash
}

// readExport reads an engine's export from r. Each layer to compress is compressed into a
// file of sp, its uncompressed bytes checked against its diff id and its compressed
// ones hashed in the same pass; onLayer hears of each such layer as soon as it is done. The
// other layers are only checked. It fails on an entry whose bytes do not match the digest it
// stands for, and on a layer or config the export lacks.
func readExport(r io.Reader, want exportWant, sp spool, onLayer func(*layerJob) error) (*exported, error) {
	out := &exported{configs: map[v1.Hash][]byte{}}
	// Layers named by position are told apart by their size: the cache knows the
	// uncompressed size of those already pushed.
	bySize := map[int64][]*layerJob{}
	for _, l := range want.layers {
		if !l.compress && l.known.Uncompressed > 0 {
			bySize[l.known.Uncompressed] = append(bySize[l.known.Uncompressed], l)
		}
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read the engine's export: %w", err)
		}
		if h.Typeflag != tar.TypeReg { // the reader reports an old archive's TypeRegA as TypeReg
			continue // directories, and the links an export makes for a layer it holds twice
		}
		hex := ""
		if m := configEntry.FindStringSubmatch(h.Name); m != nil {
			hex = m[1]
		} else if m := blobEntry.FindStringSubmatch(h.Name); m != nil {
			hex = m[1]
		} else if m := layerEntry.FindStringSubmatch(h.Name); m != nil {
			hex = m[1]
		}
		d := v1.Hash{Algorithm: "sha256", Hex: hex}
		switch {
		case hex != "" && want.ids[d]:
			if h.Size > maxConfig {
				return nil, fmt.Errorf("config %s is %d bytes", d, h.Size)
			}
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, fmt.Errorf("read config %s: %w", d, err)
			}
			if got := digestOf(b); got != d.String() {
				return nil, fmt.Errorf("config %s holds bytes whose digest is %s", d, got)
			}
			out.configs[d] = b
		case hex != "" && want.layers[d] != nil:
			if err := readLayer(tr, h.Size, want.layers[d], true, want.layers, sp, onLayer, out); err != nil {
				return nil, err
			}
		case hex == "" && legacyLayer.MatchString(h.Name):
			if err := readLayer(tr, h.Size, guess(bySize[h.Size]), false, want.layers, sp, onLayer, out); err != nil {
				return nil, err
			}
		}
	}
	for d := range want.ids {
		if out.configs[d] == nil {
			return nil, fmt.Errorf("the engine's export lacks the config of image %s", d)
		}
	}
	for d, l := range want.layers {
		if !l.done {
			return nil, fmt.Errorf("the engine's export lacks layer %s", d)
		}
	}
	return out, nil
}

// guess returns the first of the layers of one size not read yet.
func guess(ls []*layerJob) *layerJob {
	for _, l := range ls {
		if !l.done {
			return l
		}
	}
	return nil
}

// readLayer reads one layer entry of size bytes: compressed into a file when l is nil (a
// layer not known yet) or to be compressed, else only checked. byName tells that the entry's
// name gives its diff id (l's), which its bytes must then hash to; otherwise l is a guess, and
// the layer is recorded under the diff id its bytes hash to, which must be one of layers.
func readLayer(r io.Reader, size int64, l *layerJob, byName bool, layers map[v1.Hash]*layerJob, sp spool, onLayer func(*layerJob) error, out *exported) error {
	var (
		diff v1.Hash
		desc v1.Descriptor
		file string
		err  error
	)
	if l == nil || l.compress {
		diff, desc, file, err = compressLayer(r, sp)
	} else {
		diff, err = hashLayer(r)
	}
	if err != nil {
		return fmt.Errorf("read layer: %w", err)
	}
	dst := layers[diff]
	switch {
	case byName && diff != l.diff:
		sp.Remove(file)
		return fmt.Errorf("layer %s holds bytes whose digest is %s", l.diff, diff)
	case dst == nil:
		sp.Remove(file)
		return fmt.Errorf("the engine's export holds a layer %s that is none of the images'", diff)
	case dst.done:
		sp.Remove(file) // the same layer twice
		return nil
	}
	dst.done, dst.usize = true, size
	if file == "" {
		if dst.compress {
			out.missed = append(out.missed, diff) // a guess by size that was wrong
		}
		return nil
	}
	dst.compress, dst.file, dst.desc = true, file, desc
	return onLayer(dst)
}

// hashLayer reads a layer and returns its diff id.
func hashLayer(r io.Reader) (v1.Hash, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return v1.Hash{}, err
	}
	return sum(h), nil
}

// spool makes and removes the files compressed layers wait in for their uploads.
type spool interface {
	Create() (*os.File, error)
	// Remove removes a file Create made; "" is none.
	Remove(name string)
}

// compressLayer gzips a layer into a new file in one pass, hashing the uncompressed bytes
// (its diff id) and the compressed ones (its blob's digest) as they go.
func compressLayer(r io.Reader, sp spool) (v1.Hash, v1.Descriptor, string, error) {
	f, err := sp.Create()
	if err != nil {
		return v1.Hash{}, v1.Descriptor{}, "", err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			sp.Remove(f.Name())
		}
	}()
	ch := sha256.New()
	cw := &countWriter{w: io.MultiWriter(f, ch)}
	bw := bufio.NewWriterSize(cw, 1<<20)
	zw, err := gzip.NewWriterLevel(bw, gzip.DefaultCompression)
	if err != nil {
		return v1.Hash{}, v1.Descriptor{}, "", err
	}
	uh := sha256.New()
	if _, err := io.Copy(io.MultiWriter(zw, uh), r); err != nil {
		return v1.Hash{}, v1.Descriptor{}, "", err
	}
	if err := zw.Close(); err != nil {
		return v1.Hash{}, v1.Descriptor{}, "", err
	}
	if err := bw.Flush(); err != nil {
		return v1.Hash{}, v1.Descriptor{}, "", err
	}
	if err := f.Close(); err != nil {
		return v1.Hash{}, v1.Descriptor{}, "", err
	}
	ok = true
	desc := v1.Descriptor{MediaType: dockerLayer, Size: cw.n, Digest: sum(ch)}
	return sum(uh), desc, f.Name(), nil
}

func sum(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", h.Sum(nil))}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
