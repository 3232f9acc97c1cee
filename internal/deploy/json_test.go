package deploy_test

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/samship/samship/internal/cfn/cfnfake"
	"github.com/samship/samship/internal/deploy"
	"github.com/samship/samship/internal/output"
	"github.com/samship/samship/internal/testenv/golden"
)

// TestJSONLines runs deploys with --output json's writer and compares the records with the
// golden files in testdata/json: SAM CLI's record types (changeset, event, outputs, info,
// warning, result) and samship's (plan, push), for a deploy that succeeds, one with nothing
// to change, a change set that fails and a stack that rolls back.
func TestJSONLines(t *testing.T) {
	tests := map[string]struct {
		// setup seeds the fakes before the deploy.
		setup func(h *harness)
		// twice deploys twice, and compares the second.
		twice bool
		// prebuilt deploys functions whose images are in ECR already: nothing is pushed (a
		// push would race with the change set's failure, which cancels it).
		prebuilt bool
	}{
		"success":    {},
		"no changes": {twice: true},
		"failed change set": {prebuilt: true, setup: func(h *harness) {
			h.cfn.FailChangeSet["app"] = "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification document."
		}},
		"rolled back": {setup: func(h *harness) {
			h.cfn.Fail["app"] = cfnfake.Failure{LogicalID: "Fn", Type: "AWS::Lambda::Function", Reason: "Source image does not exist"}
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			access := registryFor(t, nil)
			h := newHarness(t)
			main := h.cfn.Seed("app", "UPDATE_COMPLETE", "old")
			main.Outputs = []cfntypes.Output{
				{OutputKey: aws.String("FnArn"), OutputValue: aws.String("arn:aws:lambda:us-east-1:123456789012:function:app-Fn-YCULGLIELAKY")},
				{OutputKey: aws.String("Api"), Description: aws.String("API endpoint"), OutputValue: aws.String("https://x.execute-api.us-east-1.amazonaws.com/")},
			}
			if tc.setup != nil {
				tc.setup(h)
			}
			tpl := h.imageApp(t)
			if tc.prebuilt {
				tpl = h.template(t, 1)
			}
			o := deploy.Options{TemplateFile: tpl, StackName: "app", ResolveImageRepos: true, PollCap: time.Second}
			var lines bytes.Buffer
			for range 1 + btoi(tc.twice) {
				lines.Reset()
				j := output.NewJSON(&lines)
				in, err := deploy.Prepare(t.Context(), o, "us-east-1")
				if err != nil {
					t.Fatal(err)
				}
				env := h.env(o)
				env.UI, env.Registry = j, access
				res, err := deploy.Run(t.Context(), in, env)
				msg := ""
				if err != nil {
					msg = err.Error()
				}
				j.DeployResult(res, err, msg)
			}
			golden.Check(t, filepath.Join("testdata", "json", strings.ReplaceAll(name, " ", "_")+".jsonl"), stable(lines.Bytes()))
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stable blanks what differs between runs: the image's hash in its tag, its manifest's digest
// and the bytes sent (of a random layer).
func stable(b []byte) []byte {
	b = regexp.MustCompile(`sha256:[0-9a-f]{64}`).ReplaceAll(b, []byte("sha256:<digest>"))
	b = regexp.MustCompile(`-[0-9a-f]{12}\b`).ReplaceAll(b, []byte("-<hash>"))
	return regexp.MustCompile(`"bytes_sent":[1-9][0-9]*`).ReplaceAll(b, []byte(`"bytes_sent":"<some>"`))
}
