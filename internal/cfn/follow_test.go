package cfn_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/cfn/cfnfake"
)

// follower records what a Follower is told.
type follower struct {
	op     string
	events []string
	end    *cfn.Stack
	endErr error
	ended  int
}

func (f *follower) Event(e cfn.Event) { f.events = append(f.events, e.LogicalID+" "+e.Status) }
func (f *follower) End(st *cfn.Stack, err error) {
	f.end, f.endErr = st, err
	f.ended++
}

// sameInstant answers every event with one timestamp, as CloudFormation does for events of
// the same millisecond.
type sameInstant struct{ *cfnfake.CFN }

func (s sameInstant) DescribeStackEvents(ctx context.Context, in *cloudformation.DescribeStackEventsInput, o ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error) {
	out, err := s.CFN.DescribeStackEvents(ctx, in, o...)
	if err != nil {
		return nil, err
	}
	evs := slices.Clone(out.StackEvents)
	for i := range evs {
		evs[i].Timestamp = aws.Time(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC))
	}
	return &cloudformation.DescribeStackEventsOutput{StackEvents: evs}, nil
}

// TestFollow: with a Follower, a stack operation's wait reads the events of that operation
// only (by its request token), passes them oldest first, in CloudFormation's order even
// within one instant, and tells the end; a deleted stack ends the wait as done.
func TestFollow(t *testing.T) {
	for name, api := range map[string]func(*cfnfake.CFN) cfn.API{
		"distinct times": func(f *cfnfake.CFN) cfn.API { return f },
		"one instant":    func(f *cfnfake.CFN) cfn.API { return sameInstant{f} },
	} {
		t.Run(name, func(t *testing.T) {
			fake := cfnfake.New()
			c := cfn.New(api(fake), cfn.Poller{Cap: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }})
			var seen []*follower
			c.Follow = func(stack, op string) cfn.Follower {
				f := &follower{op: stack + " " + op}
				seen = append(seen, f)
				return f
			}
			ctx := context.Background()
			if _, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("s"), TemplateBody: aws.String("a")}); err != nil {
				t.Fatal(err)
			}
			st, err := c.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("s"), TemplateBody: aws.String("b")})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.DeleteStack(ctx, st, ""); err != nil {
				t.Fatalf("DeleteStack() = %v", err)
			}
			if len(seen) != 3 {
				t.Fatalf("followed %d operations, want 3", len(seen))
			}
			want := [][]string{{"s CREATE_IN_PROGRESS", "s CREATE_COMPLETE"}, {"s UPDATE_IN_PROGRESS", "s UPDATE_COMPLETE"}, nil}
			for i, f := range seen[:2] {
				if !slices.Equal(f.events, want[i]) || f.ended != 1 || f.end == nil || f.endErr != nil {
					t.Errorf("%s: events %q, ended %d with %v, %v; want %q, ended once with the stack", f.op, f.events, f.ended, f.end, f.endErr, want[i])
				}
			}
			if d := seen[2]; d.op != "s delete" || d.ended != 1 || !cfn.IsNotFound(d.endErr) {
				t.Errorf("delete followed as %q, ended %d with %v; want ended once, the stack gone", d.op, d.ended, d.endErr)
			}
		})
	}
}
