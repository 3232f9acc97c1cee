package cfn

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// StackFailedError reports a stack operation that ended in a failed or rolled-back state,
// with the first failed event as its reason.
type StackFailedError struct {
	Name    string
	Status  string
	Failure *Event
}

func (e *StackFailedError) Error() string {
	s := fmt.Sprintf("stack %s ended in %s", e.Name, e.Status)
	if e.Failure != nil {
		s += ": " + e.Failure.String()
	}
	return s
}

// failed builds a *StackFailedError for st, looking up the first failed event.
func (c *Client) failed(ctx context.Context, st *Stack) error {
	ev, _ := c.FirstFailure(ctx, st.ID)
	if ev == nil && st.Reason != "" {
		ev = &Event{LogicalID: st.Name, Type: "AWS::CloudFormation::Stack", Status: st.Status, Reason: st.Reason}
	}
	return &StackFailedError{Name: st.Name, Status: st.Status, Failure: ev}
}

// waitStack polls the stack (by id) until it leaves the in-progress states.
func (c *Client) waitStack(ctx context.Context, id string) (*Stack, error) {
	streak := 0
	w := c.poll.wait()
	for {
		if err := w.sleep(ctx); err != nil {
			return nil, err
		}
		st, err := c.Describe(ctx, id)
		if c.transient(err, &streak) {
			w.failed()
			continue
		}
		if err != nil {
			return nil, err
		}
		streak = 0
		if !InProgress(st.Status) {
			return st, nil
		}
	}
}

// AlreadyExistsError reports a stack another run created while this one meant to.
type AlreadyExistsError struct{ Stack string }

func (e *AlreadyExistsError) Error() string {
	return fmt.Sprintf("create stack %s: another deploy created it meanwhile", e.Stack)
}

// CreateStack creates a stack and waits for it; a failed creation returns *StackFailedError.
// The request carries a token: when AWS acted but its answer was lost, the SDK's retry is
// answered "already exists", and a stack whose events carry the token is this run's, created
// as asked. A stack of that name someone else created is *AlreadyExistsError.
func (c *Client) CreateStack(ctx context.Context, in *cloudformation.CreateStackInput) (*Stack, error) {
	in.DeploymentConfig = c.express()
	in.ClientRequestToken = aws.String(c.token())
	name := aws.ToString(in.StackName)
	out, err := c.api.CreateStack(ctx, in)
	if isCode(err, "AlreadyExistsException") {
		st, derr := c.Describe(ctx, name)
		if derr == nil && c.madeWith(ctx, st.ID, aws.ToString(in.ClientRequestToken)) {
			return c.settle(ctx, st.ID, name, "create", aws.ToString(in.ClientRequestToken))
		}
		return nil, &AlreadyExistsError{Stack: name}
	}
	if err != nil {
		return nil, fmt.Errorf("create stack %s: %w", name, err)
	}
	return c.settle(ctx, aws.ToString(out.StackId), name, "create", aws.ToString(in.ClientRequestToken))
}

// madeWith reports whether an event of the stack carries the request token.
func (c *Client) madeWith(ctx context.Context, stackID, token string) bool {
	found := false
	_ = c.eventsNewestFirst(ctx, stackID, func(e Event) bool {
		found = found || e.Token == token
		return !found
	})
	return found
}

// token returns a new client request token.
func (c *Client) token() string {
	if c.NewToken != nil {
		return c.NewToken()
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "samship-" + hex.EncodeToString(b)
}

// UpdateStack updates a stack and waits for it. CloudFormation's "No updates are to be
// performed" counts as success.
func (c *Client) UpdateStack(ctx context.Context, in *cloudformation.UpdateStackInput) (*Stack, error) {
	in.DeploymentConfig = c.express()
	in.ClientRequestToken = aws.String(c.token())
	out, err := c.api.UpdateStack(ctx, in)
	if err != nil {
		if isValidation(err, "No updates are to be performed") {
			return c.Describe(ctx, aws.ToString(in.StackName))
		}
		return nil, fmt.Errorf("update stack %s: %w", aws.ToString(in.StackName), err)
	}
	return c.settle(ctx, aws.ToString(out.StackId), aws.ToString(in.StackName), "update", aws.ToString(in.ClientRequestToken))
}

// settle waits for the operation (begun with token) on the stack with id to end; a final
// state other than success becomes *StackFailedError.
func (c *Client) settle(ctx context.Context, id, name, op, token string) (*Stack, error) {
	st, err := c.wait(ctx, id, name, op, token)
	if err != nil {
		return nil, err
	}
	return st, c.Failed(ctx, st)
}

// wait waits for the operation begun with token to end: on its events when a Follower
// follows it, else on the stack's status.
func (c *Client) wait(ctx context.Context, id, name, op, token string) (*Stack, error) {
	if c.Follow == nil {
		return c.waitStack(ctx, id)
	}
	f := c.Follow(name, op)
	st, err := c.watchOp(ctx, id, token, f.Event)
	f.End(st, err)
	return st, err
}

// DeleteStack deletes the stack with the given id and waits until it is gone; retain names
// resources to keep (CloudFormation accepts them only for a stack in DELETE_FAILED).
func (c *Client) DeleteStack(ctx context.Context, st *Stack, roleARN string, retain ...string) error {
	token := c.token()
	in := &cloudformation.DeleteStackInput{StackName: aws.String(st.ID), DeploymentConfig: c.express(), RetainResources: retain,
		ClientRequestToken: aws.String(token)}
	if roleARN != "" {
		in.RoleARN = aws.String(roleARN)
	}
	if _, err := c.api.DeleteStack(ctx, in); err != nil {
		return fmt.Errorf("delete stack %s: %w", st.Name, err)
	}
	cur, err := c.wait(ctx, st.ID, st.Name, "delete", token)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !strings.HasPrefix(cur.Status, "DELETE_COMPLETE") {
		return c.failed(ctx, cur)
	}
	return nil
}
