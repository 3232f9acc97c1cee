package baseimage

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/sync/errgroup"
)

// fetch gets into the cache the image for want that r names (or, when pin is set, the
// manifest pin in r's repository): its manifest, config and the layers the cache lacks. It
// returns the digest of the platform's manifest and where it came from.
func (c *Cache) fetch(ctx context.Context, ref string, r name.Reference, pin v1.Hash, want v1.Platform) (v1.Hash, string, error) {
	src, from, err := source(r, c.mirrors)
	if err != nil {
		return v1.Hash{}, "", fmt.Errorf("pull %s: %w", ref, err)
	}
	opts := []remote.Option{remote.WithContext(ctx), remote.WithTransport(c.opts.Transport), remote.WithAuthFromKeychain(c.opts.Keychain)}
	target := src
	if pin.Hex != "" {
		target = src.Context().Digest(pin.String())
	}
	desc, err := remote.Get(target, opts...)
	if err != nil {
		return v1.Hash{}, "", c.pullError(ref, r, from, err)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return v1.Hash{}, "", fmt.Errorf("pull %s: %w", ref, err)
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return v1.Hash{}, "", fmt.Errorf("pull %s: index %s: %w", ref, desc.Digest, err)
		}
		md, err := selectPlatform(ref, im, want)
		if err != nil {
			return v1.Hash{}, "", err
		}
		if err := c.store.writeBytes(desc.Digest, desc.Manifest); err != nil {
			return v1.Hash{}, "", fmt.Errorf("pull %s: index: %w", ref, err)
		}
		if desc, err = remote.Get(src.Context().Digest(md.String()), opts...); err != nil {
			return v1.Hash{}, "", c.pullError(ref, r, from, err)
		}
	}
	if !desc.MediaType.IsImage() {
		return v1.Hash{}, "", fmt.Errorf("pull %s: manifest %s has media type %s, not an image's", ref, desc.Digest, desc.MediaType)
	}
	img, err := desc.Image()
	if err != nil {
		return v1.Hash{}, "", fmt.Errorf("pull %s: %w", ref, err)
	}
	if err := checkPlatform(ref, img, want); err != nil {
		return v1.Hash{}, "", err
	}
	if err := c.fetchBlobs(ref, img); err != nil {
		return v1.Hash{}, "", c.pullError(ref, r, from, err)
	}
	if err := c.store.writeBytes(desc.Digest, desc.Manifest); err != nil {
		return v1.Hash{}, "", fmt.Errorf("pull %s: manifest: %w", ref, err)
	}
	return desc.Digest, from, nil
}

// fetchBlobs writes img's config and the layers the cache lacks into the cache, three layers
// at a time.
func (c *Cache) fetchBlobs(ref string, img v1.Image) error {
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	if !c.store.has(m.Config.Digest, m.Config.Size) {
		if err := c.store.writeBytes(m.Config.Digest, cfg); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	var g errgroup.Group
	g.SetLimit(3)
	for _, d := range m.Layers {
		if c.store.has(d.Digest, d.Size) {
			continue
		}
		g.Go(func() error {
			l, err := img.LayerByDigest(d.Digest)
			if err != nil {
				return err
			}
			rc, err := l.Compressed()
			if err != nil {
				return fmt.Errorf("layer %s: %w", d.Digest, err)
			}
			defer rc.Close()
			return c.store.write(d.Digest, d.Size, rc)
		})
	}
	return g.Wait()
}

// pullError is err of pulling ref from the registry or mirror from, in one line; a registry
// that cannot be reached gets a hint at mirrors.
func (c *Cache) pullError(ref string, r name.Reference, from string, err error) error {
	var terr *transport.Error
	var op *net.OpError
	var dns *net.DNSError
	if !errors.As(err, &terr) && (errors.As(err, &op) || errors.As(err, &dns)) {
		reg := r.Context().RegistryStr()
		hint := fmt.Sprintf("give a mirror that serves it with --registry-mirror %s=HOST[/PREFIX]", reg)
		if from != reg {
			hint = fmt.Sprintf("check the mirror --registry-mirror sets for %s", reg)
		}
		return fmt.Errorf("pull %s: cannot reach %s: %w; it is not cached: %s", ref, from, oneLine{err}, hint)
	}
	return fmt.Errorf("pull %s: %w", ref, oneLine{err})
}

// oneLine is an error whose message is folded onto one line (registries' errors may hold
// several).
type oneLine struct{ err error }

func (e oneLine) Error() string { return strings.Join(strings.Fields(e.err.Error()), " ") }
func (e oneLine) Unwrap() error { return e.err }

// selectPlatform returns the digest of the manifest in im for want; an os/arch without a
// variant matches any variant of it.
func selectPlatform(ref string, im *v1.IndexManifest, want v1.Platform) (v1.Hash, error) {
	var held []string
	for _, d := range im.Manifests {
		if d.Platform == nil || !d.MediaType.IsImage() && d.MediaType != "" {
			continue
		}
		p := *d.Platform
		if p.OS == "unknown" {
			continue // attestations
		}
		if p.OS == want.OS && p.Architecture == want.Architecture && (want.Variant == "" || p.Variant == want.Variant) {
			return d.Digest, nil
		}
		held = append(held, platformString(p))
	}
	return v1.Hash{}, fmt.Errorf("base image %s holds %s, not %s", ref, orNothing(held), platformString(want))
}

// checkPlatform refuses a single-platform image whose config holds another platform than want.
func checkPlatform(ref string, img v1.Image, want v1.Platform) error {
	cf, err := img.ConfigFile()
	if err != nil {
		return fmt.Errorf("base image %s: config: %w", ref, err)
	}
	p := v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}
	if p.OS != want.OS || p.Architecture != want.Architecture || want.Variant != "" && p.Variant != want.Variant {
		return fmt.Errorf("base image %s holds %s, not %s", ref, platformString(p), platformString(want))
	}
	return nil
}

func platformString(p v1.Platform) string {
	if p.OS == "" && p.Architecture == "" {
		return "no platform"
	}
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

func orNothing(held []string) string {
	if len(held) == 0 {
		return "no platform image"
	}
	return strings.Join(held, ", ")
}
