package build

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/samship/samship/internal/depinstall"
	"github.com/samship/samship/internal/dockerfile"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/template"
)

// planned is one function's build, decided before anything is built.
type planned struct {
	fn     template.Function
	job    job
	engine bool
	why    string // with the engine: the instruction that needs it
}

type buildPlan struct {
	tree      *template.Tree
	functions []planned
}

// plan reads the template and every Dockerfile, and decides how each image is built; any
// refusal comes from here, before anything is built or written.
func plan(ctx context.Context, opts Options, deps Deps) (*buildPlan, error) {
	switch opts.Engine {
	case EngineAuto, EngineNever, EngineAlways:
	default:
		return nil, fmt.Errorf("--engine %q: want auto, never or always", opts.Engine)
	}
	root, err := template.Load(opts.Template)
	if err != nil {
		return nil, err
	}
	tree, err := template.Discover(root, opts.Overrides, opts.Region)
	if err != nil {
		return nil, err
	}
	var fns []template.Function
	for _, f := range tree.Stacks[0].Functions {
		if f.Image && f.Build != nil {
			fns = append(fns, f)
		}
	}
	if err := unknownFunctions(opts.Functions, fns); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range opts.Functions {
		want[n] = true
	}
	p := &buildPlan{tree: tree}
	engine := &engineCheck{deps: deps}
	for _, f := range fns {
		if len(want) > 0 && !want[f.LogicalID] && !want[f.FullPath] {
			continue
		}
		pf, err := planFunction(ctx, f, opts, engine)
		if err != nil {
			return nil, err
		}
		p.functions = append(p.functions, pf)
	}
	if len(p.functions) == 0 {
		return nil, fmt.Errorf("%s: no image function has Metadata with a Dockerfile and a DockerContext to build", opts.Template)
	}
	return p, nil
}

func planFunction(ctx context.Context, f template.Function, opts Options, engine *engineCheck) (planned, error) {
	b := f.Build
	dfPath := filepath.Join(b.Context, filepath.FromSlash(b.Dockerfile))
	r, err := os.Open(dfPath)
	if err != nil {
		return planned{}, fmt.Errorf("%s: function %s: read Dockerfile: %w", b.Where, f.LogicalID, err)
	}
	defer r.Close()
	df, err := dockerfile.Parse(relative(dfPath), r)
	if err != nil {
		return planned{}, err
	}
	target, err := df.Target(b.Target)
	if err != nil {
		return planned{}, fmt.Errorf("%s: function %s: %w", b.Where, f.LogicalID, err)
	}
	bc, err := dockerfile.OpenContext(b.Context, dfPath)
	if err != nil {
		return planned{}, fmt.Errorf("%s: function %s: %w", b.Where, f.LogicalID, err)
	}
	platform := registry.PlatformOf(f.Architecture)
	pf := planned{fn: f, job: job{file: df, context: bc, dir: b.Context, args: b.Args, target: target,
		platform: platform.OS + "/" + platform.Architecture}}
	why := unbuildable(df, target, bc)
	switch {
	case opts.Engine == EngineAlways && !engine.reachable(ctx):
		return planned{}, fmt.Errorf("function %s: --engine always, but no container engine is reachable%s (set DOCKER_HOST, or start Docker or Podman)", f.LogicalID, engine.at())
	case opts.Engine == EngineAlways:
		pf.engine, pf.why = true, "--engine always"
	case why == "":
	case opts.Engine == EngineNever || !engine.reachable(ctx):
		hint := "start Docker or Podman and use --engine auto"
		if opts.Engine == EngineNever {
			hint = "drop --engine never, with Docker or Podman running"
		}
		return planned{}, fmt.Errorf("%s needs a container engine: samship builds FROM, COPY, ADD of local files, ENV, ARG, WORKDIR, CMD, ENTRYPOINT, USER, LABEL, EXPOSE, SHELL and pip and npm installs itself (%s)", why, hint)
	default:
		pf.engine, pf.why = true, why
	}
	return pf, nil
}

// engineCheck asks the engine once whether it answers, when an image first needs it.
type engineCheck struct {
	deps  Deps
	asked bool
	ok    bool
}

func (c *engineCheck) reachable(ctx context.Context) bool {
	if !c.asked {
		c.asked = true
		c.ok = c.deps.Engine != nil && c.deps.Engine.Ping(ctx) == nil
	}
	return c.ok
}

// at names the engine samship looked for, when it has an address.
func (c *engineCheck) at() string {
	if c.deps.EngineHost == "" {
		return ""
	}
	return " at " + c.deps.EngineHost
}

// unbuildable names the first instruction of the stages target needs that samship cannot
// build without an engine ("Dockerfile:4: RUN make"), or "".
func unbuildable(df *dockerfile.File, target int, bc *dockerfile.Context) string {
	for _, i := range needed(df, target) {
		for _, in := range df.Stages[i].Instructions {
			switch in := in.(type) {
			case *dockerfile.Unsupported:
				return in.Where() + ": " + in.Reason
			case *dockerfile.Copy:
				if why := addNeedsEngine(in, bc); why != "" {
					return in.Where() + ": " + why
				}
			case *dockerfile.Run:
				if _, ok := depinstall.Recognize(depinstall.Command{Args: in.Args, Shell: in.Shell}); !ok {
					return in.Where() + ": RUN " + runText(in)
				}
			}
		}
	}
	return ""
}

// addNeedsEngine says why an ADD needs an engine, as far as its literal sources tell before
// anything is built: a URL, a git repository, an archive it would unpack. Sources with
// variables or globs are looked at again when the ADD runs.
func addNeedsEngine(c *dockerfile.Copy, bc *dockerfile.Context) string {
	if !c.Add || c.From != "" {
		return ""
	}
	for _, src := range c.Sources {
		if why := dockerfile.RemoteSource(src); why != "" {
			return why
		}
		if strings.ContainsAny(src, "$*?[") {
			continue
		}
		if archive, err := dockerfile.IsArchive(bc.FS(), strings.TrimPrefix(path.Clean("/"+src), "/")); err == nil && archive {
			return "ADD of an archive (" + src + ")"
		}
	}
	return ""
}

// relative shortens path to one relative to the working directory when it is inside it.
func relative(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
