package registry

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
)

// sendBlobs gets the image's blobs (the config, then the layers of the manifest, in order)
// into c's repository, four at a time.
func (r *pushRun) sendBlobs(ctx context.Context, c *repoClient, img *Image, blobs []v1.Descriptor, up Upload) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	if len(layers) != len(blobs)-1 {
		return fmt.Errorf("read image: %d layers for %d in its manifest", len(layers), len(blobs)-1)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, b := range blobs {
		if i > 0 && !b.MediaType.IsDistributable() {
			continue // a foreign layer: the runtime fetches it from its own URL
		}
		g.Go(func() error {
			open := func() (io.ReadCloser, error) {
				if i == 0 {
					raw, err := img.RawConfigFile()
					return io.NopCloser(bytes.NewReader(raw)), err
				}
				return layers[i-1].Compressed()
			}
			if err := r.blob(gctx, c, b, open, up); err != nil {
				return fmt.Errorf("send blob %s: %w", b.Digest, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// blob gets one blob into c's repository with the fewest requests: none when the repository
// is known to hold it, one mount when another repository of the registry holds it (after a
// HEAD when the blob is older than the run), else a HEAD and, when missing, a POST and a PUT
// of the whole blob.
func (r *pushRun) blob(ctx context.Context, c *repoClient, b v1.Descriptor, open func() (io.ReadCloser, error), up Upload) error {
	s, from, err := r.blobs.next(ctx, b.Digest, c.repo)
	if err != nil {
		return err
	}
	switch s {
	case have:
		return nil
	case mount:
		// A blob the registry had before the run, in a repository that was not empty, is
		// most likely there already (the base layers of an app pushed before): a look
		// costs the registry less than a mount, a write.
		if !c.empty && r.blobs.old(b.Digest) {
			if there, err := c.hasBlob(ctx, b.Digest); err == nil && there {
				r.blobs.landed(b.Digest, c.repo)
				return nil
			}
		}
		mc, err := r.mountClient(ctx, c, from)
		if err != nil {
			return err
		}
		err = retry(ctx, r.delays(), func() error {
			location, mounted, err := mc.startUpload(ctx, b.Digest, &from)
			if err != nil {
				return err
			}
			if mounted {
				return nil
			}
			// The registry started an upload instead. Registries that keep blobs across
			// repositories may hold it all the same; the upload session is then left to expire.
			r.blobs.refusedMount(c.repo)
			if there, err := mc.hasBlob(ctx, b.Digest); err != nil || there {
				return err
			}
			return r.upload(ctx, mc, location, b, open, up)
		})
		if err == nil {
			r.blobs.landed(b.Digest, c.repo)
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		// Some registries answer a mount they will not do with an error: send the blob.
		r.blobs.refusedMount(c.repo)
	}
	err = retry(ctx, r.delays(), func() error {
		if !c.empty {
			if there, err := c.hasBlob(ctx, b.Digest); err != nil || there {
				return err
			}
		}
		location, _, err := c.startUpload(ctx, b.Digest, nil)
		if err != nil {
			return err
		}
		return r.upload(ctx, c, location, b, open, up)
	})
	if err != nil {
		r.blobs.abandon(b.Digest, c.repo)
		return err
	}
	r.blobs.landed(b.Digest, c.repo)
	return nil
}

// upload sends a blob's bytes to an upload location, counting them on its progress line, once
// one of the run's upload slots is free.
func (r *pushRun) upload(ctx context.Context, c *repoClient, location string, b v1.Descriptor, open func() (io.ReadCloser, error), up Upload) error {
	select {
	case r.uploads <- struct{}{}:
		defer func() { <-r.uploads }()
	case <-ctx.Done():
		return ctx.Err()
	}
	rc, err := open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := c.sendBlob(ctx, location, b.Digest, b.Size, countBytes(rc, up)); err != nil {
		return err
	}
	r.blobs.uploaded(b.Digest)
	return nil
}

func (r *pushRun) delays() []time.Duration {
	if r.p.retryDelays != nil {
		return r.p.retryDelays
	}
	return retryDelays
}
