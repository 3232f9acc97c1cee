package prune

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/imageref"
	"github.com/samship/samship/internal/lambda"
	"github.com/samship/samship/internal/template"
)

// state is what prune read: the stack as described, what each of its functions can run,
// and the images of each managed repository (absent for a repository that does not exist).
type state struct {
	app       *cfn.Stack
	functions map[string]*lambda.Function // by function name; nil when it does not exist
	pending   map[string][]string         // see pendingImages
	repos     []string
	images    map[string][]ecr.Image
}

// functionsOf lists the physical names of a stack's Lambda functions, nested stacks'
// included.
func functionsOf(ctx context.Context, e Env, stack string) ([]string, error) {
	res, err := e.Stacks.Resources(ctx, stack)
	if cfn.IsNotFound(err) {
		return nil, nil // a nested stack deleted with its parent's update
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range res {
		switch {
		case r.PhysicalID == "":
		case r.Type == "AWS::Lambda::Function":
			out = append(out, r.PhysicalID)
		case r.Type == "AWS::CloudFormation::Stack":
			nested, err := functionsOf(ctx, e, r.PhysicalID)
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
		}
	}
	return out, nil
}

// read reads the change sets that may still run, then the stack's functions and the
// repositories' images, in parallel: a change set executed in between is then either still
// pending or already in a function when read (reread reads again when the stack changed).
func read(ctx context.Context, e Env, app *cfn.Stack, repos []string) (*state, error) {
	pending, err := pendingImages(ctx, e, app.ID)
	if err != nil {
		return nil, err
	}
	names, err := functionsOf(ctx, e, app.ID)
	if err != nil {
		return nil, err
	}
	st := &state{app: app, repos: repos, images: map[string][]ecr.Image{}, pending: pending}
	fns := make([]*lambda.Function, len(names))
	images := make([][]ecr.Image, len(repos))
	missing := make([]bool, len(repos))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.parallel())
	for i, name := range names {
		g.Go(func() (err error) {
			fns[i], err = e.Functions.Images(gctx, name)
			return err
		})
	}
	for i, repo := range repos {
		g.Go(func() error {
			imgs, err := e.Images.Describe(gctx, repo)
			if ecr.IsRepositoryNotFound(err) {
				missing[i] = true
				return nil
			}
			images[i] = imgs
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	st.functions = map[string]*lambda.Function{}
	for i, name := range names {
		st.functions[name] = fns[i]
	}
	for i, repo := range repos {
		if !missing[i] {
			st.images[repo] = images[i]
		}
	}
	return st, nil
}

// maxRereads bounds how often reread starts again on a stack that keeps changing.
const maxRereads = 5

// reread reads what is in use once more, as one snapshot: the stack, the change sets that may
// still be executed, the functions, then the stack again. A stack that changed in between (a
// change set executed: its image is neither pending nor yet in a function when read in the
// other order) is read again. Functions are read as cheaply as that allows: all of them when
// the stack changed since st was read (a deploy); otherwise only $LATEST of each, and the
// versions and aliases of those whose $LATEST changed.
func reread(ctx context.Context, e Env, st *state) (map[string]*lambda.Function, map[string][]string, error) {
	for range maxRereads {
		app, err := settled(ctx, e, st.app.Name, st.app.Name)
		if err != nil {
			return nil, nil, err
		}
		fns, pending, err := functionsNow(ctx, e, st, app)
		if err != nil {
			return nil, nil, err
		}
		after, err := settled(ctx, e, st.app.Name, st.app.Name)
		if err != nil {
			return nil, nil, err
		}
		if after.ID == app.ID && after.Changed.Equal(app.Changed) {
			return fns, pending, nil
		}
	}
	return nil, nil, fmt.Errorf("prune stack %s: it changed each of the %d times it was read; prune when its deploys are done", st.app.Name, maxRereads)
}

// functionsNow reads the change sets of app that may still run, then what its functions run
// (see reread).
func functionsNow(ctx context.Context, e Env, st *state, app *cfn.Stack) (map[string]*lambda.Function, map[string][]string, error) {
	if !app.Changed.Equal(st.app.Changed) || app.ID != st.app.ID {
		again, err := read(ctx, e, app, nil)
		if err != nil {
			return nil, nil, err
		}
		return again.functions, again.pending, nil
	}
	pending, err := pendingImages(ctx, e, app.ID)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string]*lambda.Function, len(st.functions))
	names := make([]string, 0, len(st.functions))
	for name := range st.functions {
		names = append(names, name)
	}
	fns := make([]*lambda.Function, len(names))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.parallel())
	for i, name := range names {
		g.Go(func() error {
			before := st.functions[name]
			latest, rev, err := e.Functions.Latest(gctx, name)
			switch {
			case err != nil:
				return err
			case latest == nil && before == nil:
				return nil
			case latest != nil && before != nil && rev == before.Revision:
				fns[i] = before
				return nil
			}
			fns[i], err = e.Functions.Images(gctx, name)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	for i, name := range names {
		out[name] = fns[i]
	}
	return out, pending, nil
}

// inUse maps "repository@digest" to what runs it: "fn:$LATEST", "fn:3", "fn:live".
func inUse(fns map[string]*lambda.Function) map[string][]string {
	out := map[string][]string{}
	for name, fn := range fns {
		if fn == nil {
			continue
		}
		byVersion := map[string]string{}
		for _, u := range fn.Uses {
			if u.Image == "" {
				continue
			}
			repo, _, digest := imageref.Split(u.Image)
			key := repo + "@" + digest
			byVersion[u.Qualifier] = key
			out[key] = append(out[key], name+":"+u.Qualifier)
		}
		for _, u := range fn.Uses {
			for _, v := range u.Versions { // an alias: what its versions run
				if key, ok := byVersion[v]; ok {
					out[key] = append(out[key], name+":"+u.Qualifier)
				}
			}
		}
	}
	return out
}

// pendingImages maps the images the stack's change sets waiting to be executed name —
// "repository:tag" or "repository@digest" — to "change set NAME".
func pendingImages(ctx context.Context, e Env, stack string) (map[string][]string, error) {
	sets, err := e.Stacks.PendingTemplates(ctx, stack)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for name, body := range sets {
		tpl, err := template.Parse(name, []byte(body))
		if err != nil {
			return nil, fmt.Errorf("read the template of change set %s: %w", name, err)
		}
		for _, ref := range tpl.ImageURIs() {
			repo, tag, digest := imageref.Split(ref)
			key := repo + ":" + tag
			if digest != "" {
				key = repo + "@" + digest
			}
			out[key] = append(out[key], "change set "+name)
		}
	}
	return out, nil
}
