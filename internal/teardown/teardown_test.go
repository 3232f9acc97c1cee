package teardown_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/cfn/cfnfake"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ecr/ecrfake"
	"github.com/samship/samship/internal/s3"
	"github.com/samship/samship/internal/s3/s3fake"
	"github.com/samship/samship/internal/teardown"
	"github.com/samship/samship/internal/ui"
)

const appTemplate = `Resources:
  Zip:
    Type: AWS::Lambda::Function
    Properties: {Code: {S3Bucket: bkt, S3Key: app/code1}}
  Img:
    Type: AWS::Lambda::Function
    Properties: {PackageType: Image, Code: {ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/shared:Img-0123456789ab-latest}}
  Prebuilt:
    Type: AWS::Lambda::Function
    Properties: {PackageType: Image, Code: {ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/prebuilt:fn01}}
`

// The companion stack's repositories have settings; a rewrite of its template keeps them.
const kmsKey = "arn:aws:kms:us-east-1:123456789012:key/k1"

var repoSettings = companion.Settings{ScanOnPush: true, TagMutability: "IMMUTABLE", Tags: []companion.Tag{{Key: "team", Value: "web"}}}

type setup struct {
	cfn     *cfnfake.CFN
	ecr     *ecrfake.ECR
	s3      *s3fake.S3
	log     []string // every deletion in ECR and S3, in order
	answers []bool
	asked   []string
	out     strings.Builder
	res     *teardown.Result // the last run's
}

func newSetup(t *testing.T, answers ...bool) *setup {
	t.Helper()
	s := &setup{cfn: cfnfake.New(), answers: answers, ecr: ecrfake.New(), s3: s3fake.New("bkt")}
	s.s3.Buckets["bkt"]["app/code1"], s.s3.Buckets["bkt"]["app/other"] = s3fake.Object{}, s3fake.Object{}
	s.ecr.Put("shared", ecrfake.Image{Digest: "sha256:3", Tags: []string{"Img-0123456789ab-latest"}})
	s.ecr.Put("team/prebuilt", ecrfake.Image{Digest: "sha256:4", Tags: []string{"fn01"}})
	s.ecr.Before = func(op string) {
		if repo, ok := strings.CutPrefix(op, "BatchDeleteImage "); ok {
			s.log = append(s.log, "delete images of "+repo)
		}
	}
	s.s3.Before = func(op string) {
		if key, ok := strings.CutPrefix(op, "DeleteObject "); ok {
			s.log = append(s.log, "delete object "+key)
		}
	}
	s.cfn.Seed("app", "UPDATE_COMPLETE", appTemplate)
	repos := []companion.Repo{companion.NewRepo("app", "Fn1"), companion.NewRepo("app", "Fn2")}
	for i := range repos {
		repos[i].Encryption = companion.Encryption{KMS: true, Key: kmsKey}
	}
	body, err := companion.Template(companion.StackName("app"), repos, repoSettings)
	if err != nil {
		t.Fatal(err)
	}
	s.cfn.Seed(companion.StackName("app"), "UPDATE_COMPLETE", string(body))
	for _, r := range repos {
		s.ecr.Put(r.Name, ecrfake.Image{Digest: "sha256:1", Tags: []string{"v1"}})
	}
	return s
}

func (s *setup) run(in teardown.Input) error {
	poll := cfn.Poller{First: time.Millisecond, Cap: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }}
	var err error
	s.res, err = teardown.Run(context.Background(), in, teardown.Env{Stacks: cfn.New(s.cfn, poll), Images: ecr.New(s.ecr), Objects: s3.New(s.s3),
		Region: "us-east-1", UI: &ui.Reporter{Out: io.Discard, Err: &s.out, Width: 100}, Confirm: func(_ context.Context, q string, def bool) (bool, error) {
			s.asked = append(s.asked, q)
			if len(s.answers) == 0 {
				return false, errors.New("no more answers")
			}
			a := s.answers[0]
			s.answers = s.answers[1:]
			return a, nil
		}})
	return err
}

