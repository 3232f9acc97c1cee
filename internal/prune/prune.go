// Package prune deletes the images of a stack's managed repositories that nothing can run:
// an image is kept when it is the image of one of the stack's functions, of a published
// version or of an alias of them (read from Lambda, resolved to digests, so another tag of
// the same image does not fool it), when a change set waiting to be executed names it, or
// when it is among the newest of its repository. It
// lists what it will delete, asks, reads what is in use once more, and deletes by digest.
package prune

import (
	"context"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/lambda"
)

// Input is what to prune.
type Input struct {
	StackName string
	// Keep is how many of the newest images of each repository stay, in use or not.
	Keep int
	// MinAge keeps every image pushed more recently than this, by AWS's clock: a deploy
	// running now may have pushed it (or found it there) for a change set not created yet.
	MinAge time.Duration
	// DryRun only lists; NoPrompts deletes without asking.
	DryRun, NoPrompts bool
}

// Stacks is what prune needs from CloudFormation (cfn.Client).
type Stacks interface {
	Describe(ctx context.Context, name string) (*cfn.Stack, error)
	Template(ctx context.Context, name string) (string, error)
	Resources(ctx context.Context, stack string) ([]cfn.Resource, error)
	PendingTemplates(ctx context.Context, stack string) (map[string]string, error)
}

// Images is what prune needs from ECR (ecr.Client).
type Images interface {
	Describe(ctx context.Context, repo string) ([]ecr.Image, error)
	DeleteDigests(ctx context.Context, repo string, digests []string) ([]string, error)
}

// Functions is what prune needs from Lambda (lambda.Client).
type Functions interface {
	Images(ctx context.Context, name string) (*lambda.Function, error)
	Latest(ctx context.Context, name string) (*lambda.Use, string, error)
}

// Env is how prune reaches AWS and the user.
type Env struct {
	Stacks    Stacks
	Images    Images
	Functions Functions
	Region    string
	UI        Reporter
	// Confirm asks a yes/no question; the prompter styles it (bold on a terminal).
	Confirm func(ctx context.Context, question string, def bool) (bool, error)
	// Parallel is how many AWS reads run at once (8 when 0).
	Parallel int
	// Now is AWS's current time (awsclient.Clock), for --min-age; time.Now when nil.
	Now func() time.Time
}

func (e Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e Env) parallel() int {
	if e.Parallel > 0 {
		return e.Parallel
	}
	return 8
}

// Run prunes the managed repositories of in.StackName, and returns what it decided and
// deleted (also with an error, up to it).
func Run(ctx context.Context, in Input, e Env) (*Result, error) {
	res := &Result{StackName: in.StackName, DryRun: in.DryRun, Keep: in.Keep, Repositories: []Repo{}}
	app, err := settled(ctx, e, in.StackName, in.StackName)
	if cfn.IsNotFound(err) {
		return res, fmt.Errorf("prune stack %s: the stack does not exist in %s (samship orphans lists companion stacks left behind)", in.StackName, e.Region)
	}
	if err != nil {
		return res, err
	}
	compName := companion.StackName(in.StackName)
	comp, err := settled(ctx, e, in.StackName, compName)
	if cfn.IsNotFound(err) {
		e.UI.NoManagedRepositories(in.StackName)
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.CompanionStack = compName
	body, err := e.Stacks.Template(ctx, comp.ID)
	if err != nil {
		return res, err
	}
	repos, _, err := companion.ParseDeployed(body)
	if err != nil {
		return res, fmt.Errorf("read companion stack %s: %w", compName, err)
	}
	names := make([]string, len(repos))
	for i, r := range repos {
		names[i] = r.Name
	}
	e.UI.PruneReading(in.StackName, len(names))
	st, err := read(ctx, e, app, names)
	if err != nil {
		return res, err
	}
	var recent time.Time // --min-age 0 keeps nothing for its age (AWS's clock is read to the second)
	if in.MinAge > 0 {
		recent = e.now().Add(-in.MinAge)
	}
	p := decide(st, in.Keep, recent)
	defer p.fill(res) // the result is the plan as it stands when Run returns
	e.UI.PrunePlan(in.StackName, p.view(), in.Keep)
	if p.count() == 0 {
		e.UI.NothingToPrune(in.Keep)
		return res, nil
	}
	if in.DryRun {
		e.UI.PruneDryRun()
		return res, nil
	}
	if !in.NoPrompts {
		ok, err := e.Confirm(ctx, e.UI.PruneQuestion(p.totals()), false)
		if err != nil || !ok {
			return res, err
		}
	}
	// What is in use is read once more just before deleting: a deploy may have finished, or a
	// version been published, while the list was on the screen.
	now, pending, err := reread(ctx, e, st)
	if err != nil {
		return res, err
	}
	for _, k := range p.stillUsed(now, pending) {
		e.UI.NowInUse(k.repo, k.digest, k.by)
	}
	return res, p.delete(ctx, e, in.StackName)
}

// settled describes a stack (the application's or its companion) and refuses one
// CloudFormation is working on: its functions and repositories are changing.
func settled(ctx context.Context, e Env, app, name string) (*cfn.Stack, error) {
	st, err := e.Stacks.Describe(ctx, name)
	if err != nil {
		return nil, err
	}
	if cfn.InProgress(st.Status) {
		return nil, fmt.Errorf("prune stack %s: %s is %s; prune when it is done", app, st.Name, st.Status)
	}
	return st, nil
}

// delete deletes the planned images, repositories in parallel, and reports what went. A
// repository that failed keeps its images; a rerun deletes them.
func (p *plan) delete(ctx context.Context, e Env, stack string) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.parallel())
	kept := make([][]string, len(p.repos))
	done := make([]bool, len(p.repos))
	for i, r := range p.repos {
		digests := r.deleteDigests()
		if len(digests) == 0 {
			continue
		}
		g.Go(func() error {
			k, err := e.Images.DeleteDigests(gctx, r.name, digests)
			if ecr.IsRepositoryNotFound(err) {
				return nil // the repository went meanwhile, and its images with it
			}
			kept[i], done[i] = k, err == nil
			return err
		})
	}
	err := g.Wait()
	n, size := 0, int64(0)
	for i, r := range p.repos {
		for j, img := range r.images {
			switch {
			case img.reason != "" || !done[i]:
			case slices.Contains(kept[i], img.Digest):
				e.UI.KeptByIndex(r.name, img.Digest)
				r.images[j].reason = Referenced
			default:
				r.images[j].deleted = true
				n++
				size += img.Size
			}
		}
	}
	if err != nil {
		return fmt.Errorf("prune stack %s: %w (%d %s deleted before it; a rerun deletes the rest)", stack, err, n, plural(n, "image", "images"))
	}
	e.UI.Pruned(n, size)
	return nil
}

// plural returns one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
