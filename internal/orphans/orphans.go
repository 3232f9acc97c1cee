// Package orphans finds companion stacks — SAM CLI's and samship's, known by their name,
// description and repository tags — whose application stack no longer exists (it was deleted
// some other way than sam delete or samship delete, or renamed), and deletes them with their
// repositories and images when asked.
package orphans

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
)

// Input is what to do.
type Input struct {
	// Delete empties and deletes the orphans found, after asking unless NoPrompts.
	Delete, NoPrompts bool
	// MinAge: a companion stack changed more recently is left alone, as a first deploy
	// creates the companion stack before the application stack.
	MinAge time.Duration
}

// Stacks is what orphans needs from CloudFormation (cfn.Client).
type Stacks interface {
	List(ctx context.Context) ([]*cfn.Stack, error)
	Template(ctx context.Context, name string) (string, error)
	DeleteStack(ctx context.Context, st *cfn.Stack, roleARN string, retain ...string) error
}

// Env is how orphans reaches AWS and the user.
type Env struct {
	Stacks Stacks
	Images companion.Images
	Region string
	UI     Reporter
	// Confirm asks a yes/no question; the prompter styles it (bold on a terminal).
	Confirm func(ctx context.Context, question string, def bool) (bool, error)
	// Now is AWS's clock (awsclient.Clock.Now): ages are judged by it, not the machine's.
	Now func() time.Time
}

// orphan is a companion stack whose application stack is gone.
type orphan struct {
	stack  *cfn.Stack
	parent string
	whole  bool // parent is the whole name, not its first 104 characters
	repos  []Repo
}

// Run lists the orphaned companion stacks of the region, and deletes them with --delete. It
// returns what it found and deleted (also with an error, up to it).
func Run(ctx context.Context, in Input, e Env) (*Result, error) {
	res := &Result{Region: e.Region, Orphans: []Orphan{}, LeftAlone: []LeftAlone{}, Deleted: []string{}}
	found, young, err := find(ctx, e, in.MinAge)
	if err != nil {
		return res, err
	}
	res.Orphans, res.LeftAlone = view(found, e.Now()), young
	e.UI.Orphans(e.Region, res.Orphans, young, in.MinAge)
	if !in.Delete || len(found) == 0 {
		return res, nil
	}
	var chosen []orphan
	for _, o := range found {
		if !in.NoPrompts {
			ok, err := e.Confirm(ctx, e.UI.OrphanQuestion(o.stack.Name, o.repos), false)
			if err != nil {
				return res, err
			}
			if !ok {
				continue
			}
		}
		chosen = append(chosen, o)
	}
	if len(chosen) == 0 {
		return res, nil
	}
	// The region's stacks are listed once more: an application stack may have been created
	// (a first deploy under way), or a companion stack changed, while the questions were asked.
	stacks, err := e.Stacks.List(ctx)
	if err != nil {
		return res, err
	}
	now := map[string]*cfn.Stack{}
	for _, o := range candidates(stacks) {
		now[o.stack.ID] = o.stack
	}
	for _, o := range chosen {
		if s := now[o.stack.ID]; s == nil || !s.Changed.Equal(o.stack.Changed) || cfn.InProgress(s.Status) {
			e.UI.NoLongerOrphan(o.stack.Name)
			res.NoLongerOrphans = append(res.NoLongerOrphans, o.stack.Name)
			continue
		}
		if err := remove(ctx, e, o); err != nil {
			return res, err
		}
		res.Deleted = append(res.Deleted, o.stack.Name)
	}
	if len(res.Deleted) > 0 {
		e.UI.Deleted()
	}
	return res, nil
}

// candidates are the companion stacks among stacks that none of them is the parent of.
func candidates(stacks []*cfn.Stack) []orphan {
	parents := map[string]bool{} // companion names the existing stacks would have
	for _, s := range stacks {
		parents[companion.StackName(s.Name)] = true
	}
	var out []orphan
	for _, s := range stacks {
		if companion.IsCompanion(s.Name, s.Description) && !parents[s.Name] {
			parent, whole := companion.ParentName(s.Name)
			out = append(out, orphan{stack: s, parent: parent, whole: whole})
		}
	}
	return out
}

// find lists the region's stacks and returns the companion stacks none of them is the parent
// of, with their repositories and image counts, and those too recent or busy to judge.
func find(ctx context.Context, e Env, minAge time.Duration) ([]orphan, []LeftAlone, error) {
	stacks, err := e.Stacks.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	cands := candidates(stacks)
	// AWS's clock is known to the second (the Date header): --min-age 0 leaves nothing alone
	// for its age, even a stack changed within the second.
	recent := func(s *cfn.Stack) bool {
		return cfn.InProgress(s.Status) || minAge > 0 && e.Now().Sub(s.Changed) < minAge
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	ours := make([]bool, len(cands))
	for i := range cands {
		g.Go(func() error {
			var err error
			ours[i], err = cands[i].read(gctx, e, !recent(cands[i].stack))
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	var found []orphan
	young := []LeftAlone{}
	for i, o := range cands {
		s := o.stack
		switch {
		case !ours[i]:
		case recent(s):
			young = append(young, LeftAlone{StackName: s.Name, Status: s.Status, LastChanged: s.Changed, AgeSeconds: seconds(e.Now().Sub(s.Changed)),
				InProgress: cfn.InProgress(s.Status)})
		default:
			found = append(found, o)
		}
	}
	return found, young, nil
}

// read reads the companion stack's repositories, and with count how many images they hold;
// false when its repositories do not carry SAM CLI's tag naming it (a stack that only looks
// like one).
func (o *orphan) read(ctx context.Context, e Env, count bool) (bool, error) {
	body, err := e.Stacks.Template(ctx, o.stack.ID)
	if err != nil {
		return false, err
	}
	if !companion.TaggedFor(body, o.stack.Name) {
		return false, nil
	}
	repos, _, err := companion.ParseDeployed(body)
	if err != nil {
		return false, fmt.Errorf("read companion stack %s: %w", o.stack.Name, err)
	}
	for _, r := range repos {
		n := 0
		if count {
			if n, err = companion.CountImages(ctx, e.Images, r.Name); err != nil {
				return false, err
			}
		}
		o.repos = append(o.repos, Repo{Name: r.Name, Images: n})
	}
	return true, nil
}

// remove empties the orphan's repositories and deletes the stack.
func remove(ctx context.Context, e Env, o orphan) error {
	for _, r := range o.repos {
		n, err := companion.Empty(ctx, e.Images, r.Name)
		if err != nil {
			return err
		}
		e.UI.DeletingRepository(r.Name, n)
	}
	e.UI.DeletingCompanion(o.stack.Name)
	if err := e.Stacks.DeleteStack(ctx, o.stack, ""); err != nil {
		//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
		return fmt.Errorf("Failed to delete the stack: %s, msg: %w", o.stack.Name, err)
	}
	return nil
}

// view is what was found, with the ages at now.
func view(found []orphan, now time.Time) []Orphan {
	out := make([]Orphan, 0, len(found))
	for _, o := range found {
		repos := o.repos
		if repos == nil {
			repos = []Repo{}
		}
		out = append(out, Orphan{StackName: o.stack.Name, ParentStackName: o.parent, ParentTruncated: !o.whole, LastChanged: o.stack.Changed,
			AgeSeconds: seconds(now.Sub(o.stack.Changed)), Repositories: repos})
	}
	return out
}