// TestDeleteOrder deletes everything: the application stack first, then the images its
// functions use, the companion stack's repositories and the stack, then the artifacts.
func TestDeleteOrder(t *testing.T) {
	s := newSetup(t)
	if err := s.run(teardown.Input{StackName: "app", NoPrompts: true}); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if s.cfn.Stacks["app"] != nil || s.cfn.Stacks[companion.StackName("app")] != nil {
		t.Errorf("stacks left: %v", s.cfn.Calls)
	}
	want := []string{"delete images of shared", "delete images of " + companion.NewRepo("app", "Fn1").Name,
		"delete images of " + companion.NewRepo("app", "Fn2").Name, "delete object app/code1", "delete object app/other"}
	if !slices.Equal(s.log, want) {
		t.Errorf("changes %v, want %v", s.log, want)
	}
	if len(s.ecr.Images("shared")) != 0 || len(s.ecr.Images("team/prebuilt")) != 1 {
		t.Errorf("images left: shared %v, team/prebuilt %v; want the pushed one deleted, the prebuilt one kept", s.ecr.Images("shared"), s.ecr.Images("team/prebuilt"))
	}
	if i, j := slices.Index(s.cfn.Calls, "DeleteStack "+s.cfnID("app")), slices.Index(s.cfn.Calls, "DeleteStack "+s.cfnID(companion.StackName("app"))); i < 0 || j < i {
		t.Errorf("calls %v: want the application stack deleted before the companion stack", s.cfn.Calls)
	}
	if !strings.HasSuffix(s.out.String(), "\nDeleted successfully\n") {
		t.Errorf("output:\n%s", s.out.String())
	}
	// An image neither samship nor SAM CLI pushed (no push-scheme tag) is someone else's.
	if !strings.Contains(s.out.String(), "\t- Keeping ECR image fn01 in repository team/prebuilt: not pushed by samship or SAM CLI\n") {
		t.Errorf("output lacks the kept prebuilt image:\n%s", s.out.String())
	}
}

// cfnID returns the id the fake gave a stack (deleted stacks keep it in the calls only).
func (s *setup) cfnID(name string) string {
	for _, c := range s.cfn.Calls {
		if id, ok := strings.CutPrefix(c, "DeleteStack "); ok && strings.Contains(id, "/"+name+"/") {
			return id
		}
	}
	return "?"
}

func TestDeleteAnswers(t *testing.T) {
	fn2 := companion.NewRepo("app", "Fn2").Name
	for name, tc := range map[string]struct {
		answers []bool
		check   func(t *testing.T, s *setup, err error)
	}{
		"declined": {answers: []bool{false}, check: func(t *testing.T, s *setup, err error) {
			if err != nil || len(s.log) > 0 || s.cfn.Called("DeleteStack") || s.cfn.Called("DescribeStacks") {
				t.Errorf("Run() = %v; changes %v, calls %v: want nothing looked at or deleted", err, s.log, s.cfn.Calls)
			}
		}},
		// stack, folder app, companion, repo Fn1, repo Fn2
		"one repository kept": {answers: []bool{true, false, false, true, true, false}, check: func(t *testing.T, s *setup, err error) {
			if err != nil {
				t.Fatalf("Run() = %v", err)
			}
			comp := s.cfn.Stacks[companion.StackName("app")]
			if comp == nil || !strings.Contains(comp.Template, fn2) || strings.Contains(comp.Template, companion.NewRepo("app", "Fn1").Name) {
				t.Errorf("companion stack %v: want it updated to hold only %s", comp, fn2)
			}
			for _, setting := range []string{`"ImageTagMutability":"IMMUTABLE"`, `"ScanOnPush":true`, `{"Key":"team","Value":"web"}`, `"KmsKey":"` + kmsKey + `"`} {
				if !strings.Contains(comp.Template, setting) {
					t.Errorf("the companion template lost %s:\n%s", setting, comp.Template)
				}
			}
			// The stack's own artifacts go (as in SAM CLI); the rest of the folder stays.
			if len(s.ecr.Images(fn2)) != 1 || !slices.Contains(s.log, "delete object app/code1") || slices.Contains(s.log, "delete object app/other") {
				t.Errorf("changes %v: want %s's images and the other objects of the folder kept", s.log, fn2)
			}
			if !strings.Contains(s.out.String(), "Keeping ECR Companion Stack "+companion.StackName("app")+" with 1 repository") {
				t.Errorf("output:\n%s", s.out.String())
			}
		}},
		// stack, folder app, template file, companion
		"companion kept": {answers: []bool{true, false, false, false}, check: func(t *testing.T, s *setup, err error) {
			fn1 := companion.NewRepo("app", "Fn1").Name
			if err != nil || s.cfn.Stacks[companion.StackName("app")] == nil || len(s.ecr.Images(fn1)) != 1 || !slices.Contains(s.log, "delete images of shared") {
				t.Errorf("Run() = %v; changes %v: want the companion stack and the image in %s kept, the one in shared deleted", err, s.log, fn1)
			}
		}},
		"termination protection": {answers: []bool{true}, check: func(t *testing.T, s *setup, err error) {
			if err == nil || err.Error() != "Stack app cannot be deleted while TerminationProtection is enabled." || s.cfn.Called("DeleteStack") {
				t.Errorf("Run() = %v, calls %v", err, s.cfn.Calls)
			}
		}},
		"application stack fails to delete": {answers: []bool{true, true, true, true, true}, check: func(t *testing.T, s *setup, err error) {
			var sf *cfn.StackFailedError
			if !errors.As(err, &sf) || len(s.log) > 0 || s.cfn.Stacks[companion.StackName("app")] == nil {
				t.Errorf("Run() = %v; changes %v: want nothing else deleted", err, s.log)
			}
		}},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSetup(t, tc.answers...)
			switch name {
			case "companion kept": // a function uses an image of the companion stack
				s.cfn.Stacks["app"].Template += "  Own:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image, Code: {ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/" +
					companion.NewRepo("app", "Fn1").Name + ":Fn1-0123456789ab-latest}}\n"
			case "termination protection":
				s.cfn.Stacks["app"].TerminationProtection = true
			case "application stack fails to delete":
				s.cfn.Fail["app"] = cfnfake.Failure{LogicalID: "Bucket", Type: "AWS::S3::Bucket", Reason: "The bucket you tried to delete is not empty"}
			}
			tc.check(t, s, s.run(teardown.Input{StackName: "app"}))
		})
	}
}

