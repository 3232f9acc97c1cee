package cfn_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/cfn/cfnfake"
)

// flaky fails the next n DescribeStacks and DescribeChangeSet calls with err.
type flaky struct {
	*cfnfake.CFN
	n   int
	err error
}

func (f *flaky) DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, o ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	if f.n > 0 {
		f.n--
		return nil, f.err
	}
	return f.CFN.DescribeStacks(ctx, in, o...)
}

func (f *flaky) DescribeChangeSet(ctx context.Context, in *cloudformation.DescribeChangeSetInput, o ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error) {
	if f.n > 0 {
		f.n--
		return nil, f.err
	}
	return f.CFN.DescribeChangeSet(ctx, in, o...)
}

func status(code int) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("internal failure")}}
}

func TestWaitsOutliveTransientErrors(t *testing.T) {
	tests := map[string]struct {
		err       error
		transient bool
	}{
		"throttling":      {&smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}, true},
		"service 503":     {status(503), true},
		"access denied":   {&smithy.GenericAPIError{Code: "AccessDenied", Message: "no"}, false},
		"stack not found": {&smithy.GenericAPIError{Code: "ValidationError", Message: "Stack with id x does not exist"}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			fake := cfnfake.New()
			api := &flaky{CFN: fake}
			var heard []error
			poll := cfn.Poller{First: time.Millisecond, Cap: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }}
			c := cfn.New(api, poll)
			c.OnTransient = func(err error) { heard = append(heard, err) }
			fake.Seed("app", "CREATE_COMPLETE", "Resources: {}")
			// Three failed polls in a row, as the fault probe saw fail a run: waiting for a
			// change set, then for a stack update.
			api.n, api.err = 3, tc.err
			_, csErr := c.CreateChangeSet(context.Background(), &cloudformation.CreateChangeSetInput{StackName: aws.String("app"), ChangeSetName: aws.String("c"), TemplateBody: aws.String("Resources: {A: {Type: X}}")})
			api.n = 3
			st, err := c.UpdateStack(context.Background(), &cloudformation.UpdateStackInput{StackName: aws.String("app"), TemplateBody: aws.String("Resources: {B: {Type: X}}")})
			if tc.transient {
				if csErr != nil || err != nil || st == nil || len(heard) != 2 {
					t.Errorf("CreateChangeSet() = %v, UpdateStack() = %v; heard %d notices, want success and one notice each", csErr, err, len(heard))
				}
				return
			}
			if csErr == nil || err == nil || len(heard) != 0 {
				t.Errorf("CreateChangeSet() = %v, UpdateStack() = %v; heard %v, want the errors", csErr, err, heard)
			}
		})
	}
}

// TestCreateStackLostAnswer: CloudFormation created the stack but the answer was lost; the
// SDK's retry is told "already exists". The stack's events carry this run's token, so it is
// this run's stack, created. A stack someone else made is *AlreadyExistsError.
func TestCreateStackLostAnswer(t *testing.T) {
	fake := cfnfake.New()
	poll := cfn.Poller{First: time.Millisecond, Cap: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }}
	c := cfn.New(fake, poll)
	fake.LoseAnswer["mine"] = true
	st, err := c.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String("mine"), TemplateBody: aws.String("Resources: {}")})
	if err != nil || st == nil || st.Status != "CREATE_COMPLETE" {
		t.Errorf("CreateStack() = %v, %v, want the stack created", st, err)
	}
	fake.Seed("theirs", "CREATE_COMPLETE", "Resources: {}")
	_, err = c.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String("theirs"), TemplateBody: aws.String("Resources: {}")})
	var other *cfn.AlreadyExistsError
	if !errors.As(err, &other) {
		t.Errorf("CreateStack(another's stack) = %v, want *AlreadyExistsError", err)
	}
}
