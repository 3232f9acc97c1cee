package registry

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// Job is one function's image to push to a repository.
type Job struct {
	Function string
	Image    *Image
	// Repo is the repository URI, without tag.
	Repo string
	// Empty tells that this run created the repository: it holds nothing, so neither the tag
	// nor the blobs are looked up there.
	Empty bool
	// Tag is the tag to push; when empty, the image's own (TagFor with the function's path).
	Tag string
}

// Result is what became of a job: the reference the template deploys.
type Result struct {
	Function string
	Ref      string
	Pushed   bool
}

// Pusher pushes images with bounded concurrency.
type Pusher struct {
	// Access is how registries are reached.
	Access Access
	// Jobs bounds how many images are pushed, and how many blobs uploaded, at once (8 when 0).
	Jobs int
	// Report hears each image's bytes and result; nil for none.
	Report Reporter

	retryDelays []time.Duration // retryDelays when nil
}

// pushRun is the state of one PushAll.
type pushRun struct {
	p       *Pusher
	rt      http.RoundTripper
	blobs   *blobs
	uploads chan struct{} // one token per blob upload in flight
	clients perKey[clientKey, clientOnce]
}

// PushAll pushes every job and returns the results in job order. Each blob goes to a
// registry once: a job that needs a blob another job is sending waits for it and mounts it
// (an image several functions use is read once; layers images share are sent once), unless
// the registry does not mount, and then each repository gets its own copy.
func (p *Pusher) PushAll(ctx context.Context, jobs []Job) ([]Result, error) {
	limit := p.Jobs
	if limit <= 0 {
		limit = 8
	}
	r := &pushRun{p: p, rt: newPingCache(p.Access.transport()), blobs: newBlobs(), uploads: make(chan struct{}, limit)}
	results := make([]Result, len(jobs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, j := range jobs {
		g.Go(func() error {
			tag := j.Tag
			if tag == "" {
				tag = j.Image.TagFor(j.Function, samName(j.Function), "")
			}
			ref, pushed, err := r.push(gctx, j.Image, j.Repo, tag, j.Empty)
			if err != nil {
				return fmt.Errorf("push image of function %s to %s: %w", j.Function, j.Repo, err)
			}
			results[i] = Result{Function: j.Function, Ref: ref, Pushed: pushed}
			p.report().Result(j.Function, j.Image.Source, ref, pushed)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return results, nil
}

// client returns the run's client for repo, made once per repository; empty tells that the
// repository was empty when the run began.
func (r *pushRun) client(ctx context.Context, repo name.Repository, empty bool) (*repoClient, error) {
	return r.clientFor(ctx, clientKey{repo: repo}, empty)
}

// mountClient returns a client of c's repository that may also read from from: a registry
// that hands out tokens mounts a blob only for a token that may read its source.
func (r *pushRun) mountClient(ctx context.Context, c *repoClient, from name.Repository) (*repoClient, error) {
	return r.clientFor(ctx, clientKey{repo: c.repo, from: from}, false)
}

type clientKey struct{ repo, from name.Repository }

type clientOnce struct {
	once sync.Once
	c    *repoClient
	err  error
}

func (r *pushRun) clientFor(ctx context.Context, k clientKey, empty bool) (*repoClient, error) {
	e := r.clients.get(k)
	e.once.Do(func() {
		var from []name.Repository
		if k.from != (name.Repository{}) {
			from = append(from, k.from)
		}
		if e.c, e.err = newRepoClient(ctx, r.p.Access, r.rt, k.repo, from...); e.err == nil {
			e.c.empty = empty
		}
	})
	return e.c, e.err
}

// push writes img to repo under tagName unless the tag already names the same digest: one
// HEAD request when nothing changed. Otherwise it gets each blob into the repository (see
// blob) and then puts the manifest.
func (r *pushRun) push(ctx context.Context, img *Image, repo, tagName string, empty bool) (string, bool, error) {
	tag, err := name.NewTag(repo + ":" + tagName)
	if err != nil {
		return "", false, err
	}
	want, err := img.expectedDigest()
	if err != nil {
		return "", false, err
	}
	m, err := img.Manifest()
	if err != nil {
		return "", false, err
	}
	c, err := r.client(ctx, tag.Context(), empty)
	if err != nil {
		return "", false, err
	}
	blobs := append([]v1.Descriptor{m.Config}, m.Layers...)
	if d, found, err := c.lookupTag(ctx, tag.TagStr()); err == nil && found && d == want {
		for _, b := range blobs {
			r.blobs.landed(b.Digest, c.repo)
		}
		return tag.String(), false, nil
	}
	total := m.Config.Size
	for _, d := range m.Layers {
		total += d.Size
	}
	up := r.p.report().Sending(tag.Context().RepositoryStr(), total)
	err = r.sendBlobs(ctx, c, img, blobs, up)
	if err == nil {
		raw, mt := []byte(nil), types.MediaType("")
		if raw, err = img.RawManifest(); err == nil && digestOf(raw) != want.String() {
			err = fmt.Errorf("manifest of %s hashes to %s, not %s; not sent", img.Source, digestOf(raw), want)
		}
		if err == nil {
			if mt, err = img.MediaType(); err == nil {
				err = retry(ctx, r.delays(), func() error { return c.putManifest(ctx, tag.TagStr(), raw, mt) })
			}
		}
	}
	up.Done(err != nil)
	if err != nil {
		return "", false, err
	}
	return tag.String(), true, nil
}

func (p *Pusher) report() Reporter {
	if p.Report == nil {
		return quiet{}
	}
	return p.Report
}