// TestOwnRepositories asks about the stack's own ECR repositories: one to delete is emptied
// before the stack goes (CloudFormation deletes only empty ones), one to keep is retained
// when the deletion fails on it.
func TestOwnRepositories(t *testing.T) {
	for name, keep := range map[string]bool{"deleted": false, "kept": true} {
		t.Run(name, func(t *testing.T) {
			// stack, folder app, template file, repository Store, companion
			s := newSetup(t, true, false, false, !keep, false)
			st := s.cfn.Stacks["app"]
			st.Template += "  Store:\n    Type: AWS::ECR::Repository\n  Kept:\n    Type: AWS::ECR::Repository\n    DeletionPolicy: Retain\n"
			st.Resources = map[string]string{"Store": "store-repo", "Kept": "kept-repo"}
			s.ecr.Put("store-repo", ecrfake.Image{Digest: "sha256:2"})
			if keep {
				s.cfn.Fail["app"] = cfnfake.Failure{LogicalID: "Store", Type: "AWS::ECR::Repository", Reason: "The repository cannot be deleted because it still contains images"}
			}
			if err := s.run(teardown.Input{StackName: "app"}); err != nil {
				t.Fatalf("Run() = %v", err)
			}
			if !slices.Contains(s.asked, "\tECR repository store-repo may not be empty. Do you want to delete the repository and all the images in it ?") || len(s.asked) != 5 {
				t.Errorf("asked %q", s.asked)
			}
			emptied := len(s.log) > 0 && s.log[0] == "delete images of store-repo"
			retained := s.cfn.Called("DeleteStack " + st.ID + " retain Store")
			if emptied == keep || retained != keep || s.cfn.Stacks["app"] != nil {
				t.Errorf("emptied %v, retained %v; calls %v", emptied, retained, s.cfn.Calls)
			}
		})
	}
}

// TestDeleteMissingStack reports a stack that does not exist and is not an error.
func TestDeleteMissingStack(t *testing.T) {
	s := newSetup(t)
	if err := s.run(teardown.Input{StackName: "gone", NoPrompts: true}); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if got := s.out.String(); got != "Error: The input stack gone does not exist on Cloudformation in the region us-east-1\n" {
		t.Errorf("output %q", got)
	}
}

