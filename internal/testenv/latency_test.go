package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// TestLatencyProxy: through the proxy a stack create, a change set and a delete each look in
// progress for their time, and their ending events wait for it; then moto's answers pass.
func TestLatencyProxy(t *testing.T) {
	Needs(t, "the local AWS")
	m := SharedMoto(t)
	l := Latency{ChangeSet: 600 * time.Millisecond, Stack: 900 * time.Millisecond, Companion: 900 * time.Millisecond, Bucket: 900 * time.Millisecond}
	p, err := StartLatencyProxy(m.URL, l)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	ctx := context.Background()
	moto := *m
	moto.URL = p.URL
	cfg, err := moto.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := cloudformation.NewFromConfig(cfg)
	status := func(name string) string {
		out, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			return "error: " + err.Error()
		}
		return string(out.Stacks[0].StackStatus)
	}
	rootEvents := func(name string) (n int) {
		out, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.StackEvents {
			if aws.ToString(e.LogicalResourceId) == name && e.ResourceStatus == cfntypes.ResourceStatusCreateComplete {
				n++
			}
		}
		return n
	}
	body := `{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}`
	start := time.Now()
	if _, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("latency-app"), TemplateBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
	if got := status("latency-app"); got != "CREATE_IN_PROGRESS" || rootEvents("latency-app") != 0 {
		t.Errorf("right after CreateStack: %s with %d final events, want CREATE_IN_PROGRESS and none", got, rootEvents("latency-app"))
	}
	time.Sleep(time.Until(start.Add(l.Stack + 50*time.Millisecond)))
	if got := status("latency-app"); got != "CREATE_COMPLETE" || rootEvents("latency-app") != 1 {
		t.Errorf("after its time: %s with %d final events, want CREATE_COMPLETE and one", got, rootEvents("latency-app"))
	}

	cs, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("latency-app"), ChangeSetName: aws.String("cs1"),
		ChangeSetType: cfntypes.ChangeSetTypeUpdate, TemplateBody: aws.String(`{"Resources": {"T": {"Type": "AWS::SNS::Topic"}, "U": {"Type": "AWS::SNS::Topic"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	csStatus := func() cfntypes.ChangeSetStatus {
		out, err := c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
		if err != nil {
			t.Fatal(err)
		}
		return out.Status
	}
	if got := csStatus(); got != cfntypes.ChangeSetStatusCreateInProgress {
		t.Errorf("new change set: %s, want CREATE_IN_PROGRESS", got)
	}
	time.Sleep(l.ChangeSet + 50*time.Millisecond)
	if got := csStatus(); got != cfntypes.ChangeSetStatusCreateComplete {
		t.Errorf("change set after its time: %s, want CREATE_COMPLETE", got)
	}

	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("latency-app")}); err != nil {
		t.Fatal(err)
	}
	if got := status("latency-app"); got != "DELETE_IN_PROGRESS" {
		t.Errorf("right after DeleteStack: %s, want DELETE_IN_PROGRESS", got)
	}
	time.Sleep(l.Stack + 50*time.Millisecond)
	if got := status("latency-app"); got == "DELETE_IN_PROGRESS" {
		t.Errorf("after its time: still %s", got)
	}
}

func TestFloor(t *testing.T) {
	tests := map[string]struct {
		bucket, before, after, stack bool
		want                         time.Duration
	}{
		"first deploy, image only": {before: true, stack: true, want: 30 * time.Second},
		"first deploy, with a zip": {bucket: true, before: true, stack: true, want: 39 * time.Second},
		"unchanged":                {want: 4 * time.Second},
		"one function removed":     {stack: true, after: true, want: 34 * time.Second},
	}
	for name, tc := range tests {
		if got := AWSLike.Floor(tc.bucket, tc.before, tc.after, tc.stack); got != tc.want {
			t.Errorf("%s: Floor = %s, want %s", name, got, tc.want)
		}
	}
}
