package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/build"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/dockerfile"
	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/sync"
	"github.com/samship/samship/internal/template"
	"github.com/samship/samship/internal/watch"
)

// syncFlags are the options of `samship sync`.
type syncFlags struct {
	awsFlags
	build                  buildFlags
	stackName              string
	code, watch, noPrompts bool
	express, noExpress     bool
	capabilities           []string
}

// syncRequest is a sync resolved from its flags.
type syncRequest struct {
	build     buildRequest
	stackName string
	code      bool
	watch     bool
	noPrompts bool
	// deployArgs are the arguments of the deploy a sync without --code runs first.
	deployArgs []string
	rt         deployRuntime
}

// newSyncCmd builds `samship sync`.
func newSyncCmd(io IO, runF func(context.Context, syncRequest) error) *cobra.Command {
	f := &syncFlags{}
	cmd := &cobra.Command{
		Use:   "sync [FUNCTION...]",
		Short: "Put new code into a deployed stack's image functions in seconds, without a deploy",
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := f.resolve(cmd.Flags(), args, io)
			if err != nil {
				return err
			}
			return runF(cmd.Context(), req)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.stackName, "stack-name", "", "the deployed stack whose functions get the new code")
	fl.BoolVar(&f.code, "code", false, "only the functions' code: no CloudFormation deploy first, even when the template changed")
	fl.BoolVar(&f.watch, "watch", false, "after the first sync, build and sync again whenever a file of a function's build context is saved")
	fl.BoolVar(&f.noPrompts, "no-prompts", false, "sync without asking (the stack drifts from its template until the next deploy)")
	fl.BoolVar(&f.express, "express", true, "the deploy a sync without --code runs is in CloudFormation's Express mode, as sam sync's")
	fl.BoolVar(&f.noExpress, "no-express", false, "that deploy is a standard CloudFormation deployment")
	fl.StringArrayVar(&f.capabilities, "capabilities", nil, "for the deploy a sync without --code runs (default CAPABILITY_NAMED_IAM CAPABILITY_AUTO_EXPAND, as sam sync)")
	fl.StringVarP(&f.build.template, "template-file", "t", "", "template (default: template.yaml, template.yml or template.json); also --template")
	fl.StringVarP(&f.build.buildDir, "build-dir", "b", filepath.Join(".aws-sam", "build"), "where samship build writes the images and the built template")
	fl.StringArrayVar(&f.build.overrides, "parameter-overrides", nil, "template parameters, Key=Value")
	fl.StringVar(&f.build.engine, "engine", build.EngineAuto, "as samship build's: auto, never or always")
	fl.StringArrayVar(&f.build.mirrors, "registry-mirror", nil, "as samship build's: REGISTRY=MIRROR")
	f.awsFlags.add(fl)
	fl.Lookup("output").Usage = "text, or json: JSON lines on standard output, a sync record per function, then the result (with --watch, the records of each round, and a result when it stops)"
	fl.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "template" {
			name = "template-file"
		}
		return pflag.NormalizedName(name)
	})
	setHelp(cmd, io.helpWidth, syncHelp)
	return cmd
}

