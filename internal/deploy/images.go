package deploy

import (
	"context"
	"fmt"

	"github.com/samship/samship/internal/registry"
)

// pushImages pushes the images of the functions in Push to their repositories and returns the
// template to deploy: the same bytes with those functions' ImageUri set to the pushed
// references.
func (r *run) pushImages(ctx context.Context) ([]byte, error) {
	in, e := r.in, r.e
	if len(in.Push) == 0 {
		return in.Template.Raw, nil
	}
	account := ""
	if len(in.Managed) > 0 {
		var err error
		if account, err = e.Account(ctx); err != nil {
			return nil, err
		}
	}
	repoOf := map[string]string{}
	for _, kv := range in.Repos(account, e.Region) {
		repoOf[kv.Key] = kv.Value
	}
	fns := map[string]string{} // full path -> ImageUri
	for _, f := range in.Tree.Functions() {
		fns[f.FullPath] = f.ImageURI
	}
	opener := &registry.Opener{Dir: in.Template.Dir(), Remote: e.Registry, Engine: in.Engine, Ctx: ctx}
	defer opener.Close()
	images := map[string]*registry.Image{} // by ImageUri: each source is read once
	var jobs []registry.Job
	for _, fp := range in.Push {
		src := fns[fp]
		img, ok := images[src]
		if !ok {
			var err error
			if img, err = opener.Open(src, fp); err != nil {
				return nil, err
			}
			images[src] = img
		}
		jobs = append(jobs, registry.Job{Function: fp, Image: img, Repo: repoOf[fp]})
	}
	jobsAtOnce := in.ImagePushJobs
	if jobsAtOnce <= 0 {
		jobsAtOnce = 8
	}
	fmt.Fprintf(e.Err, "\n\tPushing the images of %d %s (%d at a time)\n", len(jobs), plural(len(jobs)), jobsAtOnce)
	p := &registry.Pusher{Remote: e.Registry, Jobs: jobsAtOnce, Log: e.Err}
	start := e.Now()
	res, err := p.PushAll(ctx, jobs)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.Err, "\tImages: %s (%.2f s)\n", registry.Summary(res), e.Now().Sub(start).Seconds())
	uris := map[string]string{}
	for _, x := range res {
		uris[x.Function] = x.Ref
	}
	return in.Template.WithImageURIs(in.Tree.Functions(), uris)
}

func plural(n int) string {
	if n == 1 {
		return "function"
	}
	return "functions"
}
