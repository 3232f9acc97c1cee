package deploy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/artifacts"
	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/registry"
)

// Stacks is what a deploy needs from CloudFormation (cfn.Client): the main stack's change
// set, execution and events, and what planning and applying the companion and managed
// bucket stacks need.
type Stacks interface {
	companion.StackAPI
	companion.StackOps
	artifacts.ManagedStacks
	CreateChangeSet(ctx context.Context, in *cloudformation.CreateChangeSetInput) (*cfn.ChangeSet, error)
	Execute(ctx context.Context, cs *cfn.ChangeSet, stack string, disableRollback bool) error
	Watch(ctx context.Context, stackID string, start time.Time, onEvent func(cfn.Event)) (*cfn.Stack, error)
	Failed(ctx context.Context, st *cfn.Stack) error
	Abandon(ctx context.Context, cs *cfn.ChangeSet) (bool, error)
	PendingTemplates(ctx context.Context, stack string) (map[string]string, error)
}

// Env is everything a deploy run uses from outside: AWS, the terminal and the clock.
type Env struct {
	// CFN runs the stack operations; it deploys the helper stacks in the main stack's mode
	// (Express or not), as it was built.
	CFN    Stacks
	Images companion.Images
	S3     Objects
	// S3Endpoint is the S3 endpoint configured ("" for AWS's): a nested template URL on it
	// names an object too.
	S3Endpoint string
	Region     string
	Account    func(ctx context.Context) (string, error)
	// SetAccount records the account id read from a stack ARN.
	SetAccount func(string)
	// UI hears what the run does, as it happens.
	UI Reporter
	// Confirm asks a yes/no question.
	Confirm func(ctx context.Context, question string, def bool) (bool, error)
	Now     func() time.Time
	// Registry is how registries are reached (credentials, transport).
	Registry registry.Access
	// Layers remembers what engine images' layers were pushed as; nil remembers nothing.
	Layers *registry.LayerCache
	// Scanning reads the registry's scanning configuration (ecr.Client), to say whether
	// --image-repos-scan-on-push applies; nil says nothing.
	Scanning interface {
		RegistryScanning(ctx context.Context) (ecr.Scanning, error)
	}
}

// Run deploys in and returns what it did, also when it failed: then what it had done.
func Run(ctx context.Context, in *Input, e Env) (*Result, error) {
	r := &run{in: in, e: e, res: &Result{StackName: in.StackName, Region: e.Region}}
	r.images = r.newImages()
	defer r.images.Close()
	err := r.do(ctx)
	r.result()
	if err != nil && ctx.Err() != nil {
		return r.res, &InterruptedError{State: r.state(), err: err}
	}
	return r.res, err
}

// result completes the run's result with what the companion plan did.
func (r *run) result() {
	res := r.res
	if r.plan == nil {
		return
	}
	res.Companion = r.plan.Companion
	for _, c := range r.plan.Create {
		res.Created = append(res.Created, c.Name)
	}
	for _, k := range r.plan.Keep {
		res.Kept = append(res.Kept, k.Name)
	}
	for _, rm := range r.plan.Remove {
		if !slices.Contains(res.Removed, rm.Name) {
			res.Kept = append(res.Kept, rm.Name)
		}
	}
}

// InterruptedError is a deploy stopped by an interrupt; State says what it left.
type InterruptedError struct {
	State string
	err   error
}

func (e *InterruptedError) Error() string { return "interrupted: " + e.State }

// Unwrap returns the error the interrupt caused (a question's abort, or whatever a request cut
// short failed with), and context.Canceled: however the run noticed, it was interrupted.
func (e *InterruptedError) Unwrap() []error { return []error{e.err, context.Canceled} }

// state says, for an interrupted deploy, what it left behind.
func (r *run) state() string {
	switch {
	case r.deployed:
		return fmt.Sprintf("stack %s deployed; the unreferenced repositories are removed by the next deploy", r.in.StackName)
	case r.executed:
		return fmt.Sprintf("the change set was executed; CloudFormation goes on with stack %s", r.in.StackName)
	case r.executing:
		return fmt.Sprintf("the change set may have been executed (no answer came): CloudFormation goes on with stack %s if so, and a rerun waits for it", r.in.StackName)
	}
	return "nothing was deployed"
}

type run struct {
	in       *Input
	res      *Result
	body     []byte // the template to deploy
	e        Env
	bucket   string
	uploader *artifacts.Uploader
	plan     *companion.Plan
	applier  *companion.Applier
	compSt   *cfn.Stack
	images   *images.Stage     // reads, pushes and checks the images of the functions in Push
	refs     map[string]string // by function full path: the image the template names
	// executing, executed and deployed say how far the main stack got: its change set's
	// execution asked for, answered, and the stack done.
	executing, executed, deployed bool
	// scanning is the registry's scanning configuration, read with --image-repos-scan-on-push.
	scanning    ecr.Scanning
	scanningErr error
}

func (r *run) do(ctx context.Context) error {
	in := r.in
	// The look-ups are independent reads: run them at once, with reading and verifying the
	// images. Nothing is created before the images are known to be sound.
	var main *cfn.Stack
	waited := false
	r.plan = in.Plan
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		main, waited, err = r.mainStack(gctx)
		return err
	})
	if in.ResolveImageRepos && in.Plan == nil {
		g.Go(func() error { return r.planCompanion(gctx) })
	}
	if in.ResolveImageRepos && in.RepoSettings.ScanOnPush && r.e.Scanning != nil {
		g.Go(func() error {
			r.scanning, r.scanningErr = r.e.Scanning.RegistryScanning(gctx) // a note only: never fatal
			return nil
		})
	}
	imagesErr := r.images.Open(ctx, in.pushFunctions())
	if imagesErr == nil {
		imagesErr = r.checkInline(ctx)
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if imagesErr != nil {
		return imagesErr
	}
	// Another deploy that was updating the main stack may have changed the companion stack
	// when it finished: plan again on what it left.
	if in.ResolveImageRepos && waited {
		if err := r.planCompanion(ctx); err != nil {
			return err
		}
	}
	r.learnAccount(main)
	return r.deployAll(ctx, main)
}

