package deploy_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/cfn/cfnfake"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ecr/ecrfake"
	"github.com/samship/samship/internal/template"
	"github.com/samship/samship/internal/testenv"
	"github.com/samship/samship/internal/ui"
)

// deleted lists the repositories images were deleted from, in order.
func deleted(f *ecrfake.ECR) []string {
	var out []string
	for _, c := range f.Calls {
		if repo, ok := strings.CutPrefix(c, "BatchDeleteImage "); ok {
			out = append(out, repo)
		}
	}
	return out
}

type harness struct {
	cfn    *cfnfake.CFN
	ecr    *ecrfake.ECR
	stderr strings.Builder
	out    io.Writer // stdout; the progress stream when nil
	dir    string
}

func newHarness(t *testing.T) *harness {
	h := &harness{cfn: cfnfake.New(), ecr: ecrfake.New(), dir: t.TempDir()}
	return h
}

// template writes a template with n image functions and returns its path.
func (h *harness) template(t *testing.T, n int) string {
	p := filepath.Join(h.dir, "t"+string(rune('0'+n))+".yaml")
	if err := os.WriteFile(p, []byte(testenv.ImageTemplate(n, 0)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// asDeployed is body as samship deploys it: with SAM CLI's SamResourceId on each resource.
func asDeployed(t *testing.T, body string) string {
	tpl, err := template.Parse("t.yaml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	edits, err := tpl.ResourceIDEdits()
	if err != nil {
		t.Fatal(err)
	}
	out, err := tpl.Apply(edits)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// seedCompanion deploys a companion stack for the first n functions of "app".
func (h *harness) seedCompanion(t *testing.T, status string, n int) *cfnfake.Stack {
	var repos []companion.Repo
	for i := 1; i <= n; i++ {
		repos = append(repos, companion.NewRepo("app", fnName(i)))
	}
	body, err := companion.Template(companion.StackName("app"), companion.Dedupe(repos), companion.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	return h.cfn.Seed(companion.StackName("app"), status, string(body))
}

func fnName(i int) string { return "Fn00" + string(rune('0'+i)) }

func (h *harness) run(t *testing.T, tpl string) error {
	t.Helper()
	return h.runWith(t, deploy.Options{TemplateFile: tpl, StackName: "app", ResolveImageRepos: true, FailOnEmptyChangeset: true, PollCap: time.Second}, nil)
}

// env is the harness's environment for options o.
func (h *harness) env(o deploy.Options) deploy.Env {
	if h.out == nil {
		h.out = &h.stderr
	}
	poll := cfn.Poller{First: time.Millisecond, Cap: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }}
	stacks := cfn.New(h.cfn, poll)
	stacks.Express = o.Express // as the command line builds it: the helper stacks in the main stack's mode
	return deploy.Env{
		CFN: stacks, Images: ecr.New(h.ecr), Region: "us-east-1",
		Account:    func(context.Context) (string, error) { return "123456789012", nil },
		SetAccount: func(string) {}, UI: &ui.Reporter{Out: h.out, Err: &h.stderr, Width: 100},
		Confirm: func(context.Context, string, bool) (bool, error) { return true, nil },
		Now:     func() time.Time { return time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC) },
	}
}

// runWith deploys with o, after adjust (when set) has changed the environment.
func (h *harness) runWith(t *testing.T, o deploy.Options, adjust func(*deploy.Env)) error {
	t.Helper()
	in, err := deploy.Prepare(context.Background(), o, "us-east-1")
	if err != nil {
		t.Fatalf("Prepare() = %v", err)
	}
	if h.out == nil {
		h.out = &h.stderr
	}
	env := h.env(o)
	if adjust != nil {
		adjust(&env)
	}
	_, err = deploy.Run(context.Background(), in, env)
	return err
}

func TestNoRemovalAfterFailedDeploy(t *testing.T) {
	h := newHarness(t)
	h.seedCompanion(t, "UPDATE_COMPLETE", 3)
	h.cfn.Seed("app", "UPDATE_COMPLETE", "old")
	removed := companion.NewRepo("app", "Fn003").Name
	h.ecr.Put(removed, ecrfake.Image{Digest: "sha256:1", Tags: []string{"v1"}})
	h.cfn.Fail["app"] = cfnfake.Failure{LogicalID: "Fn001", Type: "AWS::Lambda::Function", Reason: "Source image does not exist"}

	err := h.run(t, h.template(t, 2))

	var sf *cfn.StackFailedError
	if !errors.As(err, &sf) || err.Error() != "stack app ended in UPDATE_ROLLBACK_COMPLETE: Fn001 (AWS::Lambda::Function) UPDATE_FAILED: Source image does not exist" {
		t.Fatalf("Run() error = %v, want the first failed event", err)
	}
	if len(deleted(h.ecr)) > 0 || h.cfn.Called("UpdateStack") {
		t.Errorf("Run() removed repositories after a failed deploy: deleted %v, calls %v", deleted(h.ecr), h.cfn.Calls)
	}
	if !strings.Contains(h.stderr.String(), "Kept 1 unreferenced repository: the deploy did not succeed") {
		t.Errorf("Run() output lacks the kept note:\n%s", h.stderr.String())
	}
	if len(h.ecr.Images(removed)) != 1 {
		t.Errorf("images of %s = %v, want kept", removed, h.ecr.Images(removed))
	}
}

func TestRemovalAfterSuccessfulDeploy(t *testing.T) {
	h := newHarness(t)
	h.seedCompanion(t, "UPDATE_COMPLETE", 3)
	h.cfn.Seed("app", "UPDATE_COMPLETE", "old")
	removed := companion.NewRepo("app", "Fn003").Name
	h.ecr.Put(removed, ecrfake.Image{Digest: "sha256:1", Tags: []string{"v1"}}, ecrfake.Image{Digest: "sha256:2"})

	if err := h.run(t, h.template(t, 2)); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	// The repository is emptied after the main stack executed, then the companion updated.
	order := strings.Join(h.cfn.Calls, "\n")
	exec, upd := strings.Index(order, "ExecuteChangeSet"), strings.Index(order, "UpdateStack "+companion.StackName("app"))
	if exec < 0 || upd < exec {
		t.Errorf("calls = %v, want the companion update after the main execution", h.cfn.Calls)
	}
	if len(deleted(h.ecr)) != 1 || deleted(h.ecr)[0] != removed {
		t.Errorf("deleted = %v, want %s", deleted(h.ecr), removed)
	}
	if !strings.Contains(h.stderr.String(), "Removing repository "+removed+" (function removed; 2 images deleted)") {
		t.Errorf("output lacks the removal line:\n%s", h.stderr.String())
	}
}

func TestCompanionInRollbackCompleteIsRecreated(t *testing.T) {
	h := newHarness(t)
	old := h.seedCompanion(t, "ROLLBACK_COMPLETE", 1)
	if err := h.run(t, h.template(t, 2)); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	out := h.stderr.String()
	if !strings.Contains(out, "(to recreate)") || !strings.Contains(out, "is ROLLBACK_COMPLETE after a failed creation and holds no repositories: deleting it") {
		t.Errorf("output does not say the stack is recreated:\n%s", out)
	}
	st := h.cfn.Stacks[companion.StackName("app")]
	if st == nil || st.ID == old.ID || st.Status != "CREATE_COMPLETE" {
		t.Errorf("companion stack = %+v, want a new CREATE_COMPLETE stack", st)
	}
}

func TestWaitsForStackInProgress(t *testing.T) {
	h := newHarness(t)
	st := h.seedCompanion(t, "UPDATE_COMPLETE", 2)
	st.InProgressPolls, st.PendingStatus = 3, "UPDATE_IN_PROGRESS"
	main := h.cfn.Seed("app", "UPDATE_COMPLETE", "old")
	main.InProgressPolls, main.PendingStatus = 2, "UPDATE_ROLLBACK_IN_PROGRESS"
	if err := h.run(t, h.template(t, 2)); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	out := h.stderr.String()
	for _, want := range []string{
		"Companion stack app-" + strings.Split(companion.StackName("app"), "-")[1] + "-CompanionStack is UPDATE_IN_PROGRESS (another deploy?); waiting for it to finish",
		"Stack app is UPDATE_ROLLBACK_IN_PROGRESS (another deploy?); waiting for it to finish",
		"Successfully created/updated stack - app",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCompanionCreateFailureShowsReason(t *testing.T) {
	h := newHarness(t)
	h.cfn.Fail[companion.StackName("app")] = cfnfake.Failure{LogicalID: "Fn0014d3c4b48Repo", Type: "AWS::ECR::Repository", Reason: "User is not authorized to perform: ecr:CreateRepository"}
	err := h.run(t, h.template(t, 1))
	want := "stack " + companion.StackName("app") + " ended in ROLLBACK_COMPLETE: Fn0014d3c4b48Repo (AWS::ECR::Repository) CREATE_FAILED: User is not authorized to perform: ecr:CreateRepository"
	if err == nil || err.Error() != want {
		t.Fatalf("Run() error = %v, want %q", err, want)
	}
	// The change set, made meanwhile, is never executed: it goes, with the empty stack it made.
	if h.cfn.Called("ExecuteChangeSet") || !h.cfn.Called("DeleteChangeSet") || h.cfn.Stacks["app"] != nil {
		t.Errorf("after the companion stack failed: calls %v, want the change set and its empty stack deleted, nothing executed", h.cfn.Calls)
	}
	if !strings.Contains(h.stderr.String(), "Deleted the change set and the empty stack app it created: nothing was deployed") {
		t.Errorf("output lacks the clean-up line:\n%s", h.stderr.String())
	}
}

func TestUnchangedCompanionIsNotUpdated(t *testing.T) {
	h := newHarness(t)
	h.seedCompanion(t, "CREATE_COMPLETE", 2)
	tpl := h.template(t, 2)
	h.cfn.Seed("app", "UPDATE_COMPLETE", asDeployed(t, testenv.ImageTemplate(2, 0)))
	err := h.run(t, tpl)
	var empty *cfn.ChangeSetEmptyError
	if !errors.As(err, &empty) {
		t.Fatalf("Run() = %v, want ChangeSetEmptyError", err)
	}
	if h.cfn.Called("UpdateStack") || h.cfn.Called("CreateStack") {
		t.Errorf("calls = %v, want no stack operation", h.cfn.Calls)
	}
	if !h.cfn.Called("DeleteChangeSet") {
		t.Errorf("calls = %v, want the empty change set deleted", h.cfn.Calls)
	}
}

func TestOutputsTable(t *testing.T) {
	h := newHarness(t)
	main := h.cfn.Seed("app", "UPDATE_COMPLETE", "old")
	main.Outputs = []cfntypes.Output{
		{OutputKey: aws.String("HelloFunctionArn"), OutputValue: aws.String("arn:aws:lambda:us-east-1:123456789012:function:peer-app-HelloFunction-YCULGLIELAKY")},
		{OutputKey: aws.String("Api"), Description: aws.String("API endpoint"), OutputValue: aws.String("https://x.execute-api.us-east-1.amazonaws.com/")},
	}
	var out strings.Builder
	h.out = &out
	if err := h.run(t, h.template(t, 1)); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	// SAM CLI's layout (sam-cli-observed.md §7.1): labels padded to 20, wrapped at the column.
	want := `
CloudFormation outputs from deployed stack
-------------------------------------------------------------------------------------------------
Outputs                                                                                         
-------------------------------------------------------------------------------------------------
Key                 HelloFunctionArn                                                            
Description         -                                                                           
Value               arn:aws:lambda:us-east-1:123456789012:function:peer-app-HelloFunction-      
YCULGLIELAKY                                                                                    

Key                 Api                                                                         
Description         API endpoint                                                                
Value               https://x.execute-api.us-east-1.amazonaws.com/                              
-------------------------------------------------------------------------------------------------
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("outputs table mismatch (-want +got):\n%s", diff)
	}
}

// TestOnFailure checks --on-failure DELETE: a stack whose create failed is deleted, one whose
// update failed (and rolled back) is kept, and without DELETE nothing is deleted.
func TestOnFailure(t *testing.T) {
	for name, tc := range map[string]struct {
		onFailure  string
		existing   bool
		wantDelete bool
	}{
		"DELETE after a failed create":   {onFailure: "DELETE", wantDelete: true},
		"ROLLBACK after a failed create": {onFailure: "ROLLBACK"},
		"DELETE after a failed update":   {onFailure: "DELETE", existing: true},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			if tc.existing {
				h.cfn.Seed("app", "UPDATE_COMPLETE", "old")
			}
			h.cfn.Fail["app"] = cfnfake.Failure{LogicalID: "Fn001", Type: "AWS::Lambda::Function", Reason: "Source image does not exist"}
			err := h.runWith(t, deploy.Options{TemplateFile: h.template(t, 1), StackName: "app", ResolveImageRepos: true,
				FailOnEmptyChangeset: true, OnFailure: tc.onFailure}, nil)
			var sf *cfn.StackFailedError
			if !errors.As(err, &sf) {
				t.Fatalf("Run() error = %v, want the stack failure", err)
			}
			deleted := h.cfn.Called("DeleteStack")
			if deleted != tc.wantDelete || strings.Contains(h.stderr.String(), "Deleting stack app") != tc.wantDelete {
				t.Errorf("stack deleted %v, want %v; calls %v\n%s", deleted, tc.wantDelete, h.cfn.Calls, h.stderr.String())
			}
			if st := h.cfn.Stacks["app"]; tc.wantDelete && st != nil && st.Status != "DELETE_COMPLETE" {
				t.Errorf("stack status %s, want it deleted", st.Status)
			}
		})
	}
}

// TestMaxWait stops waiting for a stack that does not finish within --max-wait-duration.
func TestMaxWait(t *testing.T) {
	h := newHarness(t)
	h.cfn.Hang["app"] = true
	o := deploy.Options{TemplateFile: h.template(t, 1), StackName: "app", ResolveImageRepos: true, FailOnEmptyChangeset: true,
		MaxWait: 50 * time.Millisecond}
	err := h.runWith(t, o, func(e *deploy.Env) {
		e.CFN = cfn.New(h.cfn, cfn.Poller{First: time.Millisecond, Cap: time.Millisecond, Sleep: cfn.SleepContext})
	})
	if err == nil || err.Error() != "wait for stack app: not done after 50ms (--max-wait-duration); CloudFormation goes on with it" {
		t.Fatalf("Run() error = %v", err)
	}
}

// TestExpress deploys with --express: the change set asks for Express mode (with the rollback
// choice inside it), and so do the helper stacks' operations (SAM CLI leaves the companion
// stack standard).
func TestExpress(t *testing.T) {
	for name, disableRollback := range map[string]bool{"rollback": false, "no rollback": true} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			err := h.runWith(t, deploy.Options{TemplateFile: h.template(t, 2), StackName: "app", ResolveImageRepos: true,
				FailOnEmptyChangeset: true, Express: true, DisableRollback: disableRollback}, nil)
			if err != nil {
				t.Fatalf("Run() = %v", err)
			}
			want := "CreateChangeSet EXPRESS"
			if disableRollback {
				want += " no-rollback"
			}
			if !h.cfn.Called("CreateStack "+companion.StackName("app")+" EXPRESS") || !slices.Contains(h.cfn.Calls, want) {
				t.Errorf("calls %v, want the companion stack and %q in Express mode", h.cfn.Calls, want)
			}
			if !strings.Contains(h.stderr.String(), "Express mode: CloudFormation finished when the configuration was applied") {
				t.Errorf("no Express note:\n%s", h.stderr.String())
			}
		})
	}
}
