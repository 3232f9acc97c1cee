// Package cfn wraps the CloudFormation operations samship needs: stack state, adaptive
// waiting, event streams, change sets and failure reasons. Callers branch on its typed errors
// (StackNotFound, ChangeSetEmpty) and status classes instead of message text.
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
	"github.com/aws/smithy-go"
)

// API lists the CloudFormation SDK methods this package calls; *cloudformation.Client
// satisfies it and tests use small fakes.
type API interface {
	DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	DescribeStackEvents(context.Context, *cloudformation.DescribeStackEventsInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error)
	CreateStack(context.Context, *cloudformation.CreateStackInput, ...func(*cloudformation.Options)) (*cloudformation.CreateStackOutput, error)
	UpdateStack(context.Context, *cloudformation.UpdateStackInput, ...func(*cloudformation.Options)) (*cloudformation.UpdateStackOutput, error)
	DeleteStack(context.Context, *cloudformation.DeleteStackInput, ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error)
	GetTemplate(context.Context, *cloudformation.GetTemplateInput, ...func(*cloudformation.Options)) (*cloudformation.GetTemplateOutput, error)
	CreateChangeSet(context.Context, *cloudformation.CreateChangeSetInput, ...func(*cloudformation.Options)) (*cloudformation.CreateChangeSetOutput, error)
	DescribeChangeSet(context.Context, *cloudformation.DescribeChangeSetInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error)
	ExecuteChangeSet(context.Context, *cloudformation.ExecuteChangeSetInput, ...func(*cloudformation.Options)) (*cloudformation.ExecuteChangeSetOutput, error)
	DeleteChangeSet(context.Context, *cloudformation.DeleteChangeSetInput, ...func(*cloudformation.Options)) (*cloudformation.DeleteChangeSetOutput, error)
	DescribeStackResource(context.Context, *cloudformation.DescribeStackResourceInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourceOutput, error)
	ListStackResources(context.Context, *cloudformation.ListStackResourcesInput, ...func(*cloudformation.Options)) (*cloudformation.ListStackResourcesOutput, error)
	ListStacks(context.Context, *cloudformation.ListStacksInput, ...func(*cloudformation.Options)) (*cloudformation.ListStacksOutput, error)
	ListChangeSets(context.Context, *cloudformation.ListChangeSetsInput, ...func(*cloudformation.Options)) (*cloudformation.ListChangeSetsOutput, error)
}

// Client runs CloudFormation operations with adaptive polling.
type Client struct {
	api  API
	poll Poller
	// Express runs the stacks it creates, updates and deletes (the helper stacks: companion,
	// managed bucket) in CloudFormation's Express mode (--express).
	Express bool
	// NewToken makes client request tokens (random when nil; tests set it).
	NewToken func() string
	// OnTransient hears of a throttled or failed poll that a wait outlives (see Transient).
	OnTransient func(error)
	// Follow, when set, is asked for a Follower for each stack operation the client begins
	// and waits on ("create", "update" or "delete" the stack): the wait then reads the
	// operation's events, which go to the Follower, instead of the stack's status.
	Follow func(stack, operation string) Follower
}

// Follower hears of one stack operation's events as CloudFormation records them, oldest
// first, and of its end: the stack as it ended, or the error that ended the wait.
type Follower interface {
	Event(Event)
	End(*Stack, error)
}

// express is the deployment configuration of a helper stack operation; nil when not Express.
func (c *Client) express() *types.DeploymentConfig {
	if !c.Express {
		return nil
	}
	return &types.DeploymentConfig{Mode: types.DeploymentConfigModeExpress}
}

// New returns a Client over api polling with p.
func New(api API, p Poller) *Client { return &Client{api: api, poll: p} }

// Stack is the part of a stack's description samship uses.
type Stack struct {
	Name       string
	ID         string
	Status     string
	Reason     string
	Outputs    []Output
	Parameters []string // keys of the deployed parameters
	// Values are the deployed parameters' values by key ("****" for a NoEcho one).
	Values map[string]string
	Tags   map[string]string
	// TerminationProtection is on when the stack may not be deleted.
	TerminationProtection bool
	Description           string
	// Changed is when the stack was last updated (created, when never updated).
	Changed time.Time
}

// Output is one of a stack's outputs.
type Output struct {
	Key, Value, Description string
	// ExportName is the name the value is exported under, "" when it is not.
	ExportName string
}

