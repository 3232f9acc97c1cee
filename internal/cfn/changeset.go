package cfn

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Change is one row of a change set.
type Change struct {
	Action      string // Add, Modify, Remove, ...
	LogicalID   string
	Type        string
	Replacement string
}

// ChangeSet is a created change set.
type ChangeSet struct {
	ARN     string
	StackID string
	Created time.Time
	Changes []Change
	// Create is a change set that creates its stack (type CREATE).
	Create bool
}

// ChangeSetEmptyError reports a change set without changes ("No changes to deploy").
type ChangeSetEmptyError struct{ Stack string }

func (e *ChangeSetEmptyError) Error() string {
	return "No changes to deploy. Stack " + e.Stack + " is up to date"
}

// ChangeSetFailedError reports a change set CloudFormation could not create.
type ChangeSetFailedError struct {
	Stack, Status, Reason string
}

func (e *ChangeSetFailedError) Error() string {
	return fmt.Sprintf("create change set for stack %s: %s: %s", e.Stack, e.Status, e.Reason)
}

// CreateChangeSet creates a change set and waits until it is ready. An empty change set is
// deleted and reported as *ChangeSetEmptyError; any other failure as *ChangeSetFailedError.
// When the change set was created but failed, or the wait for it did (the run was
// cancelled), the change set is returned with the error, for Abandon.
func (c *Client) CreateChangeSet(ctx context.Context, in *cloudformation.CreateChangeSetInput) (*ChangeSet, error) {
	stack := aws.ToString(in.StackName)
	out, err := c.api.CreateChangeSet(ctx, in)
	if err != nil {
		// CloudFormation reports an unchanged stack through a FAILED change set; some
		// emulators refuse the request instead.
		if isValidation(err, "No updates are to be performed") || isValidation(err, "didn't contain changes") {
			return nil, &ChangeSetEmptyError{Stack: stack}
		}
		return nil, fmt.Errorf("create change set for stack %s: %w", stack, err)
	}
	cs := &ChangeSet{ARN: aws.ToString(out.Id), StackID: aws.ToString(out.StackId), Create: in.ChangeSetType == types.ChangeSetTypeCreate}
	streak := 0
	w := c.poll.wait()
	for {
		if err := w.sleep(ctx); err != nil {
			return cs, err
		}
		desc, err := c.describeChangeSet(ctx, cs)
		if c.transient(err, &streak) {
			w.failed()
			continue
		}
		var gone *ChangeSetGoneError
		if errors.As(err, &gone) {
			return nil, err // nothing left to delete
		}
		if err != nil {
			return cs, err
		}
		streak = 0
		switch desc.Status {
		case types.ChangeSetStatusCreatePending, types.ChangeSetStatusCreateInProgress:
			continue
		case types.ChangeSetStatusCreateComplete:
			return cs, nil
		}
		reason := aws.ToString(desc.StatusReason)
		if strings.Contains(reason, "didn't contain changes") || strings.Contains(reason, "No updates are to be performed") {
			if _, err := c.api.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(cs.ARN)}); err != nil {
				return nil, fmt.Errorf("delete empty change set of stack %s: %w", stack, err)
			}
			return nil, &ChangeSetEmptyError{Stack: stack}
		}
		return cs, &ChangeSetFailedError{Stack: stack, Status: string(desc.Status), Reason: reason}
	}
}

// Abandon deletes a change set that will not be executed and, when its stack holds nothing
// but it (REVIEW_IN_PROGRESS: the change set created it), the stack too, without waiting for
// it to go. It reports whether it deleted the stack.
func (c *Client) Abandon(ctx context.Context, cs *ChangeSet) (bool, error) {
	if _, err := c.api.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String(cs.ARN)}); err != nil && !isValidation(err, "does not exist") && !isCode(err, "ChangeSetNotFound") {
		return false, fmt.Errorf("delete change set %s: %w", cs.ARN, err)
	}
	st, err := c.Describe(ctx, cs.StackID)
	if IsNotFound(err) || err == nil && st.Status != "REVIEW_IN_PROGRESS" {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	in := &cloudformation.DeleteStackInput{StackName: aws.String(st.ID), ClientRequestToken: aws.String(c.token())}
	if _, err := c.api.DeleteStack(ctx, in); err != nil {
		return false, fmt.Errorf("delete stack %s: %w", st.Name, err)
	}
	return true, nil
}