// resolve applies samconfig (deploy's section, then sync's, as sam sync reads them) and
// checks the flags.
func (f *syncFlags) resolve(fl *pflag.FlagSet, args []string, io IO) (syncRequest, error) {
	rt, err := f.runtime(fl, "sync", io)
	if err != nil {
		return syncRequest{}, err
	}
	rt.Document = false // JSON lines: one record per function synced, per round with --watch
	if rt.RegistryEndpoint = io.Getenv("SAMSHIP_REGISTRY_ENDPOINT"); rt.RegistryEndpoint != "" {
		if _, err := registry.Redirect(http.DefaultTransport, rt.RegistryEndpoint); err != nil {
			return syncRequest{}, err
		}
	}
	f.build.region, f.build.profile, f.build.debug = rt.Region, rt.Profile, rt.Debug
	breq, err := f.build.check(args, io)
	if err != nil {
		return syncRequest{}, err
	}
	if f.stackName == "" {
		//lint:ignore ST1005 SAM CLI's own message, word for word (design.md §1)
		return syncRequest{}, deploy.Usage(errors.New("Missing option '--stack-name', 'sam sync' requires a stack name."))
	}
	if err := deploy.CheckStackName(f.stackName); err != nil {
		return syncRequest{}, deploy.Usage(err)
	}
	caps := splitList(f.capabilities)
	if len(caps) == 0 {
		caps = []string{"CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"}
	}
	mode := "--express"
	if !f.express || f.noExpress {
		mode = "--no-express"
	}
	dargs := append([]string{"deploy", "--stack-name", f.stackName, "--resolve-image-repos", "--no-fail-on-empty-changeset",
		"--no-confirm-changeset", mode, "--output", string(rt.Output), "--capabilities"}, caps...)
	if rt.Region != "" {
		dargs = append(dargs, "--region", rt.Region)
	}
	if rt.Profile != "" {
		dargs = append(dargs, "--profile", rt.Profile)
	}
	if rt.ConfigFound {
		dargs = append(dargs, "--config-file", f.configFile, "--config-env", f.configEnv)
	}
	if rt.Debug {
		dargs = append(dargs, "--debug")
	}
	for _, o := range f.build.overrides {
		dargs = append(dargs, "--parameter-overrides", o)
	}
	return syncRequest{build: breq, stackName: f.stackName, code: f.code, watch: f.watch, noPrompts: f.noPrompts, deployArgs: dargs, rt: rt}, nil
}

// runSync asks, builds, deploys when not --code, syncs the code, and with --watch goes on.
func runSync(ctx context.Context, req syncRequest, io IO) error {
	c := newConnection(&deploy.Options{StackName: req.stackName}, req.rt, io)
	defer c.report()
	if !req.noPrompts {
		ok, err := c.confirm(ctx, c.ui.SyncQuestion(), true)
		if err != nil {
			return c.result(nil, err)
		}
		if !ok {
			return nil
		}
	}
	s, err := newSyncer(ctx, c, req, io)
	if err != nil {
		return c.result(nil, err)
	}
	res, err := s.once(ctx, s.only(), !req.code)
	if !req.watch || err != nil {
		return c.result(res, err)
	}
	sum, err := s.watch(ctx)
	return c.result(sum, err)
}

// syncer holds what every round of a sync uses.
type syncer struct {
	c     *connection
	req   syncRequest
	io    IO
	deps  sync.Deps
	bdeps build.Deps
	// deployed tells whether a sync without --code must deploy first.
	deployed sync.Deployed
	// built: the template has functions samship builds; else it names their images.
	built bool
	// buildFns are the template's functions with build metadata, read once (for --watch's
	// contexts).
	buildFns []template.Function
}

func newSyncer(ctx context.Context, c *connection, req syncRequest, io IO) (*syncer, error) {
	sv, err := c.services(ctx, req.rt.Region)
	if err != nil {
		return nil, err
	}
	env, err := c.env(sv) // the same clients: --debug counts every call
	if err != nil {
		return nil, err
	}
	s := &syncer{c: c, req: req, io: io, deployed: sv.cfn}
	if s.bdeps, err = buildDeps(req.build, io, c.ui); err != nil {
		return nil, err
	}
	engine := registry.FindEngine(io.Getenv("DOCKER_HOST"), io.Getenv("XDG_RUNTIME_DIR"))
	s.deps = sync.Deps{Stacks: sv.cfn, Functions: sv.lambda, Report: c.ui, Now: time.Now,
		NewStage: func() sync.Stage {
			// Up to 16 repositories at once: functions sharing an image mostly get a manifest each.
			return &images.Stage{Access: env.Registry, Engine: engine, Layers: env.Layers, Report: c.ui, Jobs: 16, Now: time.Now}
		}}
	root, err := template.Load(req.build.opts.Template)
	if err != nil {
		return nil, err
	}
	tree, err := template.Discover(root, req.build.opts.Overrides, sv.region)
	if err != nil {
		return nil, err
	}
	// A built template (in the build directory) names its images already: it is read as it is.
	tplAbs, _ := filepath.Abs(req.build.opts.Template)
	buildAbs, _ := filepath.Abs(req.build.opts.BuildDir)
	s.buildFns = tree.BuildFunctions()
	s.built = len(s.buildFns) > 0 && !strings.HasPrefix(tplAbs, buildAbs+string(os.PathSeparator))
	return s, nil
}

