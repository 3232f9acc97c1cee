package companion

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ecr/ecrfake"
)

type fakeStacks struct {
	st   *cfn.Stack
	body string
}

func (f fakeStacks) Describe(context.Context, string) (*cfn.Stack, error) {
	if f.st == nil {
		return nil, &cfn.StackNotFoundError{}
	}
	return f.st, nil
}
func (f fakeStacks) Template(context.Context, string) (string, error) { return f.body, nil }
func (f fakeStacks) WaitWhileInProgress(_ context.Context, st *cfn.Stack, _ func(string)) (*cfn.Stack, error) {
	return st, nil
}

// quiet hears nothing.
type quiet struct{}

func (quiet) CompanionWaiting(string, string)    {}
func (quiet) CompanionRecreating(string, string) {}
func (quiet) CompanionCreating(string, int)      {}
func (quiet) CompanionUpdating(string, int)      {}
func (quiet) CompanionDeleting(string)           {}
func (quiet) CompanionAdopted(string)            {}
func (quiet) RepositoryRemoved(string, int)      {}
func (quiet) RepositoryInUse(string, string)     {}
func (quiet) RemovalDeferred(int, string)        {}

// imageCounts returns an ECR whose repositories hold that many images each.
func imageCounts(counts map[string]int) *ecr.Client {
	f := ecrfake.New()
	for repo, n := range counts {
		for i := range n {
			f.Put(repo, ecrfake.Image{Digest: fmt.Sprintf("sha256:%d", i), Tags: []string{"t", "u"}})
		}
	}
	return ecr.New(f)
}

func TestPlan(t *testing.T) {
	body := func(paths ...string) string {
		b, _ := Template(StackName("app"), repos("app", paths...), Settings{})
		return string(b)
	}
	samBody := `{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"A` + NewRepo("app", "A").LogicalID[1:] + `": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "` + NewRepo("app", "A").Name + `"}}}}`
	ok := &cfn.Stack{Name: StackName("app"), ID: "id", Status: "UPDATE_COMPLETE"}
	failed := &cfn.Stack{Name: StackName("app"), ID: "id", Status: "ROLLBACK_COMPLETE"}
	tests := map[string]struct {
		stack        *cfn.Stack
		deployed     string
		want         []string
		action       Action
		after        Action
		create, keep int
		remove       []Removal
		adopt        bool
	}{
		"first deploy":              {nil, "", []string{"A", "B"}, ActionCreate, ActionNone, 2, 0, nil, false},
		"nothing wanted, no stack":  {nil, "", nil, ActionNone, ActionNone, 0, 0, nil, false},
		"unchanged":                 {ok, body("A", "B"), []string{"B", "A"}, ActionNone, ActionNone, 0, 2, nil, false},
		"one added":                 {ok, body("A"), []string{"A", "B"}, ActionUpdate, ActionNone, 1, 1, nil, false},
		"one removed":               {ok, body("A", "B"), []string{"A"}, ActionNone, ActionUpdate, 0, 1, []Removal{{NewRepo("app", "B"), 3}}, false},
		"one added, one removed":    {ok, body("A", "B"), []string{"A", "C"}, ActionUpdate, ActionUpdate, 1, 1, []Removal{{NewRepo("app", "B"), 3}}, false},
		"all removed":               {ok, body("A"), nil, ActionNone, ActionDelete, 0, 0, []Removal{{NewRepo("app", "A"), 0}}, false},
		"failed creation":           {failed, "", []string{"A"}, ActionRecreate, ActionNone, 1, 0, nil, false},
		"failed creation, unwanted": {failed, "", nil, ActionDelete, ActionNone, 0, 0, nil, false},
		"sam stack":                 {ok, samBody, []string{"A"}, ActionNone, ActionUpdate, 0, 1, nil, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pl := &Planner{Stacks: fakeStacks{tc.stack, tc.deployed}, Images: imageCounts(map[string]int{NewRepo("app", "B").Name: 3}), Report: quiet{}}
			p, err := pl.Plan(context.Background(), "app", tc.want)
			if err != nil {
				t.Fatalf("Plan() = %v", err)
			}
			if p.Action != tc.action || p.After != tc.after || len(p.Create) != tc.create || len(p.Keep) != tc.keep || p.Adopt != tc.adopt {
				t.Errorf("Plan() = action %s after %s create %d keep %d adopt %v, want %s %s %d %d %v",
					p.Action, p.After, len(p.Create), len(p.Keep), p.Adopt, tc.action, tc.after, tc.create, tc.keep, tc.adopt)
			}
			if len(p.Remove) != len(tc.remove) {
				t.Fatalf("Plan().Remove = %+v, want %+v", p.Remove, tc.remove)
			}
			for i := range tc.remove {
				if p.Remove[i].Name != tc.remove[i].Name || p.Remove[i].Images != tc.remove[i].Images {
					t.Errorf("Plan().Remove[%d] = %+v, want %+v", i, p.Remove[i], tc.remove[i])
				}
			}
		})
	}
}

