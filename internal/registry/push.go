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
	Log  io.Writer
}

// PushAll pushes every job and returns the results in job order. An image that several jobs
// share is read once; after its first push, its other repositories of the same registry mount
// the layers from the first instead of uploading them again where the registry allows it.
func (p *Pusher) PushAll(ctx context.Context, jobs []Job) ([]Result, error) {
	limit := p.Jobs
	if limit <= 0 {
		limit = 8
	}
	// Group jobs by image so that one image's pushes run in sequence (first upload, then mounts).
	groups := map[*Image][]int{}
	var order []*Image
	for i, j := range jobs {
		if _, ok := groups[j.Image]; !ok {
			order = append(order, j.Image)
		}
		groups[j.Image] = append(groups[j.Image], i)
	}
	results := make([]Result, len(jobs))
	var mu sync.Mutex
	// One puller and one pusher for the run: registries are pinged and authorized once per
	// repository, not once per request.
	opts := append(append([]remote.Option{}, p.Remote...), remote.WithContext(ctx))
	pl, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, err
	}
	ps, err := remote.NewPusher(opts...)
	if err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for _, img := range order {
		idx := groups[img]
		g.Go(func() error {
			from := "" // where this image was last pushed, to mount its layers from
			for _, i := range idx {
				j := jobs[i]
				ref, pushed, err := push(gctx, pl, ps, img, from, j.Repo, img.TagFor(j.Function))
				if err != nil {
					return fmt.Errorf("push image of function %s to %s: %w", j.Function, j.Repo, err)
				}
				mu.Lock()
				results[i] = Result{Function: j.Function, Ref: ref, Pushed: pushed}
				mu.Unlock()
				if pushed {
					p.logf("\tPushed %s (%s) to %s\n", j.Function, img.Source, ref)
				} else {
					p.logf("\tAlready there: %s (%s) at %s\n", j.Function, img.Source, ref)
				}
				from = ref
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return results, nil
}

// push writes img to repo under SAM CLI's tag unless the tag already names the same digest:
// one HEAD request when nothing changed. When the image is already at from, it is read from
// there, so that the registry can mount its layers instead of receiving them again.
func push(ctx context.Context, pl *remote.Puller, ps *remote.Pusher, img *Image, from, repo, tagName string) (string, bool, error) {
	tag, err := name.NewTag(repo + ":" + tagName)
	if err != nil {
		return "", false, err
	}
	want, err := img.Digest()
	if err != nil {
		return "", false, err
	}
	if d, err := remote.Head(tag, remote.Reuse(pl), remote.WithContext(ctx)); err == nil && d.Digest == want {
		return tag.String(), false, nil
	}
	var src v1.Image = img.Image
	if t, err := name.NewTag(from); from != "" && err == nil {
		if remoteImg, err := remote.Image(t, remote.Reuse(pl), remote.WithContext(ctx)); err == nil {
			src = remoteImg
		}
	}
	if err := remote.Write(tag, src, remote.Reuse(ps), remote.WithContext(ctx)); err != nil {
		return "", false, err
	}
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
