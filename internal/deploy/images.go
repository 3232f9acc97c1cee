package deploy

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/template"
)

// openImages reads every image the run pushes, whole, and verifies each against its
// digests, before anything changes in AWS: a broken image stops the run with nothing created.
// Each source is read once per platform however many functions share it.
func (r *run) openImages(ctx context.Context) error {
	in, e := r.in, r.e
	if len(in.Push) == 0 {
		return nil
	}
	fns := byPath(in.Tree)
	r.scratch = registry.NewScratch("")
	r.opener = &registry.Opener{Remote: e.Registry.Options(), Engine: in.Engine, Scratch: r.scratch}
	r.images, r.tags = map[string]*registry.Image{}, map[string]string{}
	bySource := map[string]*registry.Image{}
	var distinct []*registry.Image
	var firstUse []template.Function // of each distinct image, for errors
	for _, fp := range in.Push {
		f := fns[fp]
		key := f.ImageURI // a registry or engine name, or the absolute path of a file
		if p := imagePath(f); exists(p) {
			key = p
		}
		key += " " + registry.PlatformOf(f.Architecture).String() // an index holds one image per platform
		img, ok := bySource[key]
		if !ok {
			var err error
			if r.opener.Dir, err = filepath.Abs(f.Template().Dir()); err != nil { // the function's own template
				return err
			}
			if img, err = r.opener.Open(ctx, f.ImageURI, fp, f.Architecture); err != nil {
				return fmt.Errorf("%s: %w", f.Where, err)
			}
			bySource[key] = img
			distinct, firstUse = append(distinct, img), append(firstUse, f)
		}
		r.images[fp] = img
		r.tags[fp] = img.TagFor(fp, f.BuildName(), f.DockerTag)
	}
	if i, err := registry.VerifyAll(distinct); err != nil {
		f := firstUse[i]
		return fmt.Errorf("%s: function %s: image %s is broken: %w", f.Where, f.FullPath, f.ImageURI, err)
	}
	return nil
}

// plannedRefs returns the references the images will be pushed as, by function full path,
// with account standing for the account id of managed repositories: their repository and
// SAM's tag are known before anything is pushed.
func (r *run) plannedRefs(account string) map[string]string {
	refs := map[string]string{}
	for _, kv := range r.in.Repos(account, r.e.Region) {
		if r.images[kv.Key] != nil {
			refs[kv.Key] = kv.Value + ":" + r.tags[kv.Key]
		}
	}
	return refs
}

// byPath indexes a tree's functions by full path.
func byPath(tr *template.Tree) map[string]template.Function {
	fns := map[string]template.Function{}
	for _, f := range tr.Functions() {
		fns[f.FullPath] = f
	}
	return fns
}

// checkInline refuses, before anything changes, a deploy without a bucket whose template, as
// it will be deployed, is over what CloudFormation accepts inline.
func (r *run) checkInline(ctx context.Context) error {
	if r.in.S3Bucket != "" || r.in.ResolveS3 || r.in.PackageOnly {
		return nil
	}
	// Every account id has 12 digits: a stand-in gives the exact size without asking STS.
	body, err := r.packageTree(ctx, r.plannedRefs("000000000000"), "") // without a bucket nothing is uploaded
	if err != nil {
		return err
	}
	if len(body) > companion.InlineLimit {
		return fmt.Errorf("the template as deployed (with the pushed images and SAM's resource ids) is %d bytes, more than the 51,200 CloudFormation accepts inline: pass --s3-bucket or --resolve-s3", len(body))
	}
	return nil
}

// closeImages removes the temporary files reading and pushing the images made.
func (r *run) closeImages() {
	if r.scratch != nil {
		r.scratch.Close()
	}
}

// pushImages pushes the images of the functions in Push to their repositories and returns the
// pushed references by function full path.
func (r *run) pushImages(ctx context.Context) (map[string]string, error) {
	in, e := r.in, r.e
	if len(in.Push) == 0 {
		return nil, nil
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
	created := map[string]bool{} // by function: its managed repository is new, it holds nothing
	if r.plan != nil {
		names := map[string]bool{}
		for _, c := range r.plan.Create {
			names[c.Name] = true
		}
		for _, fp := range in.Managed {
			if _, name, ok := strings.Cut(repoOf[fp], "/"); ok && names[name] {
				created[fp] = true
			}
		}
	}
	var jobs []registry.Job
	for _, fp := range in.Push {
		jobs = append(jobs, registry.Job{Function: fp, Image: r.images[fp], Repo: repoOf[fp], Empty: created[fp], Tag: r.tags[fp]})
	}
	jobsAtOnce := in.ImagePushJobs
	if jobsAtOnce <= 0 {
		jobsAtOnce = 8
	}
	pushes := e.UI.Pushes(in.Push, jobsAtOnce, in.NoProgressBar, e.Now)
	r.pusher = &registry.Pusher{Access: e.Registry, Jobs: jobsAtOnce, Report: pushes, Scratch: r.scratch, Cache: e.Layers}
	res, err := r.pusher.PushAll(ctx, jobs)
	if err != nil {
		pushes.Stop()
		return nil, err
	}
	pushes.Done()
	refs := map[string]string{}
	for i, x := range res {
		refs[x.Function] = x.Ref
		r.res.Images = append(r.res.Images, Image{Function: x.Function, Source: jobs[i].Image.Source, Ref: x.Ref, Pushed: x.Pushed})
	}
	return refs, nil
}
