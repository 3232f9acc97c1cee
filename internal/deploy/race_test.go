package deploy_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/ecr/ecrfake"
)

// TestCleanUpKeepsWhatAnotherDeployUses runs deploy A, which removes Fn003, while deploy B of
// the same stack (Fn003 kept, Fn004 added) finishes at each step of A's clean-up. Whenever B
// finished (or was executing, or had a change set ready) before A's last look at the live
// stack, right before deleting, Fn003's repository and images stay; at every step, the
// repository B added stays in the companion stack. B finishing in the one call between that
// look and the deletion is what B's own check after deploying finds (TestDeployFindsItsImageGone).
// Between A's read of the companion template and its UpdateStack a window of one call also
// remains; there CloudFormation itself refuses to delete a repository that holds images (the
// companion template does not set EmptyOnDelete), so what B pushed cannot be lost.
func TestCleanUpKeepsWhatAnotherDeployUses(t *testing.T) {
	fn3, fn4 := companion.NewRepo("app", "Fn003"), companion.NewRepo("app", "Fn004")
	comp := companion.StackName("app")
	const appID = "arn:aws:cloudformation:us-east-1:123456789012:stack/app/2" // the fake's: seeded second
	tests := map[string]struct {
		step     string // B finishes just before A makes this call
		keepsFn3 bool
		// b is what B has done by then when not finished: "executing" its change set, or
		// left it "pending" (created, not executed yet).
		b string
	}{
		"before A reads the live stack":     {"DescribeStacks app", true, ""},
		"B executing when A looks":          {"DescribeStacks app", true, "executing"},
		"B's change set ready when A looks": {"ListChangeSets " + appID, true, "pending"},
		"before A lists Fn003's images":     {"ListImages " + fn3.Name, true, ""},
		// A looks again right before deleting: B finished after A's first look.
		"after A listed Fn003's images":   {"DescribeStacks app#2", true, ""},
		"before A deletes Fn003's images": {"BatchDeleteImage " + fn3.Name, false, ""},
		"before A reads the companion":    {"GetTemplate " + comp, false, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.seedCompanion(t, "UPDATE_COMPLETE", 3)
			h.cfn.Seed("app", "UPDATE_COMPLETE", "old")
			h.ecr.Put(fn3.Name, ecrfake.Image{Digest: "sha256:3", Tags: []string{"fn003-v1"}})
			var repos []companion.Repo
			for i := 1; i <= 4; i++ {
				repos = append(repos, companion.NewRepo("app", fnName(i)))
			}
			withB, err := companion.Template(comp, companion.Dedupe(repos), companion.Settings{})
			if err != nil {
				t.Fatal(err)
			}
			done := false
			seen := map[string]int{}
			deployB := func(op string) {
				seen[op]++
				if n := seen[op]; done || op != tc.step && op+"#"+strconv.Itoa(n) != tc.step {
					return
				}
				done = true
				// B's companion update and main deploy, as they leave the stacks.
				h.cfn.Stacks[comp].Template = string(withB)
				usesFn3 := "Resources:\n  Fn003:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: {ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/" + fn3.Name + ":fn003-v1}\n"
				switch tc.b {
				case "executing":
					h.cfn.Stacks["app"].Status = "UPDATE_IN_PROGRESS"
					return
				case "pending":
					h.cfn.SeedChangeSet("app", "b", usesFn3)
					return
				}
				h.cfn.Stacks["app"].Template = "Resources:\n  Fn003:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: {ImageUri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/" + fn3.Name + ":fn003-v1}\n"
			}
			// Only during A's clean-up: after A's own change set ran.
			executed := false
			h.cfn.Before = func(op string) {
				if op == "ExecuteChangeSet" {
					executed = true
				} else if executed {
					deployB(op)
				}
			}
			h.ecr.Before = func(op string) {
				if executed {
					deployB(op)
				}
			}

			if err := h.run(t, h.template(t, 2)); err != nil {
				t.Fatalf("Run() = %v", err)
			}
			if !done {
				t.Fatalf("A never made the call %q; calls %v", tc.step, h.cfn.Calls)
			}
			final := h.cfn.Stacks[comp].Template
			if !strings.Contains(final, fn4.Name) {
				t.Errorf("A removed Fn004's repository, which B added:\n%s", final)
			}
			if tc.keepsFn3 {
				if len(deleted(h.ecr)) != 0 || !strings.Contains(final, fn3.Name) {
					t.Errorf("deleted %v, companion %s: A removed Fn003's repository, which the live stack uses", deleted(h.ecr), final)
				}
				note := "Keeping repository " + fn3.Name + ": the deployed stack app uses it"
				if tc.b == "executing" {
					note = "Kept 1 unreferenced repository for the next deploy to remove: stack app is UPDATE_IN_PROGRESS: another run is changing it"
				}
				if !strings.Contains(h.stderr.String(), note) {
					t.Errorf("no note on the kept repository:\n%s", h.stderr.String())
				}
			}
		})
	}
}

