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
	// Digest is the digest of the manifest the tag names.
	Digest string
	Pushed bool
}

// Pusher pushes images with bounded concurrency.
type Pusher struct {
	// Access is how registries are reached.
	Access Access
	// Jobs bounds how many images are pushed, and how many blobs uploaded, at once (8 when 0).
	Jobs int
	// Report hears each image's bytes and result; nil for none.
	Report Reporter
	// Scratch is where layers compressed for the push wait for their uploads.
	Scratch *Scratch
	// Cache remembers what the layers of engine images were pushed as; nil remembers nothing.
	Cache *LayerCache

	retryDelays []time.Duration // retryDelays when nil
	pings       sync.Once
	rt          http.RoundTripper // Access's transport with its version checks answered once
}

// transport is the Pusher's transport: each registry's version check (GET /v2/) is made once
// for every PushAll and Missing of it.
func (p *Pusher) transport() http.RoundTripper {
	p.pings.Do(func() { p.rt = newPingCache(p.Access.transport()) })
	return p.rt
}

// pushRun is the state of one PushAll.
type pushRun struct {
	p       *Pusher
	rt      http.RoundTripper
	blobs   *blobs
	uploads chan struct{} // one token per blob upload in flight
	clients perKey[clientKey, clientOnce]
	// manifests are the manifests read to compare an image's config, by digest.
	manifests perKey[v1.Hash, manifestEntry]
}

// PushAll pushes every job and returns the results in job order. An image already in its
// repository under its tag (the same image: the tag names the same config, however its
// layers were compressed) is not pushed again, and its tag is left as it is. Each blob goes
// to a registry once: a job that needs a blob another job is sending waits for it and mounts
// it (an image several functions use is read once; layers images share are sent once), unless
// the registry does not mount, and then each repository gets its own copy. The images of an
// engine are read in one export, after each job has looked for its tag.
func (p *Pusher) PushAll(ctx context.Context, jobs []Job) ([]Result, error) {
	limit := p.Jobs
	if limit <= 0 {
		limit = 8
	}
	r := &pushRun{p: p, rt: p.transport(), blobs: newBlobs(), uploads: make(chan struct{}, limit)}
	results := make([]Result, len(jobs))
	g, gctx := errgroup.WithContext(ctx)
	var mu sync.Mutex
	var engine []engineTask
	var looked sync.WaitGroup // the engine jobs' looks for their tags
	for _, j := range jobs {
		if j.Image.engine != nil {
			looked.Add(1)
		}
	}
	g.Go(func() error {
		looked.Wait()
		return r.pushEngine(gctx, engine, results)
	})
	sem := make(chan struct{}, limit)
	for i, j := range jobs {
		g.Go(func() error {
			inEngine := j.Image.engine != nil
			if inEngine {
				defer looked.Done()
			}
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-gctx.Done():
				return gctx.Err()
			}
			tagName := j.Tag
			if tagName == "" {
				tagName = j.Image.TagFor(j.Function, samName(j.Function), "")
			}
			tag, err := name.NewTag(j.Repo + ":" + tagName)
			if err != nil {
				return fmt.Errorf("push image of function %s to %s: %w", j.Function, j.Repo, err)
			}
			c, err := r.client(gctx, tag.Context(), j.Empty)
			if err != nil {
				return fmt.Errorf("push image of function %s to %s: %w", j.Function, j.Repo, err)
			}
			if d, ok := r.there(gctx, c, tag.TagStr(), j.Image); ok {
				results[i] = Result{Function: j.Function, Ref: tag.String(), Digest: d}
				p.report().Result(j.Function, j.Image.Source, tag.String(), d, false)
				return nil
			}
			if inEngine {
				mu.Lock()
				engine = append(engine, engineTask{i: i, job: j, tag: tag, c: c})
				mu.Unlock()
				return nil
			}
			d, err := r.push(gctx, c, j.Image, tag)
			if err != nil {
				return fmt.Errorf("push image of function %s to %s: %w", j.Function, j.Repo, err)
			}
			results[i] = Result{Function: j.Function, Ref: tag.String(), Digest: d, Pushed: true}
			p.report().Result(j.Function, j.Image.Source, tag.String(), d, true)
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

// push gets each blob of img into c's repository (see blob) and then puts its manifest
// under tag.
func (r *pushRun) push(ctx context.Context, c *repoClient, img *Image, tag name.Tag) (string, error) {
	want, err := img.expectedDigest()
	if err != nil {
		return "", err
	}
	m, err := img.Manifest()
	if err != nil {
		return "", err
	}
	blobs := append([]v1.Descriptor{m.Config}, m.Layers...)
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
	return want.String(), err
}

func (p *Pusher) report() Reporter {
	if p.Report == nil {
		return quiet{}
	}
	return p.Report
}
