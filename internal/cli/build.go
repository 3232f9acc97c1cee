package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/samship/samship/internal/awsclient"
	"github.com/samship/samship/internal/baseimage"
	"github.com/samship/samship/internal/build"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/output"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/samconfig"
)

// buildFlags are the options of `samship build`.
type buildFlags struct {
	template, buildDir, engine, region, profile string
	configFile, configEnv                       string
	overrides, mirrors                          []string
	pull, debug                                 bool
}

// buildRequest is a build resolved from its flags.
type buildRequest struct {
	opts    build.Options
	mirrors map[string]string
	// endpoint is SAMSHIP_REGISTRY_ENDPOINT: where ECR registries are reached (an emulator).
	endpoint string
	pull     bool
	profile  string
	debug    bool
}

// newBuildCmd builds `samship build`.
func newBuildCmd(io IO, runF func(context.Context, buildRequest) error) *cobra.Command {
	f := &buildFlags{}
	cmd := &cobra.Command{
		Use:   "build [FUNCTION...]",
		Short: "Build the template's image functions from their Dockerfiles, without Docker",
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := f.resolve(cmd.Flags(), args, io)
			if err != nil {
				return err
			}
			return runF(cmd.Context(), req)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.template, "template-file", "t", "", "template (default: template.yaml, template.yml or template.json); also --template")
	fl.StringVarP(&f.buildDir, "build-dir", "b", filepath.Join(".aws-sam", "build"), "where the images and the built template are written")
	fl.StringArrayVar(&f.overrides, "parameter-overrides", nil, "template parameters, Key=Value")
	fl.StringVar(&f.engine, "engine", build.EngineAuto, "auto: build without an engine, using Docker or Podman only for what needs one; never; always")
	fl.BoolVar(&f.pull, "pull", false, "look up every base image's tag in its registry again, instead of using the cached one")
	fl.StringArrayVar(&f.mirrors, "registry-mirror", nil, "pull a registry's base images from a mirror, REGISTRY=MIRROR (public.ecr.aws=mirror.example.com/ecr-public); also SAMSHIP_REGISTRY_MIRRORS")
	fl.StringVar(&f.region, "region", "", "AWS region (for private ECR base images and AWS::Region)")
	fl.StringVar(&f.profile, "profile", "", "AWS profile from the shared config files")
	fl.BoolVar(&f.debug, "debug", false, "print every AWS call")
	fl.StringVar(&f.configFile, "config-file", samconfig.DefaultName, "samconfig file")
	fl.StringVar(&f.configEnv, "config-env", "default", "samconfig environment")
	fl.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "template" {
			name = "template-file"
		}
		return pflag.NormalizedName(name)
	})
	setHelp(cmd, io.helpWidth, buildHelp)
	return cmd
}

// resolve applies samconfig's build section (as sam build reads it: template_file,
// build_dir, parameter_overrides, region, profile; its other keys, such as use_container, are
// sam build's own), checks the flags and makes the request.
func (f *buildFlags) resolve(fl *pflag.FlagSet, args []string, io IO) (buildRequest, error) {
	cfgPath, err := samconfig.Find(".", f.configFile, fl.Changed("config-file"))
	if err != nil {
		return buildRequest{}, err
	}
	if cfgPath != "" {
		cfg, err := samconfig.Load(cfgPath)
		if err != nil {
			return buildRequest{}, err
		}
		if err := applyConfig(fl, cfg.Params(f.configEnv, "build"), cfgPath, f.configEnv+".build"); err != nil {
			return buildRequest{}, err
		}
	}
	return f.check(args, io)
}

