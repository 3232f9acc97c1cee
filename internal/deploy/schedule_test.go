package deploy_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/samship/samship/internal/artifacts"
	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/cfn/cfnfake"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/deploy"
)

// TestNoBucketForImageOnlyApp: --resolve-s3 makes the managed bucket stack only when
// something must go to S3; an image-only template deployed inline needs none.
func TestNoBucketForImageOnlyApp(t *testing.T) {
	h := newHarness(t)
	o := deploy.Options{TemplateFile: h.template(t, 2), StackName: "app", ResolveImageRepos: true, ResolveS3: true, FailOnEmptyChangeset: true}
	if err := h.runWith(t, o, nil); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if h.cfn.Called("CreateStack "+artifacts.ManagedStackName) || h.cfn.Called("DescribeStacks "+artifacts.ManagedStackName) {
		t.Errorf("calls %v: the managed bucket was looked up or made with nothing to upload", h.cfn.Calls)
	}
	if !strings.Contains(h.stderr.String(), "Deployment s3 bucket         : None") {
		t.Errorf("summary does not say no bucket:\n%s", h.stderr.String())
	}
}

// holdCompanion holds the companion stack's creation until a change set was asked for.
type holdCompanion struct {
	*cfnfake.CFN
	made chan struct{}
	t    *testing.T
}

func (h holdCompanion) CreateChangeSet(ctx context.Context, in *cloudformation.CreateChangeSetInput, o ...func(*cloudformation.Options)) (*cloudformation.CreateChangeSetOutput, error) {
	close(h.made)
	return h.CFN.CreateChangeSet(ctx, in, o...)
}

func (h holdCompanion) CreateStack(ctx context.Context, in *cloudformation.CreateStackInput, o ...func(*cloudformation.Options)) (*cloudformation.CreateStackOutput, error) {
	if aws.ToString(in.StackName) == companion.StackName("app") {
		select {
		case <-h.made:
		case <-time.After(5 * time.Second):
			h.t.Error("the change set was not asked for while the companion stack was being created")
		}
	}
	return h.CFN.CreateStack(ctx, in, o...)
}

// TestChangeSetWhileCompanionCreates: the change set is made while the companion stack is
// being created, not after: the companion's creation is held until the change set is asked
// for, which one after the other would never happen.
func TestChangeSetWhileCompanionCreates(t *testing.T) {
	h := newHarness(t)
	o := deploy.Options{TemplateFile: h.template(t, 2), StackName: "app", ResolveImageRepos: true, FailOnEmptyChangeset: true}
	err := h.runWith(t, o, func(e *deploy.Env) {
		poll := cfn.Poller{First: time.Millisecond, Cap: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }}
		e.CFN = cfn.New(holdCompanion{CFN: h.cfn, made: make(chan struct{}), t: t}, poll)
	})
	if err != nil {
		t.Fatalf("Run() = %v", err)
	}
}

// TestFailedPushAbandonsChangeSet: when a push fails, the change set made meanwhile is
// deleted, with the empty stack it made for the new application; nothing is executed.
func TestFailedPushAbandonsChangeSet(t *testing.T) {
	access := registryFor(t, func(reg http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
				http.Error(w, `{"errors":[{"code":"DENIED","message":"no"}]}`, http.StatusForbidden)
				return
			}
			reg.ServeHTTP(w, r)
		})
	})
	h := newHarness(t)
	tpl := h.imageApp(t)
	o := deploy.Options{TemplateFile: tpl, StackName: "app", ResolveImageRepos: true, FailOnEmptyChangeset: true}
	err := h.runWith(t, o, func(e *deploy.Env) {
		e.Registry = access
	})
	if err == nil || !strings.Contains(err.Error(), "push image of function Fn") {
		t.Fatalf("Run() = %v, want the push's failure", err)
	}
	if h.cfn.Called("ExecuteChangeSet") || h.cfn.Stacks["app"] != nil {
		t.Errorf("calls %v: want no execution and the empty stack gone", h.cfn.Calls)
	}
	if !strings.Contains(h.stderr.String(), "Deleted the change set and the empty stack app it created: nothing was deployed") {
		t.Errorf("output lacks the clean-up line:\n%s", h.stderr.String())
	}
}

// TestConfirmWhilePushing: with --confirm-changeset the question comes as soon as the change
// set is ready, while an image is still being pushed (its manifest is held until the answer);
// the change set executes only after the push is done.
func TestConfirmWhilePushing(t *testing.T) {
	answered := make(chan struct{})
	access := registryFor(t, func(reg http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
				select {
				case <-answered:
				case <-time.After(5 * time.Second):
					t.Error("the question did not come while the image was being pushed")
				}
			}
			reg.ServeHTTP(w, r)
		})
	})
	h := newHarness(t)
	tpl := h.imageApp(t)
	o := deploy.Options{TemplateFile: tpl, StackName: "app", ResolveImageRepos: true, FailOnEmptyChangeset: true, ConfirmChangeset: true}
	err := h.runWith(t, o, func(e *deploy.Env) {
		e.Registry = access
		e.Confirm = func(context.Context, string, bool) (bool, error) {
			if h.cfn.Called("ExecuteChangeSet") {
				t.Error("executed before the answer")
			}
			close(answered)
			return true, nil
		}
	})
	if err != nil {
		t.Fatalf("Run() = %v", err)
	}
	out := h.stderr.String()
	if !h.cfn.Called("ExecuteChangeSet") || strings.Index(out, "Images: 1 pushed") < strings.Index(out, "Previewing CloudFormation changeset") {
		t.Errorf("calls %v; want the change set executed after the push, which ends after the question:\n%s", h.cfn.Calls, out)
	}
}

// TestInterruptSaysWhatItLeft: an interrupted deploy says whether anything was deployed.
func TestInterruptSaysWhatItLeft(t *testing.T) {
	for name, tc := range map[string]struct {
		at, want string
	}{
		"before the change set executes": {at: "CreateChangeSet", want: "interrupted: nothing was deployed"},
		"after it executed":              {at: "ExecuteChangeSet", want: "interrupted: the change set was executed; CloudFormation goes on with stack app"},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			h.cfn.Before = func(op string) {
				if strings.HasPrefix(op, tc.at) {
					cancel()
				}
			}
			in, err := deploy.Prepare(ctx, deploy.Options{TemplateFile: h.template(t, 1), StackName: "app", ResolveImageRepos: true, FailOnEmptyChangeset: true}, "us-east-1")
			if err != nil {
				t.Fatal(err)
			}
			env := h.env(deploy.Options{})
			env.CFN = cfn.New(h.cfn, cfn.Poller{First: time.Millisecond, Cap: time.Millisecond, Sleep: cfn.SleepContext})
			_, err = deploy.Run(ctx, in, env)
			if err == nil || err.Error() != tc.want || !errors.Is(err, context.Canceled) {
				t.Errorf("Run() = %v, want %q wrapping context.Canceled", err, tc.want)
			}
		})
	}
}
