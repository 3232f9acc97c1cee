package registry

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"
)

// Job is one function's image to push to a repository.
type Job struct {
	Function string
	Image    *Image
	// Repo is the repository URI, without tag.
	Repo string
}

// Result is what became of a job: the reference the template deploys.
type Result struct {
	Function string
	Ref      string
	Pushed   bool
}

// Pusher pushes images with bounded concurrency.
type Pusher struct {
	// Remote are the options for every registry request (auth, transport).
	Remote []remote.Option
	// Jobs bounds how many images are pushed at once (8 when 0).
	Jobs int
	// Log receives one line per image when it is done; nil for none.
	Log io.Writer
	// Progress, when set, follows the bytes sent (and draws them on a terminal).
	Progress *Progress
}

// pushRun is the state of one PushAll.
type pushRun struct {
	p       *Pusher
	jobs    []Job
	groups  map[*Image][]int // job indexes per image, in job order
	results []Result
	mu      sync.Mutex
	pl      *remote.Puller
	ps      *remote.Pusher
	placed  *placed
}

// PushAll pushes every job and returns the results in job order. Each unique layer is
// uploaded once per registry: an image several jobs share is read once and pushed to its
// repositories in turn, and layers several images share are pushed with a first wave of
// images and then mounted by the others, where the registry allows it.
func (p *Pusher) PushAll(ctx context.Context, jobs []Job) ([]Result, error) {
	r := &pushRun{p: p, jobs: jobs, groups: map[*Image][]int{}, results: make([]Result, len(jobs)),
		placed: &placed{at: map[v1.Hash]name.Reference{}}}
	var order []*Image
	for i, j := range jobs {
		if _, ok := r.groups[j.Image]; !ok {
			order = append(order, j.Image)
		}
		r.groups[j.Image] = append(r.groups[j.Image], i)
	}
	// One puller and one pusher for the run: registries are pinged and authorized once per
	// repository, not once per request.
	opts := append(append([]remote.Option{}, p.Remote...), remote.WithContext(ctx))
	var err error
	if r.pl, err = remote.NewPuller(opts...); err != nil {
		return nil, err
	}
	if r.ps, err = remote.NewPusher(opts...); err != nil {
		return nil, err
	}
	first, rest := seeds(order)
	for _, wave := range [][]*Image{first, rest} {
		if err := r.wave(ctx, wave); err != nil {
			return nil, err
		}
	}
	return r.results, nil
}

// wave pushes the images of one wave concurrently, each image's repositories in sequence.
func (r *pushRun) wave(ctx context.Context, wave []*Image) error {
	limit := r.p.Jobs
	if limit <= 0 {
		limit = 8
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for _, img := range wave {
		g.Go(func() error {
			from := "" // where this image was last pushed, to mount its layers from
			for _, i := range r.groups[img] {
				j := r.jobs[i]
				ref, pushed, err := r.push(gctx, img, from, j.Repo, img.TagFor(j.Function))
				if err != nil {
					return fmt.Errorf("push image of function %s to %s: %w", j.Function, j.Repo, err)
				}
				r.mu.Lock()
				r.results[i] = Result{Function: j.Function, Ref: ref, Pushed: pushed}
				r.mu.Unlock()
				if pushed {
					r.p.logf("\tPushed %s (%s) to %s\n", j.Function, img.Source, ref)
				} else {
					r.p.logf("\tAlready there: %s (%s) at %s\n", j.Function, img.Source, ref)
				}
				from = ref
			}
			return nil
		})
	}
	return g.Wait()
}

// push writes img to repo under tagName unless the tag already names the same digest: one
// HEAD request when nothing changed. When the image is already at from, it is read from
// there, and layers placed earlier in the run are marked mountable, so that the registry can
// mount them instead of receiving them again.
func (r *pushRun) push(ctx context.Context, img *Image, from, repo, tagName string) (string, bool, error) {
	tag, err := name.NewTag(repo + ":" + tagName)
	if err != nil {
		return "", false, err
	}
	want, err := img.Digest()
	if err != nil {
		return "", false, err
	}
	if d, err := remote.Head(tag, remote.Reuse(r.pl), remote.WithContext(ctx)); err == nil && d.Digest == want {
		r.placed.record(img.Image, tag)
		return tag.String(), false, nil
	}
	// An image read back from the registry mounts all its blobs, config included, by itself;
	// one read from a file gets the layers placed earlier marked mountable.
	var src v1.Image = img.Image
	var ln *line
	if r.p.Progress != nil {
		src, ln = r.p.Progress.track(tag.Context().RepositoryStr(), src)
	}
	src = r.placed.mountable(src, tag.Context())
	if t, err := name.NewTag(from); from != "" && err == nil {
		if remoteImg, err := remote.Image(t, remote.Reuse(r.pl), remote.WithContext(ctx)); err == nil {
			src = remoteImg
		}
	}
	if err := remote.Write(tag, src, remote.Reuse(r.ps), remote.WithContext(ctx)); err != nil {
		if ln != nil {
			r.p.Progress.done(ln, "failed")
		}
		return "", false, err
	}
	if ln != nil {
		r.p.Progress.done(ln, "pushed")
	}
	r.placed.record(img.Image, tag)
	return tag.String(), true, nil
}

func (p *Pusher) logf(format string, a ...any) {
	if p.Log != nil {
		fmt.Fprintf(p.Log, format, a...)
	}
}

// Summary describes results as "N pushed, M already there".
func Summary(rs []Result) string {
	pushed := 0
	for _, r := range rs {
		if r.Pushed {
			pushed++
		}
	}
	return fmt.Sprintf("%d pushed, %d already there", pushed, len(rs)-pushed)
}
