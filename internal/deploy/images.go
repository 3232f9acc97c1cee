package deploy

import (
	"context"
	"fmt"
	"strings"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/template"
)

// newImages makes the run's image stage, which reads, pushes and checks the images of the
// functions in Push.
func (r *run) newImages() *images.Stage {
	return &images.Stage{Access: r.e.Registry, Engine: r.in.Engine, Layers: r.e.Layers, Report: r.e.UI,
		Jobs: r.in.ImagePushJobs, NoProgressBar: r.in.NoProgressBar, Now: r.e.Now}
}

// pushFunctions returns the functions in Push, in template order.
func (in *Input) pushFunctions() []template.Function {
	push := map[string]bool{}
	for _, fp := range in.Push {
		push[fp] = true
	}
	var fns []template.Function
	for _, f := range in.Tree.Functions() {
		if push[f.FullPath] {
			fns = append(fns, f)
		}
	}
	return fns
}

// repoByPath returns the repository URI of every image function by full path, given the
// account id of managed repositories.
func (r *run) repoByPath(account string) map[string]string {
	repos := map[string]string{}
	for _, kv := range r.in.Repos(account, r.e.Region) {
		repos[kv.Key] = kv.Value
	}
	return repos
}

// plannedRefs returns the references the images will be pushed as, by function full path,
// with account standing for the account id of managed repositories: their repository and
// SAM's tag are known before anything is pushed.
func (r *run) plannedRefs(account string) map[string]string {
	return r.images.Refs(r.repoByPath(account))
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

// push pushes the images of the functions in Push to their repositories, records them in the
// result, and returns the pushed references by function full path.
func (r *run) push(ctx context.Context) (map[string]string, error) {
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
	repos := r.repoByPath(account)
	created := map[string]bool{} // by function: its managed repository is new, it holds nothing
	if r.plan != nil {
		names := map[string]bool{}
		for _, c := range r.plan.Create {
			names[c.Name] = true
		}
		for _, fp := range in.Managed {
			if _, name, ok := strings.Cut(repos[fp], "/"); ok && names[name] {
				created[fp] = true
			}
		}
	}
	pushed, err := r.images.Push(ctx, repos, created)
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	for _, p := range pushed {
		refs[p.Function] = p.Ref
		r.res.Images = append(r.res.Images, Image{Function: p.Function, Source: p.Source, Ref: p.Ref, Digest: p.Digest, Pushed: p.Pushed})
	}
	return refs, nil
}
