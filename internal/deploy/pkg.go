package deploy

import (
	"context"
)

// Package does what a deploy does before its change set and returns the packaged template:
// the bucket is resolved when something goes to S3, missing repositories are created (never
// removed: nothing is deployed), images are pushed and local files and nested templates
// uploaded. The result says which images and repositories.
func Package(ctx context.Context, in *Input, e Env) ([]byte, *Result, error) {
	r := &run{in: in, e: e, res: &Result{Region: e.Region}}
	r.images = r.newImages()
	defer r.images.Close()
	body, err := r.pack(ctx)
	r.result()
	return body, r.res, err
}

func (r *run) pack(ctx context.Context) ([]byte, error) {
	in := r.in
	if err := r.images.Open(ctx, in.pushFunctions()); err != nil { // before anything is created
		return nil, err
	}
	needed, err := r.needsBucket(ctx, false)
	if err != nil {
		return nil, err
	}
	if err := r.resolveBucket(ctx, needed); err != nil {
		return nil, err
	}
	if in.ResolveImageRepos {
		if err := r.planCompanion(ctx); err != nil {
			return nil, err
		}
		if err := r.readyCompanion(); err != nil {
			return nil, err
		}
		if err := r.prepareCompanion(ctx); err != nil {
			return nil, err
		}
		r.learnAccount(nil)
		r.e.UI.Kept(len(r.plan.Remove), "samship package deploys nothing, so it removes nothing")
	}
	refs, err := r.push(ctx)
	if err != nil {
		return nil, err
	}
	return r.packageTree(ctx, refs, "") // no stack: sam package names none
}