// resolveBucket finds the deployment bucket: --s3-bucket; else, with --resolve-s3 and when
// something must go to S3 (needed), the managed one, created if missing; else none.
func (r *run) resolveBucket(ctx context.Context, needed bool) error {
	in, e := r.in, r.e
	r.bucket = in.S3Bucket
	if in.ResolveS3 && needed {
		b, err := artifacts.ManagedBucket(ctx, e.CFN, e.UI)
		if err != nil {
			return err
		}
		r.bucket = b
		if !in.Guided {
			e.UI.Bucket(b)
		}
	}
	if r.bucket != "" {
		r.uploader = &artifacts.Uploader{S3: e.S3, Bucket: r.bucket, Prefix: in.S3Prefix, Region: e.Region,
			KMSKeyID: in.KMSKeyID, Metadata: in.Metadata, Force: in.ForceUpload, Report: e.UI}
	}
	return nil
}

// planCompanion computes the companion plan.
func (r *run) planCompanion(ctx context.Context) error {
	pl := &companion.Planner{Stacks: r.e.CFN, Images: r.e.Images, Report: r.e.UI, Settings: r.in.RepoSettings, Spare: r.in.Tree.SAMRepoOnly()}
	p, err := pl.Plan(ctx, r.in.StackName, r.in.Managed)
	if err != nil {
		return err
	}
	r.plan = p
	return nil
}

// prepareCompanion applies the part of the plan due before the main deploy (readyCompanion
// comes first). When another deploy's first run created the companion stack meanwhile, it
// waits for that stack, plans again on it and applies that plan instead of failing.
func (r *run) prepareCompanion(ctx context.Context) error {
	var err error
	r.compSt, err = r.applier.Prepare(ctx, r.plan)
	var other *cfn.AlreadyExistsError
	if !errors.As(err, &other) {
		return err
	}
	r.e.UI.CompanionCreatedMeanwhile(r.plan.Companion)
	if err := r.planCompanion(ctx); err != nil {
		return err
	}
	if err := r.checkPlan(); err != nil {
		return err
	}
	r.compSt, err = r.applier.Prepare(ctx, r.plan)
	return err
}

// readyCompanion makes the applier, checks that the plan can be applied with the bucket
// found, and prints the plan.
func (r *run) readyCompanion() error {
	r.newApplier()
	return r.checkPlan()
}

func (r *run) checkPlan() error {
	if err := r.applier.CheckUpload(r.plan); err != nil {
		return err
	}
	r.e.UI.Plan(r.plan)
	if r.in.RepoSettings.ScanOnPush && r.e.Scanning != nil {
		var names []string
		for _, repo := range r.plan.Desired() {
			names = append(names, repo.Name)
		}
		r.e.UI.ScanOnPush(r.scanning, r.scanningErr, names)
	}
	return nil
}

// newApplier makes the applier of the plan, uploading through the bucket when there is one.
func (r *run) newApplier() {
	r.applier = &companion.Applier{Stacks: r.e.CFN, Images: r.e.Images, RoleARN: r.in.RoleARN,
		Tags: cfnTags(r.in.Tags), NotificationARNs: r.in.NotificationARNs, Report: r.e.UI, LiveTemplates: r.liveTemplates}
	if r.uploader != nil {
		r.applier.Upload = r.uploader.UploadTemplate
	}
}

// mainStack describes the application stack, waiting if another operation is running, and
// reports whether it had to wait.
func (r *run) mainStack(ctx context.Context) (*cfn.Stack, bool, error) {
	st, err := r.e.CFN.Describe(ctx, r.in.StackName)
	if cfn.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	waited := false
	st, err = r.e.CFN.WaitWhileInProgress(ctx, st, func(status string) {
		waited = true
		r.e.UI.StackWaiting(st.Name, status)
	})
	return st, waited, err
}

// learnAccount reads the account id from a stack ARN, so STS is asked only when no stack
// exists yet and URIs must be shown.
func (r *run) learnAccount(main *cfn.Stack) {
	stacks := []*cfn.Stack{r.compSt, main}
	if r.plan != nil {
		stacks = append(stacks, r.plan.Stack)
	}
	for _, st := range stacks {
		if st != nil && st.Account() != "" {
			r.e.SetAccount(st.Account())
			return
		}
	}
}

func cfnTags(kvs []KV) []cfntypes.Tag {
	var out []cfntypes.Tag
	for _, kv := range kvs {
		out = append(out, cfntypes.Tag{Key: aws.String(kv.Key), Value: aws.String(kv.Value)})
	}
	return out
}

// finishCompanion applies the companion removals after a successful main deploy.
func (r *run) finishCompanion(ctx context.Context) error {
	if r.plan == nil {
		return nil
	}
	removed, err := r.applier.Finish(ctx, r.plan, r.compSt)
	for _, rm := range removed {
		r.res.Removed = append(r.res.Removed, rm.Name)
	}
	return err
}

// keptNote says that unreferenced repositories were kept, when there are any.
func (r *run) keptNote(why string) {
	if r.plan != nil {
		r.e.UI.Kept(len(r.plan.Remove), why)
	}
}
