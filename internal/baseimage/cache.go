// Package baseimage gets the images Dockerfiles build FROM: each is pulled once from its
// registry (or the mirror set for that registry) into a content-addressed cache on disk, and
// served from there afterwards without any network request, so that the second build of the
// same Dockerfile needs no registry and gets the very same base bytes.
//
// What is checked when: a blob is verified against its digest and size while it is written,
// and appears under its name only once whole (written to a temporary file and renamed), so
// builds running at once, or one killed halfway, never leave a bad blob. When a cached image
// is looked up, its manifest and config are read whole and verified against their digests,
// and each layer blob's size is checked; a layer's digest is verified each time it is read,
// at the end of the read. A blob found bad is removed: a lookup then fetches it again, and a
// read that found it fails with an error saying the next build fetches it again.
package baseimage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Options configure a Cache.
type Options struct {
	// Dir is the cache root; "" → DefaultDir().
	Dir string
	// Mirrors maps a registry host to the mirror its images are fetched from, under the same
	// repository path (under the mirror's path prefix, if any): "public.ecr.aws" →
	// "127.0.0.1:5000", "127.0.0.1:5000/prefix" or "http://127.0.0.1:5000/prefix". A mirror
	// given with http://, or without a scheme on a loopback address, is spoken to in plain HTTP.
	// Docker Hub's images may be mirrored under "docker.io" or "index.docker.io".
	Mirrors map[string]string
	// Pull re-resolves every tag in its registry now (and fetches what changed) instead of
	// using the resolution the cache holds (--pull).
	Pull bool
	// Keychain gives registry credentials; nil → authn.DefaultKeychain.
	Keychain authn.Keychain
	// Transport carries every registry request; nil → remote.DefaultTransport.
	Transport http.RoundTripper
	// Now is the clock that stamps resolutions; nil → time.Now.
	Now func() time.Time
}

// Info tells what Image served.
type Info struct {
	// Ref is the reference as asked.
	Ref string
	// Digest is the digest of the platform's image manifest.
	Digest v1.Hash
	// Fetched is false when the image was served from the cache with no network request.
	Fetched bool
	// From is the registry or mirror (host[/prefix]) it came from; "" when cached.
	From string
	// Resolved is when the cache resolved the reference (its tag) to Digest.
	Resolved time.Time
}

// Cache serves base images from a cache directory, filling it from registries.
type Cache struct {
	opts    Options
	store   store
	mirrors map[string]mirror
}

// DefaultDir is the cache root samship uses: $XDG_CACHE_HOME/samship/base, else
// os.UserCacheDir()/samship/base.
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "samship", "base"), nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find base image cache: %w", err)
	}
	return filepath.Join(d, "samship", "base"), nil
}

// Open returns the Cache that opts describe, creating its directory, and removes what runs
// killed more than a day ago left half-written in it.
func Open(opts Options) (*Cache, error) {
	if opts.Dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return nil, err
		}
		opts.Dir = d
	}
	if opts.Keychain == nil {
		opts.Keychain = authn.DefaultKeychain
	}
	if opts.Transport == nil {
		opts.Transport = remote.DefaultTransport
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Cache{opts: opts, store: store{dir: opts.Dir}, mirrors: map[string]mirror{}}
	for host, s := range opts.Mirrors {
		m, err := parseMirror(s)
		if err != nil {
			return nil, fmt.Errorf("registry mirror %s=%s: %w", host, s, err)
		}
		c.mirrors[host] = m
	}
	if err := c.store.init(); err != nil {
		return nil, err
	}
	c.store.sweep(opts.Now())
	return c, nil
}

// Image returns the image ref names for platform ("linux/amd64", "linux/arm64"): for an
// index, its manifest for platform; a single-platform image whose config holds another
// platform is refused. A ref with a digest is never resolved again; a tag the cache has
// resolved is served with no network request unless Pull is set; otherwise the tag is
// resolved and what the cache lacks of its manifest, config and layers is fetched. The image
// reads everything from the cache, and its Digest is the registry's manifest digest. With
// Pull, a registry that cannot be reached is an error even when the cache holds the tag.
// Image may be called from several goroutines at once, and several processes may share Dir.
func (c *Cache) Image(ctx context.Context, ref string, platform string) (v1.Image, Info, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, Info{}, fmt.Errorf("base image %q: %w", ref, err)
	}
	want, err := parsePlatform(platform)
	if err != nil {
		return nil, Info{}, fmt.Errorf("base image %s: %w", ref, err)
	}
	key := r.Name()
	var pin v1.Hash // the manifest to fetch instead of resolving the tag
	if d, ok := r.(name.Digest); ok {
		h, err := v1.NewHash(d.DigestStr())
		if err != nil {
			return nil, Info{}, fmt.Errorf("base image %q: %w", ref, err)
		}
		img, md, err := c.cachedByDigest(ref, h, want)
		if err == nil {
			return img, Info{Ref: ref, Digest: md}, nil
		}
		if !errors.Is(err, errNotCached) {
			return nil, Info{}, err
		}
	} else if rec, ok := c.store.record(key, platform); ok && !c.opts.Pull {
		if img, err := c.cached(rec.Digest); err == nil {
			return img, Info{Ref: ref, Digest: rec.Digest, Resolved: rec.Resolved}, nil
		}
		pin = rec.Digest
	}
	md, from, err := c.fetch(ctx, ref, r, pin, want)
	if err != nil {
		return nil, Info{}, err
	}
	info := Info{Ref: ref, Digest: md, Fetched: true, From: from}
	if _, ok := r.(name.Tag); ok {
		rec, ok := c.store.record(key, platform)
		if pin.Hex == "" || !ok || rec.Digest != md {
			rec = record{Ref: key, Platform: platform, Digest: md, Resolved: c.opts.Now().UTC()}
			if err := c.store.putRecord(rec); err != nil {
				return nil, Info{}, fmt.Errorf("pull %s: record: %w", ref, err)
			}
		}
		info.Resolved = rec.Resolved
	}
	img, err := c.cached(md)
	if err != nil {
		return nil, Info{}, fmt.Errorf("pull %s: %w", ref, err)
	}
	return img, info, nil
}

// parsePlatform reads "os/arch[/variant]".
func parsePlatform(s string) (v1.Platform, error) {
	p, err := v1.ParsePlatform(s)
	if err != nil || p.OS == "" || p.Architecture == "" {
		return v1.Platform{}, fmt.Errorf("platform %q: want os/arch, such as linux/amd64 or linux/arm64", s)
	}
	return *p, nil
}