func outputs(in []types.Output) []Output {
	var out []Output
	for _, o := range in {
		out = append(out, Output{Key: aws.ToString(o.OutputKey), Value: aws.ToString(o.OutputValue),
			Description: aws.ToString(o.Description), ExportName: aws.ToString(o.ExportName)})
	}
	return out
}

// Account returns the account id in the stack's ARN.
func (s *Stack) Account() string {
	parts := strings.Split(s.ID, ":")
	if len(parts) > 4 {
		return parts[4]
	}
	return ""
}

// InProgress reports a status CloudFormation is still working on (not REVIEW_IN_PROGRESS,
// which is a stack with only an unexecuted change set).
func InProgress(status string) bool {
	return strings.HasSuffix(status, "_IN_PROGRESS") && status != string(types.StackStatusReviewInProgress)
}

// Succeeded reports a status after a successful create or update.
func Succeeded(status string) bool {
	return status == string(types.StackStatusCreateComplete) || status == string(types.StackStatusUpdateComplete) ||
		status == string(types.StackStatusImportComplete)
}

// StackNotFoundError reports a stack that does not exist.
type StackNotFoundError struct{ Name string }

func (e *StackNotFoundError) Error() string { return "stack " + e.Name + " does not exist" }

// IsNotFound reports whether err says a stack does not exist.
func IsNotFound(err error) bool {
	var nf *StackNotFoundError
	return errors.As(err, &nf)
}

// Describe returns the stack called name, or a *StackNotFoundError.
func (c *Client) Describe(ctx context.Context, name string) (*Stack, error) {
	out, err := c.api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		if isValidation(err, "does not exist") {
			return nil, &StackNotFoundError{Name: name}
		}
		return nil, fmt.Errorf("describe stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return nil, &StackNotFoundError{Name: name}
	}
	s := out.Stacks[0]
	st := &Stack{
		Name: aws.ToString(s.StackName), ID: aws.ToString(s.StackId), Status: string(s.StackStatus),
		Reason: aws.ToString(s.StackStatusReason), Outputs: outputs(s.Outputs), Tags: map[string]string{},
		TerminationProtection: aws.ToBool(s.EnableTerminationProtection), Description: aws.ToString(s.Description),
		Changed: since(s.CreationTime), Values: map[string]string{},
	}
	if s.LastUpdatedTime != nil {
		st.Changed = *s.LastUpdatedTime
	}
	if st.Status == string(types.StackStatusDeleteComplete) {
		return nil, &StackNotFoundError{Name: name}
	}
	for _, p := range s.Parameters {
		st.Parameters = append(st.Parameters, aws.ToString(p.ParameterKey))
		st.Values[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	for _, t := range s.Tags {
		st.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return st, nil
}

// isCode reports an API error of that code.
func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// isValidation reports a ValidationError whose message contains text.
func isValidation(err error, text string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), text)
}

// WaitWhileInProgress polls until the stack is no longer in progress, calling onWait once
// with the status it found first if it had to wait. A stack that disappears returns
// *StackNotFoundError.
func (c *Client) WaitWhileInProgress(ctx context.Context, st *Stack, onWait func(status string)) (*Stack, error) {
	if !InProgress(st.Status) {
		return st, nil
	}
	onWait(st.Status)
	return c.waitStack(ctx, st.ID)
}

// Template returns the stack's deployed (original) template body.
func (c *Client) Template(ctx context.Context, name string) (string, error) {
	out, err := c.api.GetTemplate(ctx, &cloudformation.GetTemplateInput{
		StackName: aws.String(name), TemplateStage: types.TemplateStageOriginal,
	})
	if err != nil {
		return "", fmt.Errorf("get template of stack %s: %w", name, err)
	}
	return aws.ToString(out.TemplateBody), nil
}

// ResourcePhysicalID returns the physical id of one resource of a stack.
func (c *Client) ResourcePhysicalID(ctx context.Context, stack, logicalID string) (string, error) {
	out, err := c.api.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{
		StackName: aws.String(stack), LogicalResourceId: aws.String(logicalID),
	})
	if err != nil {
		return "", fmt.Errorf("describe resource %s of stack %s: %w", logicalID, stack, err)
	}
	if out.StackResourceDetail == nil {
		return "", fmt.Errorf("describe resource %s of stack %s: no such resource", logicalID, stack)
	}
	return aws.ToString(out.StackResourceDetail.PhysicalResourceId), nil
}

// since marks the start of an operation for event filtering.
func since(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