// check checks the flags (samconfig applied) and makes the request.
func (f *buildFlags) check(args []string, io IO) (buildRequest, error) {
	tpl := f.template
	if tpl == "" {
		for _, n := range templateNames[1:] {
			if _, err := os.Stat(n); err == nil {
				tpl = n
				break
			}
		}
		if tpl == "" {
			return buildRequest{}, fmt.Errorf("no template: looked for %s in %s; pass --template-file", strings.Join(templateNames[1:], ", "), cwd())
		}
	}
	switch f.engine {
	case build.EngineAuto, build.EngineNever, build.EngineAlways:
	default:
		//lint:ignore ST1005 click's message for a bad choice, as SAM CLI prints it
		return buildRequest{}, deploy.Usage(fmt.Errorf("Invalid value for '--engine': '%s' is not one of 'auto', 'never', 'always'.", f.engine))
	}
	kvs, err := parseOverrides(f.overrides)
	if err != nil {
		return buildRequest{}, deploy.Usage(err)
	}
	overrides := map[string]string{}
	for _, kv := range kvs {
		overrides[kv.Key] = kv.Value
	}
	mirrors, err := parseMirrors(append(commaList(io.Getenv("SAMSHIP_REGISTRY_MIRRORS")), f.mirrors...))
	if err != nil {
		return buildRequest{}, deploy.Usage(err)
	}
	endpoint := io.Getenv("SAMSHIP_REGISTRY_ENDPOINT")
	if endpoint != "" {
		if _, err := registry.Redirect(http.DefaultTransport, endpoint); err != nil {
			return buildRequest{}, err
		}
	}
	region := f.region
	if region == "" {
		region = firstOf(io.Getenv("AWS_REGION"), io.Getenv("AWS_DEFAULT_REGION"))
	}
	return buildRequest{opts: build.Options{Template: tpl, BuildDir: f.buildDir, Functions: args, Overrides: overrides,
		Region: region, Engine: f.engine}, mirrors: mirrors, endpoint: endpoint, pull: f.pull, profile: f.profile, debug: f.debug || io.Getenv("SAM_DEBUG") != ""}, nil
}

// commaList reads a comma-separated environment value.
func commaList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseMirrors reads REGISTRY=MIRROR values.
func parseMirrors(values []string) (map[string]string, error) {
	m := map[string]string{}
	for _, v := range values {
		host, mirror, ok := strings.Cut(v, "=")
		if !ok || host == "" || mirror == "" || strings.Contains(host, "/") {
			return nil, fmt.Errorf("--registry-mirror %q: want REGISTRY=MIRROR, such as public.ecr.aws=127.0.0.1:5000", v)
		}
		m[host] = mirror
	}
	return m, nil
}

func firstOf(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

// runBuild builds.
func runBuild(ctx context.Context, req buildRequest, io IO) error {
	r := output.New(output.FormatText, output.Streams{Out: io.Out, Err: io.Err, Terminal: io.ErrIsTerminal, Width: io.Width, Getenv: io.Getenv})
	deps, err := buildDeps(req, io, r)
	if err != nil {
		return err
	}
	res, err := build.Run(ctx, req.opts, deps)
	if err != nil {
		return err
	}
	r.BuildSucceeded(res)
	return nil
}

// buildDeps is what a build works with: the base image cache (through the mirrors, private
// ECR with the caller's token), the layer cache, the engine when one is reachable.
func buildDeps(req buildRequest, io IO, rep build.Reporter) (build.Deps, error) {
	dir, err := baseimage.DefaultDir()
	if err != nil {
		return build.Deps{}, err
	}
	creds := &lazyECR{profile: req.profile, region: req.opts.Region, getenv: io.Getenv}
	var transport http.RoundTripper = http.DefaultTransport
	if req.endpoint != "" {
		if transport, err = registry.Redirect(transport, req.endpoint); err != nil {
			return build.Deps{}, err
		}
	}
	bases, err := baseimage.Open(baseimage.Options{Dir: dir, Mirrors: req.mirrors, Pull: req.pull, Keychain: registry.NewKeychain(creds),
		Transport: transport, Now: time.Now})
	if err != nil {
		return build.Deps{}, err
	}
	deps := build.Deps{Bases: bases, CacheDir: filepath.Join(filepath.Dir(dir), "build"), BlobDirs: []string{filepath.Join(dir, "blobs", "sha256")},
		Epoch: epoch(io.Getenv("SOURCE_DATE_EPOCH")), Tools: io.Err, Report: rep, Now: time.Now}
	if e := registry.FindEngine(io.Getenv("DOCKER_HOST"), io.Getenv("XDG_RUNTIME_DIR")); e != nil {
		deps.Engine, deps.EngineHost = e, e.Host
	}
	return deps, nil
}

// epoch is SOURCE_DATE_EPOCH's time (reproducible-builds.org), else the Unix epoch.
func epoch(v string) time.Time {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return time.Unix(n, 0).UTC()
	}
	return time.Unix(0, 0).UTC()
}

// lazyECR connects to ECR only when a private ECR base image needs its token.
type lazyECR struct {
	profile, region string
	getenv          func(string) string
}

// Credentials implements registry.Credentials.
func (l *lazyECR) Credentials(ctx context.Context) (string, string, error) {
	cl, err := awsclient.New(ctx, awsclient.Options{Profile: l.profile, Region: l.region, Env: l.getenv})
	if err != nil {
		return "", "", err
	}
	return ecr.New(cl.ECR).Credentials(ctx)
}
