package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/samship/samship/internal/awsclient"
	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/lambda"
	"github.com/samship/samship/internal/output"
	"github.com/samship/samship/internal/prompt"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/s3"
)

// connection builds the terminal and AWS side of a run.
type connection struct {
	o      *deploy.Options
	rt     deployRuntime
	io     IO
	ui     output.Reporter
	prompt *prompt.Prompter
	calls  *awsclient.Counter
}

func newConnection(o *deploy.Options, rt deployRuntime, io IO) *connection {
	c := &connection{o: o, rt: rt, io: io}
	c.ui = output.New(rt.Output, output.Streams{Out: io.Out, Err: io.Err, Terminal: io.ErrIsTerminal,
		Width: io.Width, WidthNow: io.WidthNow, Getenv: io.Getenv, Document: rt.Document})
	c.prompt = prompt.New(io.In, io.Err)
	c.prompt.Label = c.ui.Bold
	if rt.Output == output.FormatJSON {
		c.prompt = nil // no question is asked in JSON mode
	}
	return c
}

// finish ends a run: in JSON mode write writes its result record (then err is reported), in
// text nothing more is shown (Run prints err).
func (c *connection) finish(err error, write func(j *output.JSON, message string)) error {
	j, ok := c.ui.(*output.JSON)
	if !ok {
		return err
	}
	write(j, errorLine(err, c.rt.Debug))
	if err != nil {
		return reported{err}
	}
	return nil
}

// deployResult ends a deploy with its result.
func (c *connection) deployResult(res *deploy.Result, err error) error {
	return c.finish(err, func(j *output.JSON, msg string) { j.DeployResult(res, err, msg) })
}

// result ends delete, prune and orphans with res as the result document.
func (c *connection) result(res any, err error) error {
	return c.finish(err, func(j *output.JSON, msg string) { j.Result(res, err, msg) })
}

// reported is an error a result record already reported.
type reported struct{ error }

func (r reported) Unwrap() error { return r.error }

// report prints the AWS calls made, with --debug.
func (c *connection) report() {
	if c.rt.Debug && c.calls != nil {
		fmt.Fprintf(c.io.Err, "aws calls: %d %v\n", c.calls.Total(), c.calls.Summary())
	}
}

// prepare validates the input and connects to AWS in the region it names. The region is
// known first (--region, else the environment's or the profile's), so the template is loaded,
// its functions discovered and the engine asked once, with AWS::Region resolved.
func (c *connection) prepare(ctx context.Context) (*deploy.Input, deploy.Env, error) {
	region := c.rt.Region
	if region == "" {
		region = awsclient.DefaultRegion(ctx, c.rt.Profile) // "": connect says none is configured
	}
	in, err := deploy.Prepare(ctx, *c.o, region)
	if err != nil {
		return nil, deploy.Env{}, err
	}
	env, err := c.connect(ctx, region)
	if err != nil {
		return nil, deploy.Env{}, err
	}
	return in, env, nil
}

// services are the AWS side of one run: one wrapper per service over one SDK configuration.
type services struct {
	cfn    *cfn.Client
	ecr    *ecr.Client
	s3     *s3.Client
	lambda *lambda.Client
	region string
	sdk    *awsclient.Clients
}

// services connects to AWS in region. The CloudFormation client runs the helper stacks
// (companion, managed bucket) in the main stack's mode: Express with --express.
func (c *connection) services(ctx context.Context, region string) (*services, error) {
	aopts := awsclient.Options{Profile: c.rt.Profile, Region: region, Env: c.io.Getenv}
	if c.rt.Debug {
		aopts.Debug = c.io.Err
	}
	cl, err := awsclient.New(ctx, aopts)
	if err != nil {
		return nil, err
	}
	c.calls = cl.Calls
	stacks := cfn.New(cl.CloudFormation, cfn.DefaultPoller(c.o.PollCap))
	stacks.Express = c.o.Express
	stacks.OnTransient = c.ui.PollFailed
	if c.ui.Live() && !c.o.NoProgressBar {
		stacks.Follow = c.ui.FollowStack // the live view of each stack as CloudFormation works
	}
	return &services{cfn: stacks, ecr: ecr.New(cl.ECR), s3: s3.New(cl.S3), lambda: lambda.New(cl.Lambda), region: cl.Region, sdk: cl}, nil
}

// connect builds the AWS side of a deploy for region.
func (c *connection) connect(ctx context.Context, region string) (deploy.Env, error) {
	sv, err := c.services(ctx, region)
	if err != nil {
		return deploy.Env{}, err
	}
	return c.env(sv)
}

// env is the AWS side of a deploy over the services sv.
func (c *connection) env(sv *services) (deploy.Env, error) {
	var err error
	var transport http.RoundTripper = http.DefaultTransport
	if c.rt.RegistryEndpoint != "" {
		if transport, err = registry.Redirect(transport, c.rt.RegistryEndpoint); err != nil {
			return deploy.Env{}, err
		}
	}
	var debug io.Writer
	if c.rt.Debug {
		debug = c.io.Err
	}
	return deploy.Env{
		CFN: sv.cfn, Images: sv.ecr, S3: sv.s3, S3Endpoint: sv.sdk.S3Endpoint,
		Region: sv.region, Account: sv.sdk.Account, SetAccount: sv.sdk.SetAccount,
		UI:      c.ui,
		Confirm: c.confirm, Now: time.Now,
		Registry: registry.Access{Transport: transport, Keychain: registry.NewKeychain(sv.ecr), Debug: debug},
		Layers:   &registry.LayerCache{Dir: layerCacheDir(c.io.Getenv)},
		Scanning: sv.ecr,
	}, nil
}

// layerCacheDir is where what engine images' layers were pushed as is remembered:
// $XDG_CACHE_HOME/samship/layers, else ~/.cache/samship/layers; "" when neither is known.
func layerCacheDir(getenv func(string) string) string {
	base := getenv("XDG_CACHE_HOME")
	if base == "" {
		home := getenv("HOME")
		if home == "" {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "samship", "layers")
}

// confirm asks a yes/no question; in JSON mode it refuses, before anything is done.
func (c *connection) confirm(ctx context.Context, question string, def bool) (bool, error) {
	if c.prompt == nil {
		return false, deploy.Usage(fmt.Errorf("%q needs an answer, which --output json cannot give: pass --no-prompts", strings.TrimSpace(question)))
	}
	return c.prompt.Confirm(ctx, question, def)
}
