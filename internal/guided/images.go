package guided

import (
	"context"
	"errors"
	"fmt"

	"github.com/samship/samship/internal/artifacts"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/imageref"
)

// ErrUnreferenced is SAM CLI's refusal when the user keeps unreferenced repositories.
//
//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
var ErrUnreferenced = errors.New("Unreferenced Auto Created ECR Repos Must Be Deleted.")

// repos is what the image questions decided.
type repos struct {
	// mapped holds the functions the user gave a repository of their own.
	mapped map[string]string
	// managed lists the functions with companion repositories, in template order.
	managed []string
	// saved is image_repositories as samconfig keeps it: every image function's repository.
	saved []string
	plan  *companion.Plan
}

// showBucket prints the managed bucket, looking it up without creating it.
func (f *Flow) showBucket(ctx context.Context, env deploy.Env) error {
	b, err := artifacts.FindManagedBucket(ctx, env.CFN)
	if err != nil {
		return err
	}
	if b == "" {
		f.UI.BucketToCreate(artifacts.ManagedStackName)
		return nil
	}
	f.UI.Bucket(b)
	return nil
}

// askImages runs SAM CLI's image repository questions and plans the companion stack; with
// --resolve-image-repos it asks nothing and every function gets a managed repository.
func (f *Flow) askImages(ctx context.Context, env deploy.Env, d Defaults, a *answers) (*repos, error) {
	tree := a.tree
	r := &repos{mapped: map[string]string{}}
	var fns []string
	for _, fn := range tree.ImageFunctions() {
		fns = append(fns, fn.FullPath)
	}
	if len(fns) == 0 {
		// No image function left: a companion stack still holding repositories is asked about.
		if err := f.planRepos(ctx, env, a, r); err != nil {
			return nil, err
		}
		return r, f.askRemovals(ctx, env, a, r.plan)
	}
	if d.ResolveImageRepos {
		r.managed = fns
		return r, f.planRepos(ctx, env, a, r)
	}
	account, err := env.Account(ctx)
	if err != nil {
		return nil, err
	}
	uri := func(fp string) string { return companion.URI(account, a.region, companion.NewRepo(a.stack, fp).Name) }
	given := map[string]string{}
	for k, v := range d.ImageRepositories {
		if fp, ok := tree.ResolveKey(k); ok {
			given[fp] = v // keys for functions no longer in the template are dropped, as in SAM CLI
		}
	}
	if d.ImageRepository != "" {
		for _, fp := range fns {
			given[fp] = d.ImageRepository
		}
	}
	var found, without []string
	for _, fp := range fns {
		if given[fp] != "" {
			found = append(found, fp)
		} else {
			without = append(without, fp)
		}
	}
	p := f.Prompt
	createAll := false
	switch {
	case len(found) == 0:
		f.UI.ImageReposNotFound()
		if createAll, err = p.Confirm(ctx, "\t Create managed ECR repositories for all functions?", true); err != nil {
			return nil, err
		}
	default:
		var shown []deploy.KV
		for _, fp := range found {
			shown = append(shown, deploy.KV{Key: fp, Value: given[fp]})
		}
		f.UI.ImageReposFound(shown, len(fns), len(without) > 0)
		if len(without) > 0 {
			q := fmt.Sprintf("\t Create managed ECR repositories for the %d functions without?", len(without))
			if createAll, err = p.Confirm(ctx, q, true); err != nil {
				return nil, err
			}
		}
	}
	for _, fp := range without {
		if createAll {
			given[fp] = uri(fp)
			continue
		}
		v, err := p.Validated(ctx, "\t ECR repository for "+fp, "", func(s string) error {
			if !imageref.IsRepositoryURI(s) {
				//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
				return fmt.Errorf("Invalid Image Repository ECR URI: %s", s)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		given[fp] = v
	}
	for _, fp := range fns {
		r.saved = append(r.saved, fp+"="+given[fp])
		if given[fp] == uri(fp) {
			r.managed = append(r.managed, fp)
		} else {
			r.mapped[fp] = given[fp]
		}
	}
	if err := f.planRepos(ctx, env, a, r); err != nil {
		return nil, err
	}
	return r, f.askRemovals(ctx, env, a, r.plan)
}

// planRepos plans the companion stack for the managed functions.
func (f *Flow) planRepos(ctx context.Context, env deploy.Env, a *answers, r *repos) error {
	pl := &companion.Planner{Stacks: env.CFN, Images: env.Images, Report: f.UI, Settings: a.settings, Spare: a.tree.SAMRepoOnly()}
	p, err := pl.Plan(ctx, a.stack, r.managed)
	if err != nil {
		return err
	}
	r.plan = p
	if p.Stack != nil && p.Stack.Account() != "" {
		env.SetAccount(p.Stack.Account())
	}
	return nil
}

// askRemovals lists the unreferenced repositories with their image counts and asks whether to
// delete them; declining aborts before anything changed, as in SAM CLI.
func (f *Flow) askRemovals(ctx context.Context, env deploy.Env, a *answers, p *companion.Plan) error {
	if len(p.Remove) == 0 {
		return nil
	}
	account, err := env.Account(ctx)
	if err != nil {
		return err
	}
	var repos []RepoImages
	for _, rm := range p.Remove {
		repos = append(repos, RepoImages{URI: companion.URI(account, a.region, rm.Name), Images: rm.Images})
	}
	f.UI.Unreferenced(repos)
	ok, err := f.Prompt.Confirm(ctx, "\t Delete the unreferenced repositories listed above when deploying?", false)
	if err != nil {
		return err
	}
	if !ok {
		f.UI.DeploymentAborted()
		return ErrUnreferenced
	}
	return nil
}
