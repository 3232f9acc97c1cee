package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// VerifyAll reads images whole and checks every part against its digest: the manifest
// against the digest it is known by, the config against the manifest's, each layer's bytes
// against its digest and size (each distinct blob once), the layers read on as many cores as
// there are. An image in another registry is checked to its manifest and config here; its
// layers are checked as they stream during the push (the registry client verifies them). An
// image in an engine is checked as the push reads it: each layer against its diff id, the
// config against the image id. It returns the first failure with the index of its image.
func VerifyAll(imgs []*Image) (int, error) {
	type job struct {
		i int
		d v1.Descriptor
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

// verifyHead checks the manifest and config of img and returns the layers still to read.
func verifyHead(img *Image) ([]v1.Descriptor, error) {
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
	if img.fromRegistry {
		return nil, nil
	}
	return m.Layers, nil
}

func verifyBlob(img v1.Image, d v1.Descriptor) error {
	l, err := img.LayerByDigest(d.Digest)
	if err != nil {
		return fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != d.Digest.String() {
		return fmt.Errorf("layer %s holds bytes whose digest is %s", d.Digest, got)
	}
	if n != d.Size {
		return fmt.Errorf("layer %s is %d bytes, the manifest says %d", d.Digest, n, d.Size)
	}
	return nil
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
