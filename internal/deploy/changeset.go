package deploy

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/companion"
)

// createChangeSet builds and creates the main change set and waits until it is ready. It
// returns the change set with the error when the change set exists but the wait failed.
func (r *run) createChangeSet(ctx context.Context, main *cfn.Stack) (*cfn.ChangeSet, error) {
	csIn, err := r.changeSetInput(ctx, main)
	if err != nil {
		return nil, err
	}
	return r.e.CFN.CreateChangeSet(ctx, csIn)
}

// deployMain shows, confirms and executes the main change set, then removes the unreferenced
// repositories once the stack deployed. An empty change set (err) is reported as SAM CLI
// does. all waits for the images to be in place: the question of --confirm-changeset may
// come while they are still being pushed, and nothing else happens before they are.
func (r *run) deployMain(ctx context.Context, main *cfn.Stack, cs *cfn.ChangeSet, err error, all func() error) error {
	in, e := r.in, r.e
	e.UI.CreatingChangeSet()
	var empty *cfn.ChangeSetEmptyError
	if errors.As(err, &empty) {
		if err := all(); err != nil {
			return err
		}
		// The deployed stack already is what was asked for: if it is healthy, what the
		// companion plan keeps for after a successful deploy can happen now.
		if main != nil && cfn.Succeeded(main.Status) {
			if err := r.finishCompanion(ctx); err != nil {
				return err
			}
		}
		// Nothing was deployed: no function of this run's can have lost its image to another
		// run meanwhile, and the check is not made (an unchanged redeploy stays at its cost).
		r.res.NoChanges = true
		if main != nil {
			r.res.StackStatus, r.res.Outputs = main.Status, main.Outputs
		}
		if in.FailOnEmptyChangeset {
			return err
		}
		e.UI.NoChanges(err)
		return nil
	}
	if err != nil {
		return err
	}
	r.res.ChangeSet = cs
	e.UI.ChangeSet(cs)
	if in.NoExecuteChangeset {
		r.keptNote("the change set was not executed (--no-execute-changeset)")
		return all()
	}
	if in.ConfirmChangeset {
		e.UI.Preview()
		e.UI.Hold() // the push lines wait while the question is on the screen
		ok, err := e.Confirm(ctx, "Deploy this changeset?", false)
		e.UI.Release()
		if err != nil {
			all()
			return err
		}
		if !ok {
			if err := all(); err != nil {
				return err
			}
			r.keptNote("the change set was not deployed")
			return nil
		}
	}
	if err := all(); err != nil {
		return err
	}
	st, err := r.execute(ctx, cs)
	if err != nil {
		return err
	}
	r.deployed = true
	if err := r.finishCompanion(ctx); err != nil {
		return fmt.Errorf("stack %s deployed, but removing unreferenced repositories failed (the next deploy retries): %w", in.StackName, err)
	}
	if err := r.checkImages(ctx); err != nil {
		return err
	}
	r.res.Outputs = st.Outputs
	e.UI.Outputs(st.Outputs)
	e.UI.Deployed(in.StackName, e.Region, in.Express)
	return nil
}

// changeSetInput builds the main change set: CREATE for a new stack (or one holding only an
// unexecuted change set), UPDATE otherwise; the template inline when it fits, else from S3.
func (r *run) changeSetInput(ctx context.Context, main *cfn.Stack) (*cloudformation.CreateChangeSetInput, error) {
	in, e := r.in, r.e
	create := main == nil || main.Status == string(cfntypes.StackStatusReviewInProgress)
	csIn := &cloudformation.CreateChangeSetInput{
		StackName:        aws.String(in.StackName),
		ChangeSetName:    aws.String(fmt.Sprintf("samship-deploy%d", e.Now().Unix())),
		ChangeSetType:    cfntypes.ChangeSetTypeUpdate,
		Description:      aws.String("Created by samship at " + e.Now().UTC().Format("2006-01-02T15:04:05.000000+00:00") + " UTC"),
		Tags:             cfnTags(in.Tags),
		Parameters:       r.parameters(main, create),
		NotificationARNs: in.NotificationARNs,
	}
	if csIn.Tags == nil {
		csIn.Tags = []cfntypes.Tag{} // as SAM CLI: no --tags clears the stack's tags
	}
	if create {
		csIn.ChangeSetType = cfntypes.ChangeSetTypeCreate
	}
	if in.Express {
		csIn.DeploymentConfig = &cfntypes.DeploymentConfig{Mode: cfntypes.DeploymentConfigModeExpress, DisableRollback: aws.Bool(in.DisableRollback)}
	}
	for _, c := range in.Capabilities {
		csIn.Capabilities = append(csIn.Capabilities, cfntypes.Capability(c))
	}
	if in.RoleARN != "" {
		csIn.RoleARN = aws.String(in.RoleARN)
	}
	body := r.body
	if len(body) <= companion.InlineLimit {
		csIn.TemplateBody = aws.String(string(body))
		return csIn, nil
	}
	if r.uploader == nil {
		return nil, fmt.Errorf("the template with the pushed images is %d bytes, more than the 51,200 CloudFormation accepts inline: pass --s3-bucket or --resolve-s3", len(body))
	}
	u, err := r.uploader.UploadTemplate(ctx, body)
	if err != nil {
		return nil, err
	}
	csIn.TemplateURL = aws.String(u)
	return csIn, nil
}

// execute runs the change set and streams the stack's events until it settles; a failed or
// rolled-back deploy returns *cfn.StackFailedError and keeps every repository.
func (r *run) execute(ctx context.Context, cs *cfn.ChangeSet) (*cfn.Stack, error) {
	in, e := r.in, r.e
	// In Express mode the rollback choice went with the change set.
	r.executing = true
	if err := e.CFN.Execute(ctx, cs, in.StackName, in.DisableRollback && !in.Express); err != nil {
		return nil, err
	}
	r.executed, r.res.Executed = true, true
	op := "update"
	if cs.Create {
		op = "create"
	}
	events := e.UI.StackEvents(in.StackName, op, e.Now(), cfn.DefaultPoller(in.PollCap).Interval(), !in.NoProgressBar)
	wctx := ctx
	if in.MaxWait > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, in.MaxWait)
		defer cancel()
	}
	st, err := e.CFN.Watch(wctx, cs.StackID, cs.Created, events.Event)
	events.End(st, err)
	if st != nil {
		r.res.StackStatus = st.Status
	}
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			r.keptNote("the deploy did not finish")
			return nil, fmt.Errorf("wait for stack %s: not done after %s (--max-wait-duration); CloudFormation goes on with it", in.StackName, in.MaxWait)
		}
		return nil, err
	}
	if err := e.CFN.Failed(ctx, st); err != nil {
		r.keptNote("the deploy did not succeed")
		if in.OnFailure == "DELETE" && (st.Status == "ROLLBACK_COMPLETE" || st.Status == "ROLLBACK_FAILED" || st.Status == "CREATE_FAILED") {
			e.UI.DeletingFailed(in.StackName)
			if derr := e.CFN.DeleteStack(ctx, st, in.RoleARN); derr != nil {
				// Only the deploy's failure is wrapped: it decides the exit code, not the delete's.
				return nil, fmt.Errorf("%w; then %s", err, derr.Error())
			}
		}
		return nil, err
	}
	return st, nil
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