// TestLostAnswersAreSuccess: AWS created the companion stack but the answer was lost, so the
// SDK's retry was told "already exists"; and the images of a removed repository were deleted
// by an attempt whose answer was lost ("ImageNotFound"). Both count as done.
func TestLostAnswersAreSuccess(t *testing.T) {
	h := newHarness(t)
	h.cfn.LoseAnswer[companion.StackName("app")] = true
	if err := h.run(t, h.template(t, 2)); err != nil {
		t.Fatalf("first deploy with a lost CreateStack answer: %v", err)
	}
	if !strings.Contains(h.cfn.Stacks[companion.StackName("app")].Template, companion.NewRepo("app", "Fn002").Name) {
		t.Errorf("companion stack lacks its repositories")
	}
	h.ecr.Put(companion.NewRepo("app", "Fn002").Name, ecrfake.Image{Digest: "sha256:2", Tags: []string{"t"}})
	h.ecr.Lost = true
	if err := h.run(t, h.template(t, 1)); err != nil {
		t.Fatalf("removal whose BatchDeleteImage answer was lost: %v", err)
	}
	if strings.Contains(h.cfn.Stacks[companion.StackName("app")].Template, companion.NewRepo("app", "Fn002").Name) {
		t.Errorf("the removed repository is still in the companion stack")
	}
}

// TestCompanionCreatedByAnotherDeploy: two first deploys at once; the second finds the
// companion stack the first created and plans again on it instead of failing.
func TestCompanionCreatedByAnotherDeploy(t *testing.T) {
	h := newHarness(t)
	comp := companion.StackName("app")
	var repos []companion.Repo
	for i := 1; i <= 2; i++ {
		repos = append(repos, companion.NewRepo("app", fnName(i)))
	}
	theirs, err := companion.Template(comp, companion.Dedupe(repos), companion.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	h.cfn.Before = func(op string) {
		if op == "CreateStack "+comp && h.cfn.Stacks[comp] == nil {
			h.cfn.Seed(comp, "CREATE_COMPLETE", string(theirs)) // the other deploy got there first
		}
	}
	if err := h.run(t, h.template(t, 3)); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	if !strings.Contains(h.stderr.String(), "was created by another deploy meanwhile; planning again on it") {
		t.Errorf("no note:\n%s", h.stderr.String())
	}
	if !strings.Contains(h.cfn.Stacks[comp].Template, companion.NewRepo("app", "Fn003").Name) {
		t.Errorf("the repository only this deploy needs was not added")
	}
}

// TestChangeSetDeletedByAnotherDeploy: another deploy of the stack executes its own change set
// while this one waits for its change set; CloudFormation deletes this one. The run fails in
// one line saying so, and does not try to delete what is gone.
func TestChangeSetDeletedByAnotherDeploy(t *testing.T) {
	h := newHarness(t)
	h.cfn.Seed("app", "UPDATE_COMPLETE", "old")
	h.cfn.Before = func(op string) {
		if op == "DescribeChangeSet" {
			h.cfn.DropChangeSets("app")
		}
	}
	err := h.run(t, h.template(t, 2))
	want := "change set arn:aws:cloudformation:us-east-1:123456789012:stack/app/1/changeSet/samship-deploy1795323600 of stack app is gone: another deploy of the stack executed its own change set meanwhile"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Run() = %v, want %q…", err, want)
	}
	if h.cfn.Called("DeleteChangeSet") || strings.Contains(h.stderr.String(), "Could not delete change set") {
		t.Errorf("tried to delete the change set that is gone: calls %v\n%s", h.cfn.Calls, h.stderr.String())
	}
}
