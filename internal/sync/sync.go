// Package sync is `samship sync --code`: the images of a deployed stack's functions, built or
// read, pushed to the repositories the functions already run from, and set into the
// functions with Lambda's own API (UpdateFunctionCode by digest, then the AutoPublishAlias
// moved), without a CloudFormation deploy, as `sam sync --code` does. A function whose image
// did not change is not written to; functions sharing an image get one push and their
// updates at once. The stack drifts from its template until the next deploy, which brings
// it back.
package sync

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	gosync "sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/imageref"
	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/lambda"
	"github.com/samship/samship/internal/template"
)

// Options are one sync's.
type Options struct {
	StackName string
	// Template is the template whose images are synced (samship build's, or one naming
	// images); Overrides and Region resolve it.
	Template  string
	Overrides map[string]string
	Region    string
	// Functions limits the sync to these functions (full paths: "Fn", "Child/Fn"); empty:
	// every image function, nested stacks' too.
	Functions []string
}

// Stacks lists a stack's resources (cfn.Client).
type Stacks interface {
	Resources(ctx context.Context, stack string) ([]cfn.Resource, error)
}

// Functions reads and sets what functions run (lambda.Client).
type Functions interface {
	Latest(ctx context.Context, name string) (*lambda.Use, string, error)
	SetImage(ctx context.Context, name, image string) (lambda.Updated, error)
	PublishAlias(ctx context.Context, name, alias string, u lambda.Updated) (string, error)
}

// Stage opens and pushes images (images.Stage).
type Stage interface {
	Open(ctx context.Context, fns []template.Function) error
	Digest(fullPath string) (string, bool)
	Only(fullPaths []string)
	Push(ctx context.Context, repos map[string]string, fresh map[string]bool) ([]images.Pushed, error)
	Close()
}

// Deps are what a sync works with.
type Deps struct {
	Stacks    Stacks
	Functions Functions
	// NewStage gives the image stage of one sync.
	NewStage func() Stage
	Report   Reporter
	Now      func() time.Time
}

// Reporter hears a sync.
type Reporter interface {
	// SyncStarted: the functions whose images are being looked at.
	SyncStarted(stack string, functions []string)
	// FunctionSynced: one function's outcome, as soon as it is known.
	FunctionSynced(f Function)
}

// Function is one function's sync.
type Function struct {
	// LogicalID is the function's full path across nested stacks: "Fn", "Child/Fn".
	LogicalID string `json:"logical_id"`
	Name      string `json:"function_name"`
	// Image is the image the function runs now ("<repo>@sha256:…").
	Image  string `json:"image"`
	Digest string `json:"digest"`
	// Changed: a new image was set; else the function ran it already and nothing was written.
	Changed bool `json:"changed"`
	// Alias and Version: the AutoPublishAlias moved to the version published.
	Alias   string `json:"alias,omitempty"`
	Version string `json:"version,omitempty"`
	// Took is from the start of the sync to the function serving the image.
	Took time.Duration `json:"-"`
}

// Result is a sync's outcome.
type Result struct {
	StackName string     `json:"stack_name"`
	Functions []Function `json:"functions"`
	// Pushed counts the images pushed (an image several functions share counts once).
	Pushed int `json:"images_pushed"`
}

// ErrNotDeployed marks a function the stack does not have yet: only a deploy creates it.
var ErrNotDeployed = errors.New("not deployed")

// Run syncs the code of opts' functions into the stack.
func Run(ctx context.Context, opts Options, deps Deps) (*Result, error) {
	start := deps.Now()
	fns, err := functions(opts)
	if err != nil {
		return nil, err
	}
	names, err := physical(ctx, deps.Stacks, opts.StackName, fns)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(fns))
	for i, f := range fns {
		ids[i] = f.FullPath
	}
	deps.Report.SyncStarted(opts.StackName, ids)
	running, err := runningImages(ctx, deps.Functions, names, fns)
	if err != nil {
		return nil, err
	}
	stage := deps.NewStage()
	defer stage.Close()
	if err := stage.Open(ctx, fns); err != nil {
		return nil, err
	}
	res := &Result{StackName: opts.StackName}
	var changed []template.Function
	repos := map[string]string{}
	for _, f := range fns {
		run := running[f.FullPath]
		if d, ok := stage.Digest(f.FullPath); ok && strings.HasSuffix(run, "@"+d) {
			fn := Function{LogicalID: f.FullPath, Name: names[f.FullPath], Image: run, Digest: d, Took: deps.Now().Sub(start)}
			deps.Report.FunctionSynced(fn)
			res.Functions = append(res.Functions, fn)
			continue
		}
		repo, err := repository(run)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", f.FullPath, err)
		}
		repos[f.FullPath] = repo
		changed = append(changed, f)
	}
	if len(changed) == 0 {
		return res, nil
	}
	paths := make([]string, len(changed))
	for i, f := range changed {
		paths[i] = f.FullPath
	}
	stage.Only(paths)
	pushed, err := stage.Push(ctx, repos, nil)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range pushed {
		if p.Pushed && !seen[p.Digest] {
			seen[p.Digest] = true
			res.Pushed++
		}
	}
	synced, err := update(ctx, deps, changed, names, running, pushed, start)
	res.Functions = append(res.Functions, synced...)
	sort.Slice(res.Functions, func(i, j int) bool { return res.Functions[i].LogicalID < res.Functions[j].LogicalID })
	return res, err
}

