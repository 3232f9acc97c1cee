package cfn

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// Event is one stack event.
type Event struct {
	ID         string
	Time       time.Time
	StackID    string
	StackName  string
	LogicalID  string
	PhysicalID string
	Type       string
	Status     string
	Detailed   string
	Reason     string
	// Token is the client request token of the operation the event belongs to.
	Token string
}

// IsRoot reports an event about the stack itself.
func (e Event) IsRoot() bool {
	return e.Type == "AWS::CloudFormation::Stack" && e.LogicalID == e.StackName && (e.PhysicalID == e.StackID || e.PhysicalID == "")
}

// Failed reports a failed resource or stack status.
func (e Event) Failed() bool { return strings.HasSuffix(e.Status, "_FAILED") }

// String renders the event as "resource (type) STATUS: reason".
func (e Event) String() string {
	s := fmt.Sprintf("%s (%s) %s", e.LogicalID, e.Type, e.Status)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// eventsNewestFirst pages through the stack's events, newest first, until keep returns false.
func (c *Client) eventsNewestFirst(ctx context.Context, stack string, keep func(Event) bool) error {
	var token *string
	for {
		out, err := c.api.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(stack), NextToken: token})
		if isValidation(err, "does not exist") {
			return &StackNotFoundError{Name: stack}
		}
		if err != nil {
			return fmt.Errorf("describe events of stack %s: %w", stack, err)
		}
		for _, e := range out.StackEvents {
			ev := Event{
				ID: aws.ToString(e.EventId), Time: since(e.Timestamp), StackID: aws.ToString(e.StackId),
				StackName: aws.ToString(e.StackName), LogicalID: aws.ToString(e.LogicalResourceId),
				PhysicalID: aws.ToString(e.PhysicalResourceId), Type: aws.ToString(e.ResourceType),
				Status: string(e.ResourceStatus), Detailed: string(e.DetailedStatus), Reason: aws.ToString(e.ResourceStatusReason),
				Token: aws.ToString(e.ClientRequestToken),
			}
			if !keep(ev) {
				return nil
			}
		}
		if out.NextToken == nil || len(out.StackEvents) == 0 {
			return nil
		}
		token = out.NextToken
	}
}

// Watch follows the stack's events from start (an operation's start in CloudFormation's
// clock) until the stack itself reaches a final status, passing each new event, oldest
// first, to onEvent. It returns the stack as described after that.
func (c *Client) Watch(ctx context.Context, stackID string, start time.Time, onEvent func(Event)) (*Stack, error) {
	return c.watch(ctx, stackID, func(e Event) bool { return !e.Time.Before(start) }, onEvent)
}

// watchOp follows the events of the operation begun with the client request token (each
// event of an operation carries it), as Watch does.
func (c *Client) watchOp(ctx context.Context, stackID, token string, onEvent func(Event)) (*Stack, error) {
	return c.watch(ctx, stackID, func(e Event) bool { return e.Token == token }, onEvent)
}

// watch polls the stack's events, newest first, as far back as ours holds, until the stack's
// own event says the operation ended. A stack gone (deleted) returns *StackNotFoundError.
func (c *Client) watch(ctx context.Context, stackID string, ours func(Event) bool, onEvent func(Event)) (*Stack, error) {
	seen := map[string]bool{}
	errs, streak := 0, 0
	w := c.poll.wait()
	for {
		if err := w.sleep(ctx); err != nil {
			return nil, err
		}
		var fresh []Event
		done := false
		err := c.eventsNewestFirst(ctx, stackID, func(e Event) bool {
			if !ours(e) || seen[e.ID] {
				return false
			}
			fresh = append(fresh, e)
			return true
		})
		if c.transient(err, &streak) {
			w.failed()
			continue
		}
		if IsNotFound(err) {
			return nil, err
		}
		if err != nil {
			// Events are informative; a few failed polls must not fail the deploy.
			if errs++; errs > 3 {
				return nil, err
			}
			w.failed()
			continue
		}
		errs, streak = 0, 0
		// Oldest first; events of the same millisecond keep CloudFormation's order.
		slices.Reverse(fresh)
		sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].Time.Before(fresh[j].Time) })
		for _, e := range fresh {
			seen[e.ID] = true
			if e.Status == "REVIEW_IN_PROGRESS" {
				continue
			}
			onEvent(e)
			if e.IsRoot() && !strings.HasSuffix(e.Status, "_IN_PROGRESS") {
				done = true
			}
		}
		if done {
			return c.Describe(ctx, stackID)
		}
		// Fall back on the stack status, every ten quiet polls, in case the final root event
		// was missed.
		if len(fresh) == 0 && w.polls%10 == 0 {
			st, err := c.Describe(ctx, stackID)
			if IsNotFound(err) {
				return nil, err
			}
			if err == nil && !InProgress(st.Status) && st.Status != "REVIEW_IN_PROGRESS" {
				return st, nil
			}
		}
	}
}

// FirstFailure returns the earliest failed event of the stack's latest operation: the events
// after the last root event that started an operation ("User Initiated"). It returns nil when
// no event failed.
func (c *Client) FirstFailure(ctx context.Context, stack string) (*Event, error) {
	var first *Event
	err := c.eventsNewestFirst(ctx, stack, func(e Event) bool {
		if e.Failed() && e.Reason != "" && !strings.Contains(e.Reason, "Resource creation cancelled") &&
			!strings.Contains(e.Reason, "Resource update cancelled") {
			ev := e
			first = &ev
		}
		return !(e.IsRoot() && e.Reason == "User Initiated")
	})
	return first, err
}