// TestBucketWarning: the warning that the artifacts' bucket is unknown comes only for a stack
// that has something in S3 (a template too large to have been deployed inline).
func TestBucketWarning(t *testing.T) {
	for name, tc := range map[string]struct {
		body string
		want bool
	}{
		"images only, inline": {body: "Resources:\n  T: {Type: AWS::SNS::Topic}\n", want: false},
		"template from S3":    {body: "Resources:\n  T: {Type: AWS::SNS::Topic, Properties: {DisplayName: " + strings.Repeat("x", 52000) + "}}\n", want: true},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSetup(t)
			s.cfn.Stacks["app"].Template = tc.body
			if err := s.run(teardown.Input{StackName: "app", NoPrompts: true}); err != nil {
				t.Fatalf("Run() = %v", err)
			}
			if got := strings.Contains(s.out.String(), "Cannot resolve s3 bucket information"); got != tc.want {
				t.Errorf("warning %v, want %v:\n%s", got, tc.want, s.out.String())
			}
		})
	}
}

// TestDeleteNestedArtifacts deletes what nested stacks were packaged with too: their templates
// are read from S3 (named on a local endpoint as SAM CLI names them there, or on S3's global
// one), and their code and their own children's templates go. Objects outside the artifacts
// bucket are kept, and said so.
func TestDeleteNestedArtifacts(t *testing.T) {
	s := newSetup(t)
	s.cfn.Seed("nest", "UPDATE_COMPLETE", `Resources:
  Child:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: http://127.0.0.1:4566/bkt/child.template}
  Lib:
    Type: AWS::Lambda::LayerVersion
    Properties: {Content: {S3Bucket: shared-code, S3Key: lib.zip}}
`)
	b := s.s3.Buckets["bkt"]
	b["child.template"] = s3fake.Object{Body: []byte("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {Code: {S3Bucket: bkt, S3Key: code2}}\n  Grand:\n    Type: AWS::CloudFormation::Stack\n    Properties: {TemplateURL: https://s3.amazonaws.com/bkt/grand.template}\n")}
	b["grand.template"] = s3fake.Object{Body: []byte("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: s3://bkt/code3}\n  Again:\n    Type: AWS::CloudFormation::Stack\n    Properties: {TemplateURL: https://s3.amazonaws.com/bkt/child.template}\n")}
	b["code2"], b["code3"], b["unrelated"] = s3fake.Object{}, s3fake.Object{}, s3fake.Object{}
	poll := cfn.Poller{First: time.Millisecond, Cap: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }}
	res, err := teardown.Run(context.Background(), teardown.Input{StackName: "nest", NoPrompts: true}, teardown.Env{Stacks: cfn.New(s.cfn, poll), Images: ecr.New(s.ecr),
		Objects: s3.New(s.s3), S3Endpoint: "http://127.0.0.1:4566", Region: "us-east-1", UI: &ui.Reporter{Out: io.Discard, Err: &s.out, Width: 100}})
	if err != nil {
		t.Fatalf("Run() = %v", err)
	}
	want := []string{"delete object child.template", "delete object code2", "delete object grand.template", "delete object code3"}
	if !slices.Equal(s.log, want) {
		t.Errorf("changes %v, want %v", s.log, want)
	}
	if n := strings.Count(strings.Join(s.s3.Calls, "\n"), "GetObject child.template"); n != 1 {
		t.Errorf("child.template read %d times, want once", n)
	}
	if _, ok := s.s3.Object("bkt", "unrelated"); !ok {
		t.Error("an object the stack does not name was deleted")
	}
	if !strings.Contains(s.out.String(), "\t- Keeping S3 object s3://shared-code/lib.zip: not in the artifacts bucket bkt\n") {
		t.Errorf("output lacks the kept object:\n%s", s.out.String())
	}
	wantNested := []teardown.Object{{Bucket: "bkt", Key: "child.template"}, {Bucket: "bkt", Key: "grand.template"}}
	if !slices.Equal(res.NestedTemplates, wantNested) || !slices.Equal(res.ObjectsKept, []teardown.Object{{Bucket: "shared-code", Key: "lib.zip"}}) {
		t.Errorf("Run() read nested templates %v and kept %v, want %v and shared-code/lib.zip", res.NestedTemplates, res.ObjectsKept, wantNested)
	}
}