// once builds the functions (all when nil), deploys first when infra, and syncs their code.
func (s *syncer) once(ctx context.Context, functions []string, infra bool) (*sync.Result, error) {
	tpl := s.req.build.opts.Template
	if s.built && s.builds(functions) {
		opts := s.req.build.opts
		opts.Functions = s.buildable(functions)
		res, err := build.Run(ctx, opts, s.bdeps)
		if err != nil {
			return nil, err
		}
		tpl = res.Template
	}
	if infra {
		why := sync.InfraChange(ctx, s.deployed, s.req.stackName, tpl, s.req.build.opts.Overrides)
		s.c.ui.SyncInfra(s.req.stackName, why)
		if why != "" {
			code := run(ctx, append(append([]string{}, s.req.deployArgs...), "--template-file", tpl), s.io, defaultRunners(s.io))
			if code != 0 {
				return nil, reported{fmt.Errorf("the deploy before the code sync failed (exit %d)", code)}
			}
		}
	}
	res, err := sync.Run(ctx, sync.Options{StackName: s.req.stackName, Template: tpl, Overrides: s.req.build.opts.Overrides,
		Region: s.req.rt.Region, Functions: functions}, s.deps)
	if err == nil {
		s.c.ui.SyncDone(res)
	}
	return res, err
}

// only is the functions the command line names (FUNCTION...), nil for all.
func (s *syncer) only() []string {
	if fns := s.req.build.opts.Functions; len(fns) > 0 {
		return fns
	}
	return nil
}

// builds reports whether syncing functions (all when nil) builds any: a nested stack's
// function is read as deploy reads it, not built.
func (s *syncer) builds(functions []string) bool {
	return functions == nil || len(s.buildable(functions)) > 0
}

// buildable are the functions of names that samship build builds (nil for all).
func (s *syncer) buildable(names []string) []string {
	if names == nil {
		return nil
	}
	var out []string
	for _, n := range names {
		for _, f := range s.buildFns {
			if f.FullPath == n {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// watch syncs again, code only, whenever a build context changes, until interrupted, and
// then sums the rounds up.
func (s *syncer) watch(ctx context.Context) (*sync.Watched, error) {
	if !s.built {
		return nil, fmt.Errorf("--watch: no function of %s has a Dockerfile and DockerContext to watch", s.req.build.opts.Template)
	}
	roots, byKey, err := s.roots()
	if err != nil {
		return nil, err
	}
	changes, err := watch.Watch(ctx, roots, watch.Options{})
	if err != nil {
		return nil, err
	}
	s.c.ui.Watching()
	sum := &sync.Watched{StackName: s.req.stackName}
	err = sync.Watch(ctx, changes, byKey, time.Now, func(ctx context.Context, fns []string) error {
		_, err := s.once(ctx, fns, false)
		return err
	}, func(r sync.Round) {
		sum.Count(r)
		s.c.ui.Round(r)
	})
	return sum, err
}

// roots are the build contexts to watch, each with its .dockerignore and the build
// directory left out, and the functions each context builds.
func (s *syncer) roots() ([]watch.Root, map[string][]string, error) {
	buildDir, _ := filepath.Abs(s.req.build.opts.BuildDir)
	byKey := map[string][]string{}
	var roots []watch.Root
	only := map[string]bool{}
	for _, n := range s.only() {
		only[n] = true
	}
	for _, f := range s.buildFns {
		if len(only) > 0 && !only[f.FullPath] {
			continue // FUNCTION... names others: only theirs are watched
		}
		dir := f.Build.Context
		if _, seen := byKey[dir]; !seen {
			bc, err := dockerfile.OpenContext(dir, filepath.Join(dir, filepath.FromSlash(f.Build.Dockerfile)))
			if err != nil {
				return nil, nil, err
			}
			roots = append(roots, watch.Root{Key: dir, Dir: dir, Ignore: func(rel string) bool {
				abs := filepath.Join(dir, filepath.FromSlash(rel))
				return abs == buildDir || strings.HasPrefix(abs, buildDir+string(os.PathSeparator)) || bc.Excluded(rel)
			}})
		}
		byKey[dir] = append(byKey[dir], f.LogicalID)
	}
	return roots, byKey, nil
}
