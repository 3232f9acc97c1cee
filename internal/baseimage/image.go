package baseimage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// errNotCached: the cache lacks (or has found bad and removed) a blob the image needs.
var errNotCached = errors.New("not cached")

// cached returns the image of manifest h from the cache, when the cache holds all of it: the
// manifest and config, verified against their digests, and every layer blob, of its size.
func (c *Cache) cached(h v1.Hash) (v1.Image, error) {
	raw, err := c.readBlob(h)
	if err != nil {
		return nil, err
	}
	var m v1.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", h, err)
	}
	if !m.MediaType.IsImage() && !isImage(raw) {
		return nil, fmt.Errorf("manifest %s: media type %q is not an image's", h, m.MediaType)
	}
	cfg, err := c.readBlob(m.Config.Digest)
	if err != nil {
		return nil, err
	}
	img := &cachedImage{store: c.store, raw: raw, mt: m.MediaType, cfg: cfg, layers: map[v1.Hash]v1.Descriptor{}}
	for _, l := range m.Layers {
		if !c.store.has(l.Digest, l.Size) {
			return nil, fmt.Errorf("layer %s: %w", l.Digest, errNotCached)
		}
		img.layers[l.Digest] = l
	}
	return partial.CompressedToImage(img)
}

// isImage reports whether raw is an image manifest that names no media type (OCI allows it).
func isImage(raw []byte) bool {
	var m struct {
		MediaType types.MediaType `json:"mediaType"`
		Config    *v1.Descriptor  `json:"config"`
	}
	return json.Unmarshal(raw, &m) == nil && m.MediaType == "" && m.Config != nil
}

// readBlob reads the blob h whole, verified; a missing or bad blob gives errNotCached.
func (c *Cache) readBlob(h v1.Hash) ([]byte, error) {
	b, err := c.store.read(h)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errCorrupt) {
		return nil, fmt.Errorf("blob %s: %w", h, errNotCached)
	}
	return b, err
}

// cachedByDigest returns the image for want that the manifest or index h names, from the
// cache, and the digest of its manifest.
func (c *Cache) cachedByDigest(ref string, h v1.Hash, want v1.Platform) (v1.Image, v1.Hash, error) {
	raw, err := c.readBlob(h)
	if err != nil {
		return nil, v1.Hash{}, err
	}
	var top struct {
		MediaType types.MediaType `json:"mediaType"`
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, v1.Hash{}, fmt.Errorf("base image %s: manifest %s: %w", ref, h, err)
	}
	md := h
	if top.MediaType.IsIndex() {
		idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
		if err != nil {
			return nil, v1.Hash{}, fmt.Errorf("base image %s: index %s: %w", ref, h, err)
		}
		if md, err = selectPlatform(ref, idx, want); err != nil {
			return nil, v1.Hash{}, err
		}
	}
	img, err := c.cached(md)
	if err != nil {
		return nil, v1.Hash{}, err
	}
	if md == h {
		if err := checkPlatform(ref, img, want); err != nil {
			return nil, v1.Hash{}, err
		}
	}
	return img, md, nil
}

// cachedImage is an image whose blobs are cache files.
type cachedImage struct {
	store  store
	raw    []byte
	mt     types.MediaType
	cfg    []byte
	layers map[v1.Hash]v1.Descriptor
}

func (i *cachedImage) RawConfigFile() ([]byte, error) { return i.cfg, nil }

func (i *cachedImage) MediaType() (types.MediaType, error) {
	if i.mt == "" {
		return types.OCIManifestSchema1, nil
	}
	return i.mt, nil
}

func (i *cachedImage) RawManifest() ([]byte, error) { return i.raw, nil }

func (i *cachedImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	d, ok := i.layers[h]
	if !ok {
		return nil, fmt.Errorf("image has no layer %s", h)
	}
	return cachedLayer{store: i.store, d: d}, nil
}

// cachedLayer is a layer blob in the cache; reading it verifies it (see store.open).
type cachedLayer struct {
	store store
	d     v1.Descriptor
}

func (l cachedLayer) Digest() (v1.Hash, error)            { return l.d.Digest, nil }
func (l cachedLayer) Size() (int64, error)                { return l.d.Size, nil }
func (l cachedLayer) MediaType() (types.MediaType, error) { return l.d.MediaType, nil }
func (l cachedLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.store.open(l.d.Digest, l.d.Size)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", l.d.Digest, err)
	}
	return rc, nil
}
