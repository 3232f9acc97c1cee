package companion

import (
	"context"
	"fmt"
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