// functions are the image functions of the template to sync.
func functions(opts Options) ([]template.Function, error) {
	root, err := template.Load(opts.Template)
	if err != nil {
		return nil, err
	}
	tree, err := template.Discover(root, opts.Overrides, opts.Region)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range opts.Functions {
		want[n] = true
	}
	var out []template.Function
	found := map[string]bool{}
	for _, st := range tree.Stacks {
		for _, f := range st.Functions {
			if !f.Image || len(want) > 0 && !want[f.FullPath] {
				continue
			}
			found[f.FullPath] = true
			out = append(out, f)
		}
	}
	if len(found) < len(want) {
		var missing []string
		for n := range want {
			if !found[n] {
				missing = append(missing, n)
			}
		}
		sort.Strings(missing)
		return nil, fmt.Errorf("unable to find an image function with name %s in %s", strings.Join(missing, ", "), opts.Template)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no image function to sync", opts.Template)
	}
	return out, nil
}

// physical maps each function (by full path) to the name Lambda knows it by, from the
// resources of the stack and of its nested stacks: "Child/Fn" is function Fn of the stack
// that resource Child is. Each stack's resources are listed once.
func physical(ctx context.Context, stacks Stacks, stack string, fns []template.Function) (map[string]string, error) {
	listed := map[string]map[string]cfn.Resource{} // by stack path ("" for the stack itself)
	var resources func(path string) (map[string]cfn.Resource, error)
	resources = func(path string) (map[string]cfn.Resource, error) {
		if rs, ok := listed[path]; ok {
			return rs, nil
		}
		id := stack
		if path != "" {
			parent, child := splitPath(path)
			prs, err := resources(parent)
			if err != nil {
				return nil, err
			}
			r := prs[child]
			if r.Type != "AWS::CloudFormation::Stack" || r.PhysicalID == "" {
				return nil, fmt.Errorf("nested stack %s is %w in stack %s: run samship deploy to create it", path, ErrNotDeployed, stack)
			}
			id = r.PhysicalID
		}
		list, err := stacks.Resources(ctx, id)
		if err != nil {
			return nil, err
		}
		rs := map[string]cfn.Resource{}
		for _, r := range list {
			rs[r.LogicalID] = r
		}
		listed[path] = rs
		return rs, nil
	}
	out := map[string]string{}
	for _, f := range fns {
		dir, _ := splitPath(f.FullPath)
		rs, err := resources(dir)
		if err != nil {
			return nil, err
		}
		r := rs[f.LogicalID]
		if r.Type != template.LambdaFunction || r.PhysicalID == "" {
			return nil, fmt.Errorf("function %s is %w in stack %s: run samship deploy to create it", f.FullPath, ErrNotDeployed, stack)
		}
		out[f.FullPath] = r.PhysicalID
	}
	return out, nil
}

// splitPath splits a full path at its last "/": "A/B/Fn" is "A/B" and "Fn", "Fn" is "" and "Fn".
func splitPath(p string) (dir, name string) {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i], p[i+1:]
	}
	return "", p
}

// runningImages reads the image each function's $LATEST runs, resolved to its digest, all
// functions at once.
func runningImages(ctx context.Context, api Functions, names map[string]string, fns []template.Function) (map[string]string, error) {
	out := map[string]string{}
	var mu gosync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(10)
	for _, f := range fns {
		g.Go(func() error {
			use, _, err := api.Latest(gctx, names[f.FullPath])
			if err != nil {
				return err
			}
			if use == nil || use.Image == "" {
				return fmt.Errorf("function %s (%s) runs no image in Lambda: run samship deploy", f.FullPath, names[f.FullPath])
			}
			mu.Lock()
			out[f.FullPath] = use.Image
			mu.Unlock()
			return nil
		})
	}
	return out, g.Wait()
}

// repository is the repository of the image a function runs: where its new image goes.
func repository(image string) (string, error) {
	repo, _, ok := strings.Cut(image, "@")
	if !ok || !imageref.IsRepositoryURI(repo) {
		return "", fmt.Errorf("it runs %s, which is not an image of an ECR repository samship can push to", image)
	}
	return repo, nil
}
