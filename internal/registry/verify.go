package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/sync/errgroup"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// VerifyAll reads images whole and checks every part against its digest, as Lambda will
// unpack them: the manifest against the digest it is known by, the config against the
// manifest's, each layer's bytes against its digest and size, and what they decompress to
// against the config's diff id (each distinct blob once), the layers read on as many cores
// as there are. An image in another registry is read whole here too, into the run's scratch
// directory, which the push then reads from. An image in an engine is checked as the push
// reads it: each layer against its diff id, the config against the image id. It returns the
// first failure with the index of its image.
//
// A layout's blob that memo knows as verified, unchanged, is not read again (see
// LayerCache.Verified); memo may be nil.
func VerifyAll(imgs []*Image, memo *LayerCache) (int, error) {
	type job struct {
		i int
		d layerCheck
	}
	var jobs []job
	seen := map[v1.Hash]bool{}
	for i, img := range imgs {
		if img.engine != nil {
			continue // read from the engine only to push it, and checked then
		}
		layers, err := verifyHead(img)
		if err != nil {
			return i, err
		}
		for _, d := range layers {
			// A blob is read once whatever number of images hold a copy: the push sends each
			// digest once (the other copies are never read), and what it sends is verified
			// again as it goes.
			if !seen[d.Digest] {
				seen[d.Digest] = true
				if img.layoutDir != "" && memo.Verified(img.blobPath(d.Digest), d.Digest) {
					continue
				}
				jobs = append(jobs, job{i, d})
			}
		}
	}
	var g errgroup.Group
	g.SetLimit(runtime.NumCPU())
	failed := make([]error, len(imgs))
	var mu sync.Mutex
	for _, j := range jobs {
		g.Go(func() error {
			if err := verifyBlob(imgs[j.i].Image, j.d); err != nil {
				mu.Lock()
				if failed[j.i] == nil {
					failed[j.i] = err
				}
				mu.Unlock()
			} else if img := imgs[j.i]; img.layoutDir != "" {
				memo.MarkVerified(img.blobPath(j.d.Digest), j.d.Digest)
			}
			return nil
		})
	}
	_ = g.Wait()
	for i, err := range failed {
		if err != nil {
			return i, err
		}
	}
	return 0, nil
}

// layerCheck is a layer to read: its descriptor and the diff id the config gives it.
type layerCheck struct {
	v1.Descriptor
	diffID v1.Hash
}

// verifyHead checks the manifest and config of img and returns the layers still to read.
func verifyHead(img *Image) ([]layerCheck, error) {
	raw, err := img.RawManifest()
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	want, err := img.expectedDigest()
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	if got := digestOf(raw); got != want.String() {
		return nil, fmt.Errorf("manifest is %s, but is named %s", got, want)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if got := digestOf(cfg); got != m.Config.Digest.String() {
		return nil, fmt.Errorf("config is %s, but the manifest names %s", got, m.Config.Digest)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if len(cf.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("config names %d layers (diff ids), the manifest %d", len(cf.RootFS.DiffIDs), len(m.Layers))
	}
	out := make([]layerCheck, len(m.Layers))
	for i, d := range m.Layers {
		out[i] = layerCheck{d, cf.RootFS.DiffIDs[i]}
	}
	return out, nil
}

// verifyBlob reads layer d whole: its bytes must hash to its digest and have its size, and
// decompress (as its media type says) to bytes that hash to its diff id, which is what Lambda
// checks when it unpacks the image.
func verifyBlob(img v1.Image, d layerCheck) error {
	l, err := img.LayerByDigest(d.Digest)
	if err != nil {
		return fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	defer rc.Close()
	h, u := sha256.New(), sha256.New()
	pr, pw := io.Pipe()
	unpacked := make(chan error, 1)
	go func() {
		err := decompress(d.MediaType, pr, u)
		io.Copy(io.Discard, pr) // the whole blob is hashed, whatever decompressing made of it
		unpacked <- err
	}()
	n, err := io.Copy(io.MultiWriter(h, pw), rc)
	pw.CloseWithError(err)
	uerr := <-unpacked
	if err != nil {
		return fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != d.Digest.String() {
		return fmt.Errorf("layer %s holds bytes whose digest is %s", d.Digest, got)
	}
	if n != d.Size {
		return fmt.Errorf("layer %s is %d bytes, the manifest says %d", d.Digest, n, d.Size)
	}
	if uerr != nil {
		return fmt.Errorf("layer %s does not unpack as %s: %w", d.Digest, d.MediaType, uerr)
	}
	if got := "sha256:" + hex.EncodeToString(u.Sum(nil)); got != d.diffID.String() {
		return fmt.Errorf("layer %s unpacks to %s, but the config's diff id for it is %s", d.Digest, got, d.diffID)
	}
	return nil
}

// decompress writes what r decompresses to, as media type mt says, into w: gzip, zstd, or a
// tar as it is. A layer of any other type is one Lambda does not unpack.
func decompress(mt types.MediaType, r io.Reader, w io.Writer) error {
	var src io.Reader
	switch mt {
	case types.DockerLayer, types.OCILayer, types.OCIRestrictedLayer, types.DockerForeignLayer:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return err
		}
		defer zr.Close()
		src = zr
	case types.OCILayerZStd:
		zr, err := zstd.NewReader(r)
		if err != nil {
			return err
		}
		defer zr.Close()
		src = zr
	case types.DockerUncompressedLayer, types.OCIUncompressedLayer, types.OCIUncompressedRestrictedLayer:
		src = r
	default:
		return fmt.Errorf("media type %q is not a layer type", mt)
	}
	_, err := io.Copy(w, src)
	return err
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
