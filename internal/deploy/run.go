package deploy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"golang.org/x/sync/errgroup"

	"github.com/samship/samship/internal/artifacts"
	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/ui"
)

// Env is everything a deploy run uses from outside: AWS, the terminal and the clock.
type Env struct {
	CFN     *cfn.Client
	Images  companion.ImagesAPI
	S3      artifacts.S3API
	Region  string
	Account func(ctx context.Context) (string, error)
	// SetAccount records the account id read from a stack ARN.
	SetAccount func(string)
	// Out receives results for scripts (stack outputs); Err receives progress.
	Out, Err io.Writer
	Paint    ui.Painter
	Width    int
	// Confirm asks a yes/no question.
	Confirm func(question string, def bool) (bool, error)
	Now     func() time.Time
}

// Run deploys in.
func Run(ctx context.Context, in *Input, e Env) error {
	r := &run{in: in, e: e}
	return r.do(ctx)
}

type run struct {
	in       *Input
	e        Env
	bucket   string
	uploader *artifacts.Uploader
	plan     *companion.Plan
	applier  *companion.Applier
	compSt   *cfn.Stack
}

func (r *run) notify(s string) { fmt.Fprintf(r.e.Err, "\t%s\n", s) }

func (r *run) do(ctx context.Context) error {
	in := r.in
	// The three look-ups are independent reads: run them at once.
	var main *cfn.Stack
	waited := false
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		main, waited, err = r.mainStack(gctx)
		return err
	})
	if in.ResolveImageRepos {
		g.Go(func() error { return r.planCompanion(gctx) })
	}
	bucketErr := r.resolveBucket(ctx)
	if err := g.Wait(); err != nil {
		return err
	}
	if bucketErr != nil {
		return bucketErr
	}
	if in.Template.Size() > companion.InlineLimit && r.uploader == nil {
		return errors.New("Templates with a size greater than 51,200 bytes must be deployed via an S3 Bucket. Please add the --s3-bucket parameter to your command. The local template will be copied to that S3 bucket and then deployed.")
	}
	if in.ResolveImageRepos {
		// Another deploy that was updating the main stack may have changed the companion
		// stack when it finished: plan again on what it left.
		if waited {
			if err := r.planCompanion(ctx); err != nil {
				return err
			}
		}
		if err := r.readyCompanion(); err != nil {
			return err
		}
		var err error
		if r.compSt, err = r.applier.Prepare(ctx, r.plan); err != nil {
			return err
		}
	}
	r.learnAccount(main)
	r.printSummary()
	return r.deployMain(ctx, main)
}

// resolveBucket finds the deployment bucket: the managed one with --resolve-s3, else
// --s3-bucket, else none.
func (r *run) resolveBucket(ctx context.Context) error {
	in, e := r.in, r.e
	r.bucket = in.S3Bucket
	if in.ResolveS3 {
		b, err := artifacts.ManagedBucket(ctx, e.CFN, e.Err)
		if err != nil {
			return err
		}
		r.bucket = b
		fmt.Fprintf(e.Err, "\n\t%s\n", e.Paint.Bold("Managed S3 bucket: "+b))
		fmt.Fprint(e.Err, "\tAuto resolution of buckets can be turned off by setting resolve_s3=False\n\tTo use a specific S3 bucket, set --s3-bucket=<bucket_name>\n\tAbove settings can be stored in samconfig.toml\n")
	}
	if r.bucket != "" {
		r.uploader = &artifacts.Uploader{S3: e.S3, Bucket: r.bucket, Prefix: in.S3Prefix, Region: e.Region,
			KMSKeyID: in.KMSKeyID, Force: in.ForceUpload, Log: e.Err}
	}
	return nil
}

// planCompanion computes the companion plan.
func (r *run) planCompanion(ctx context.Context) error {
	pl := &companion.Planner{Stacks: r.e.CFN, Images: r.e.Images, Notify: r.notify}
	p, err := pl.Plan(ctx, r.in.StackName, r.in.Managed)
	if err != nil {
		return err
	}
	r.plan = p
	return nil
}

// readyCompanion checks that the plan can be applied with the bucket found, and prints it.
func (r *run) readyCompanion() error {
	r.applier = &companion.Applier{Stacks: r.e.CFN, Images: r.e.Images, RoleARN: r.in.RoleARN,
		Tags: cfnTags(r.in.Tags), NotificationARNs: r.in.NotificationARNs, Notify: r.notify}
	if r.uploader != nil {
		r.applier.Upload = r.uploader.UploadTemplate
	}
	if err := r.applier.CheckUpload(r.plan); err != nil {
		return err
	}
	r.printPlan()
	return nil
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
		r.notify(fmt.Sprintf("Stack %s is %s (another deploy?); waiting for it to finish", st.Name, status))
	})
	return st, waited, err
}

