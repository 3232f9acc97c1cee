package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// there reports whether c's repository holds img under tag already: the tag names img's
// manifest, or another manifest of the same image, one whose config is img's (its image id)
// though its layers were compressed otherwise (docker push, that SAM CLI pushes with, writes
// other bytes than samship). Such an image is left as it is: re-pointing the tag would leave
// the digest a function runs untagged, for a lifecycle rule to expire. A look that fails
// counts as not there: the image is pushed.
func (r *pushRun) there(ctx context.Context, c *repoClient, tag string, img *Image) (string, bool) {
	d, found, err := c.lookupTag(ctx, tag)
	if err != nil || !found {
		return "", false
	}
	if img.engine == nil {
		if want, err := img.expectedDigest(); err == nil && d == want {
			if m, err := img.Manifest(); err == nil {
				r.landed(c, append([]v1.Descriptor{m.Config}, m.Layers...))
			}
			return d.String(), true
		}
	}
	m, err := r.manifest(ctx, c, d)
	if err != nil || m.Config.Digest.String() != img.configID() {
		return "", false
	}
	r.landed(c, append([]v1.Descriptor{m.Config}, m.Layers...))
	return d.String(), true
}

// manifest reads manifest d from c's repository, once per run: the same digest is the same
// manifest in every repository, and functions that share an image look it up in each of
// theirs at the same time.
func (r *pushRun) manifest(ctx context.Context, c *repoClient, d v1.Hash) (*v1.Manifest, error) {
	e := r.manifests.get(d)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil {
		m, err := c.manifest(ctx, d)
		if err != nil {
			return nil, err // not kept: another repository may answer
		}
		e.m = m
	}
	return e.m, nil
}

type manifestEntry struct {
	mu sync.Mutex
	m  *v1.Manifest
}

// landed records that c's repository holds blobs.
func (r *pushRun) landed(c *repoClient, blobs []v1.Descriptor) {
	for _, b := range blobs {
		r.blobs.landed(b.Digest, c.repo)
	}
}

// maxManifest bounds the size of a manifest read.
const maxManifest = 4 << 20

// manifest reads the image manifest d from the repository, checked against d. An index, or
// anything else that is not an image manifest, is an error.
func (c *repoClient) manifest(ctx context.Context, d v1.Hash) (*v1.Manifest, error) {
	resp, err := c.do(ctx, http.MethodGet, c.url("/manifests/"+d.String(), nil), nil,
		map[string]string{"Accept": manifestTypes}, http.StatusOK)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxManifest))
	if err != nil {
		return nil, err
	}
	if got := digestOf(raw); got != d.String() {
		return nil, fmt.Errorf("manifest %s: the registry sent bytes whose digest is %s", d, got)
	}
	var m v1.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", d, err)
	}
	if m.MediaType.IsIndex() || m.Config.Digest == (v1.Hash{}) {
		return nil, fmt.Errorf("manifest %s is not an image manifest", d)
	}
	return &m, nil
}

// configID is the digest of img's config.
func (img *Image) configID() string {
	if img.Image != nil {
		if d, err := img.ConfigName(); err == nil {
			return d.String()
		}
	}
	return img.ID // an engine's image, whose id is its config's digest
}