// describeChangeSet reads every page of the change set into cs and returns the first page.
func (c *Client) describeChangeSet(ctx context.Context, cs *ChangeSet) (*cloudformation.DescribeChangeSetOutput, error) {
	var first *cloudformation.DescribeChangeSetOutput
	var token *string
	cs.Changes = nil
	for {
		out, err := c.api.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String(cs.ARN), NextToken: token})
		if isValidation(err, "does not exist") || isCode(err, "ChangeSetNotFound") {
			return nil, &ChangeSetGoneError{ARN: cs.ARN, Stack: stackName(cs.StackID)}
		}
		if err != nil {
			return nil, fmt.Errorf("describe change set %s: %w", cs.ARN, err)
		}
		if first == nil {
			first = out
			cs.Created = since(out.CreationTime)
		}
		for _, ch := range out.Changes {
			rc := ch.ResourceChange
			if rc == nil {
				continue
			}
			cs.Changes = append(cs.Changes, Change{
				Action: string(rc.Action), LogicalID: aws.ToString(rc.LogicalResourceId),
				Type: aws.ToString(rc.ResourceType), Replacement: string(rc.Replacement),
			})
		}
		if out.NextToken == nil || out.Status != types.ChangeSetStatusCreateComplete {
			return first, nil
		}
		token = out.NextToken
	}
}

// ChangeSetGoneError says a change set was deleted while this run waited for it: another
// deploy of the stack executed its own change set, and CloudFormation then deletes every
// other one.
type ChangeSetGoneError struct{ ARN, Stack string }

func (e *ChangeSetGoneError) Error() string {
	return fmt.Sprintf("change set %s of stack %s is gone: another deploy of the stack executed its own change set meanwhile, and CloudFormation deleted this one; nothing of this run was deployed, run samship deploy again", e.ARN, e.Stack)
}

// stackName is the name in a stack ARN (arn:...:stack/NAME/ID), or the ARN itself.
func stackName(arn string) string {
	if _, rest, ok := strings.Cut(arn, ":stack/"); ok {
		name, _, _ := strings.Cut(rest, "/")
		return name
	}
	return arn
}

// Execute executes the change set.
func (c *Client) Execute(ctx context.Context, cs *ChangeSet, stack string, disableRollback bool) error {
	in := &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String(cs.ARN), StackName: aws.String(stack), ClientRequestToken: aws.String(c.token())}
	if disableRollback {
		in.DisableRollback = aws.Bool(true)
	}
	if _, err := c.api.ExecuteChangeSet(ctx, in); err != nil {
		if isValidation(err, "does not exist") || isCode(err, "ChangeSetNotFound") {
			return &ChangeSetGoneError{ARN: cs.ARN, Stack: stack}
		}
		return fmt.Errorf("execute change set for stack %s: %w", stack, err)
	}
	return nil
}

// Failed returns the failure of a finished stack operation, or nil when it succeeded.
func (c *Client) Failed(ctx context.Context, st *Stack) error {
	if Succeeded(st.Status) {
		return nil
	}
	return c.failed(ctx, st)
}

// PendingTemplates returns the templates (as submitted) of the stack's change sets that may
// still be executed: ready (a deploy with --no-execute-changeset, one awaiting approval),
// being created (another deploy about to execute it) or executing. What a later
// ExecuteChangeSet will deploy.
func (c *Client) PendingTemplates(ctx context.Context, stack string) (map[string]string, error) {
	out := map[string]string{}
	var token *string
	for {
		page, err := c.api.ListChangeSets(ctx, &cloudformation.ListChangeSetsInput{StackName: aws.String(stack), NextToken: token})
		if err != nil {
			if isValidation(err, "does not exist") {
				return nil, &StackNotFoundError{Name: stack}
			}
			return nil, fmt.Errorf("list change sets of stack %s: %w", stack, err)
		}
		for _, cs := range page.Summaries {
			switch {
			case cs.Status == types.ChangeSetStatusFailed || cs.Status == types.ChangeSetStatusDeleteComplete:
				continue
			case cs.ExecutionStatus == types.ExecutionStatusExecuteComplete || cs.ExecutionStatus == types.ExecutionStatusExecuteFailed ||
				cs.ExecutionStatus == types.ExecutionStatusObsolete:
				continue
			}
			body, err := c.api.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(stack), ChangeSetName: cs.ChangeSetId,
				TemplateStage: types.TemplateStageOriginal})
			if err != nil {
				return nil, fmt.Errorf("get template of change set %s: %w", aws.ToString(cs.ChangeSetName), err)
			}
			out[aws.ToString(cs.ChangeSetName)] = aws.ToString(body.TemplateBody)
		}
		if page.NextToken == nil {
			return out, nil
		}
		token = page.NextToken
	}
}