// learnAccount reads the account id from a stack ARN, so STS is asked only when no stack
// exists yet and URIs must be shown.
func (r *run) learnAccount(main *cfn.Stack) {
	for _, st := range []*cfn.Stack{r.compSt, main} {
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

// deployMain creates, shows, confirms and executes the main change set.
func (r *run) deployMain(ctx context.Context, main *cfn.Stack) error {
	in, e := r.in, r.e
	create := main == nil || main.Status == string(cfntypes.StackStatusReviewInProgress)
	csIn := &cloudformation.CreateChangeSetInput{
		StackName:     aws.String(in.StackName),
		ChangeSetName: aws.String(fmt.Sprintf("samship-deploy%d", e.Now().Unix())),
		ChangeSetType: cfntypes.ChangeSetTypeUpdate,
		Description:   aws.String("Created by samship at " + e.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00") + " UTC"),
		Tags:          cfnTags(in.Tags),
		Parameters:    r.parameters(main, create),
	}
	if csIn.Tags == nil {
		csIn.Tags = []cfntypes.Tag{}
	}
	if create {
		csIn.ChangeSetType = cfntypes.ChangeSetTypeCreate
	}
	if len(in.Capabilities) > 0 {
		for _, c := range in.Capabilities {
			csIn.Capabilities = append(csIn.Capabilities, cfntypes.Capability(c))
		}
	}
	if in.RoleARN != "" {
		csIn.RoleARN = aws.String(in.RoleARN)
	}
	csIn.NotificationARNs = in.NotificationARNs
	body := in.Template.Raw
	if len(body) > companion.InlineLimit {
		u, err := r.uploader.UploadTemplate(ctx, body)
		if err != nil {
			return err
		}
		csIn.TemplateURL = aws.String(u)
	} else {
		csIn.TemplateBody = aws.String(string(body))
	}
	fmt.Fprint(e.Err, "\nWaiting for changeset to be created..\n")
	cs, err := e.CFN.CreateChangeSet(ctx, csIn)
	var empty *cfn.ChangeSetEmptyError
	if errors.As(err, &empty) {
		if main != nil && cfn.Succeeded(main.Status) {
			if err := r.finishCompanion(ctx); err != nil {
				return err
			}
		}
		if in.FailOnEmptyChangeset {
			return err
		}
		fmt.Fprintf(e.Err, "\n%s\n", err)
		return nil
	}
	if err != nil {
		return err
	}
	r.printChangeSet(cs)
	if in.NoExecuteChangeset {
		r.keptNote("the change set was not executed (--no-execute-changeset)")
		return nil
	}
	if in.ConfirmChangeset {
		fmt.Fprintf(e.Err, "\n%s\n", e.Paint.Yellow("Previewing CloudFormation changeset before deployment\n======================================================"))
		ok, err := e.Confirm("Deploy this changeset?", false)
		if err != nil {
			return err
		}
		if !ok {
			r.keptNote("the change set was not deployed")
			return nil
		}
	}
	if err := e.CFN.Execute(ctx, cs, in.StackName, in.DisableRollback); err != nil {
		return err
	}
	fmt.Fprintf(e.Err, "\n%s - Waiting for stack create/update to complete\n", e.Now().Format("2006-01-02 15:04:05"))
	tb := ui.NewTable(e.Err, e.Paint, e.Width, fmt.Sprintf("CloudFormation events from stack operations (refresh every 0.25 to %.1f seconds)", in.PollCap.Seconds()),
		"ResourceStatus", "ResourceType", "LogicalResourceId", "ResourceStatusReason")
	st, err := e.CFN.Watch(ctx, cs.StackID, cs.Created, func(ev cfn.Event) { r.printEvent(tb, ev) })
	tb.Rule()
	if err != nil {
		return err
	}
	if err := e.CFN.Failed(ctx, st); err != nil {
		r.keptNote("the deploy did not succeed")
		return err
	}
	if err := r.finishCompanion(ctx); err != nil {
		return fmt.Errorf("stack %s deployed, but removing unreferenced repositories failed (the next deploy retries): %w", in.StackName, err)
	}
	r.printOutputs(st)
	fmt.Fprintf(e.Err, "\nSuccessfully created/updated stack - %s in %s\n\n", in.StackName, e.Region)
	return nil
}

// finishCompanion applies the companion removals after a successful main deploy.
func (r *run) finishCompanion(ctx context.Context) error {
	if r.plan == nil {
		return nil
	}
	return r.applier.Finish(ctx, r.plan, r.compSt)
}

// keptNote says that unreferenced repositories were kept, when there are any.
func (r *run) keptNote(why string) {
	if r.plan != nil && len(r.plan.Remove) > 0 {
		r.notify(fmt.Sprintf("Kept %d unreferenced %s: %s", len(r.plan.Remove), plural(len(r.plan.Remove), "repository", "repositories"), why))
	}
}

// parameters builds the change set parameters as SAM CLI does: overrides for template
// parameters, UsePreviousValue for the others the deployed stack has.
func (r *run) parameters(main *cfn.Stack, create bool) []cfntypes.Parameter {
	over := map[string]string{}
	for _, kv := range r.in.ParameterOverrides {
		over[kv.Key] = kv.Value
	}
	deployed := map[string]bool{}
	if main != nil {
		for _, k := range main.Parameters {
			deployed[k] = true
		}
	}
	var out []cfntypes.Parameter
	for _, p := range r.in.Template.Parameters() {
		if v, ok := over[p.Key]; ok {
			out = append(out, cfntypes.Parameter{ParameterKey: aws.String(p.Key), ParameterValue: aws.String(v)})
		} else if !create && deployed[p.Key] {
			out = append(out, cfntypes.Parameter{ParameterKey: aws.String(p.Key), UsePreviousValue: aws.Bool(true)})
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