// A companion stack that holds exactly the repositories needed, with the settings asked for,
// is left as it is, in SAM CLI's form as in samship's: taking turns with sam deploy updates
// nothing. Any difference in repositories or settings updates it.
func TestPlanLeavesSettledStacks(t *testing.T) {
	ok := &cfn.Stack{Name: StackName("app"), ID: "id", Status: "UPDATE_COMPLETE"}
	samForm := func(paths ...string) string {
		body := `{"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31", "Metadata": {"SamCliInfo": "1.164.0", "key": "` + StackName("app") + `"}, "Resources": {`
		for i, p := range paths {
			r := NewRepo("app", p)
			if i > 0 {
				body += ","
			}
			body += `"` + r.LogicalID + `": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "` + r.Name + `", "Tags": [{"Key": "ManagedStackSource", "Value": "AwsSamCli"}, {"Key": "AwsSamCliCompanionStack", "Value": "` + StackName("app") + `"}], "RepositoryPolicyText": {"Version": "2012-10-17", "Statement": [{"Sid": "AllowLambdaSLR", "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}, "Action": ["ecr:GetDownloadUrlForLayer", "ecr:GetRepositoryPolicy", "ecr:BatchGetImage"]}]}}}`
		}
		return body + `}, "Outputs": {}, "Description": "AWS SAM CLI Managed ECR Repo Stack"}`
	}
	ours := func(s Settings, paths ...string) string {
		b, _ := Template(StackName("app"), repos("app", paths...), s)
		return string(b)
	}
	scan := Settings{ScanOnPush: true}
	tagged := Settings{Tags: []Tag{{"team", "web"}}}
	tests := map[string]struct {
		deployed string
		settings Settings
		want     []string
		after    Action
	}{
		"SAM's form, same repositories":      {samForm("A", "B"), Settings{}, []string{"A", "B"}, ActionNone},
		"SAM's form, settings asked":         {samForm("A", "B"), scan, []string{"A", "B"}, ActionUpdate},
		"SAM's form, one removed":            {samForm("A", "B"), Settings{}, []string{"A"}, ActionUpdate},
		"samship's form, same settings":      {ours(scan, "A"), scan, []string{"A"}, ActionNone},
		"samship's form, settings dropped":   {ours(scan, "A"), Settings{}, []string{"A"}, ActionUpdate},
		"samship's form, tag changed":        {ours(tagged, "A"), Settings{Tags: []Tag{{"team", "api"}}}, []string{"A"}, ActionUpdate},
		"samship's form, mutable said again": {ours(Settings{}, "A"), Settings{TagMutability: "MUTABLE"}, []string{"A"}, ActionNone},
		"samship's form, immutable asked":    {ours(Settings{}, "A"), Settings{TagMutability: "IMMUTABLE"}, []string{"A"}, ActionUpdate},
		"another stack's tag":                {strings.ReplaceAll(samForm("A"), `"Value": "`+StackName("app")+`"}]`, `"Value": "other"}]`), Settings{}, []string{"A"}, ActionUpdate},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pl := &Planner{Stacks: fakeStacks{ok, tc.deployed}, Images: imageCounts(nil), Report: quiet{}, Settings: tc.settings}
			p, err := pl.Plan(context.Background(), "app", tc.want)
			if err != nil {
				t.Fatalf("Plan() = %v", err)
			}
			if p.Action != ActionNone || p.After != tc.after {
				t.Errorf("Plan() = action %s, after %s; want none, %s", p.Action, p.After, tc.after)
			}
		})
	}
}

// A repository SAM CLI made for a function samship pushes nothing for (an ImageUri that is an
// ECR URI only with the overrides given) is kept while the stack has it, and never created.
func TestPlanKeepsSpareRepositories(t *testing.T) {
	ok := &cfn.Stack{Name: StackName("app"), ID: "id", Status: "UPDATE_COMPLETE"}
	body := func(paths ...string) string {
		b, _ := Template(StackName("app"), repos("app", paths...), Settings{})
		return string(b)
	}
	tests := map[string]struct {
		deployed     string
		want, spare  []string
		keep, remove int
		after        Action
	}{
		"spare deployed":           {body("A", "P"), []string{"A"}, []string{"P"}, 2, 0, ActionNone},
		"spare not deployed":       {body("A"), []string{"A"}, []string{"P"}, 1, 0, ActionNone},
		"not spare any more":       {body("A", "P"), []string{"A"}, nil, 1, 1, ActionUpdate},
		"only a spare one":         {body("P"), nil, []string{"P"}, 1, 0, ActionNone},
		"spare and needed at once": {body("A"), []string{"A"}, []string{"A"}, 1, 0, ActionNone},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			pl := &Planner{Stacks: fakeStacks{ok, tc.deployed}, Images: imageCounts(nil), Report: quiet{}, Spare: tc.spare}
			p, err := pl.Plan(context.Background(), "app", tc.want)
			if err != nil {
				t.Fatalf("Plan() = %v", err)
			}
			if len(p.Create) != 0 || len(p.Keep) != tc.keep || len(p.Remove) != tc.remove || p.After != tc.after {
				t.Errorf("Plan() = create %d keep %d remove %d after %s; want 0 %d %d %s", len(p.Create), len(p.Keep), len(p.Remove), p.After, tc.keep, tc.remove, tc.after)
			}
		})
	}
}
