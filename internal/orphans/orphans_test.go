package orphans_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/cfn/cfnfake"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/ecr"
	"github.com/samship/samship/internal/ecr/ecrfake"
	"github.com/samship/samship/internal/orphans"
	"github.com/samship/samship/internal/testenv/golden"
	"github.com/samship/samship/internal/ui"
)

var now = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

type world struct {
	cfn   *cfnfake.CFN
	ecr   *ecrfake.ECR
	repos map[string][]string // repository names by companion stack
}

// companionOf seeds the companion stack of parent with one repository per function, each
// holding images, changed age ago.
func (w *world) companionOf(t *testing.T, parent string, age time.Duration, images int, fns ...string) *cfnfake.Stack {
	t.Helper()
	var repos []companion.Repo
	for _, fn := range fns {
		r := companion.NewRepo(parent, fn)
		repos = append(repos, r)
		w.repos[companion.StackName(parent)] = append(w.repos[companion.StackName(parent)], r.Name)
		w.ecr.Put(r.Name)
		for i := range images {
			w.ecr.Put(r.Name, ecrfake.Image{Digest: "sha256:" + strings.Repeat(string(rune('a'+i)), 64), Tags: []string{"t"}})
		}
	}
	body, err := companion.Template(companion.StackName(parent), repos, companion.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	s := w.cfn.Seed(companion.StackName(parent), "CREATE_COMPLETE", string(body))
	s.Description, s.Changed = companion.Description, now.Add(-age)
	return s
}

func (w *world) app(name string) {
	s := w.cfn.Seed(name, "UPDATE_COMPLETE", "Resources: {}")
	s.Changed = now.Add(-48 * time.Hour)
}

// newWorld: "gone" and "renamed-app…" (a 110-character name) lost their application
// stacks; "live" still has its; "fresh" is a companion created a minute ago (a first deploy
// under way); "busy" is being updated; "lookalike-…-CompanionStack" is someone's own stack,
// and "impostor" has the companion description but repositories tagged for another stack.
func newWorld(t *testing.T) *world {
	w := &world{cfn: cfnfake.New(), ecr: ecrfake.New(), repos: map[string][]string{}}
	w.companionOf(t, "gone", 72*time.Hour, 2, "HelloFunction", "WorldFunction")
	w.companionOf(t, longName, 72*time.Hour, 1, "Fn")
	w.companionOf(t, "live", 72*time.Hour, 3, "Fn")
	w.app("live")
	w.companionOf(t, "fresh", time.Minute, 0, "Fn")
	w.companionOf(t, "busy", 72*time.Hour, 0, "Fn").Status = "UPDATE_IN_PROGRESS"
	look := w.cfn.Seed("lookalike-0badf00d-CompanionStack", "CREATE_COMPLETE", "Resources: {}")
	look.Description, look.Changed = "my own stack", now.Add(-72*time.Hour)
	imp := w.cfn.Seed("impostor-0badf00d-CompanionStack", "CREATE_COMPLETE", w.cfn.Stacks[companion.StackName("live")].Template)
	imp.Description, imp.Changed = companion.Description, now.Add(-72*time.Hour)
	return w
}

var longName = "renamed-app-" + strings.Repeat("x", 98)

func (w *world) env(out *bytes.Buffer, answer func(q string) bool) orphans.Env {
	poll := cfn.Poller{First: time.Millisecond, Cap: time.Millisecond, Sleep: func(context.Context, time.Duration) error { return nil }}
	return orphans.Env{Stacks: cfn.New(w.cfn, poll), Images: ecr.New(w.ecr), Region: "us-east-1",
		UI: &ui.Reporter{Out: out, Err: out, Width: 100}, Now: func() time.Time { return now },
		Confirm: func(_ context.Context, q string, _ bool) (bool, error) { return answer(q), nil }}
}

var cmpSorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

func TestOrphansListing(t *testing.T) {
	w := newWorld(t)
	var out bytes.Buffer
	if _, err := orphans.Run(context.Background(), orphans.Input{MinAge: time.Hour}, w.env(&out, nil)); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/listing.golden", out.Bytes())
	if len(w.cfn.Stacks) != 8 {
		t.Errorf("a listing deleted stacks: %d left", len(w.cfn.Stacks))
	}
}

func TestOrphansDelete(t *testing.T) {
	gone, renamed := companion.StackName("gone"), companion.StackName(longName)
	tests := []struct {
		name    string
		in      orphans.Input
		answer  func(w *world, q string) bool
		deleted []string // companion stacks gone after the run
		wantOut string
	}{
		{name: "without asking", in: orphans.Input{Delete: true, NoPrompts: true, MinAge: time.Hour}, deleted: []string{gone, renamed},
			wantOut: "- Deleting ECR repository gone50c1f58b/hellofunction"},
		{name: "one of two answered yes", in: orphans.Input{Delete: true, MinAge: time.Hour},
			answer:  func(_ *world, q string) bool { return strings.Contains(q, gone) },
			deleted: []string{gone}},
		{name: "all answered no", in: orphans.Input{Delete: true, MinAge: time.Hour}, answer: func(*world, string) bool { return false }},
		{name: "an application stack created while asking", in: orphans.Input{Delete: true, MinAge: time.Hour},
			answer: func(w *world, q string) bool {
				if _, ok := w.cfn.Stacks["gone"]; !ok {
					w.app("gone") // a deploy of "gone" again, under way
				}
				return true
			},
			deleted: []string{renamed}, wantOut: "Keeping " + gone + ": since it was listed, its application stack appeared"},
		{name: "a companion stack updated while asking", in: orphans.Input{Delete: true, MinAge: time.Hour},
			answer: func(w *world, q string) bool {
				w.cfn.Stacks[gone].Changed = now.Add(-time.Second) // a deploy of "gone" again, under way
				return true
			},
			deleted: []string{renamed}, wantOut: "Keeping " + gone + ": since it was listed"},
		{name: "no minimum age: the fresh one goes too", in: orphans.Input{Delete: true, NoPrompts: true},
			deleted: []string{companion.StackName("fresh"), gone, renamed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			before := map[string]bool{}
			for name := range w.cfn.Stacks {
				before[name] = true
			}
			var out bytes.Buffer
			answer := func(q string) bool { return tt.answer(w, q) }
			if _, err := orphans.Run(context.Background(), tt.in, w.env(&out, answer)); err != nil {
				t.Fatal(err)
			}
			var deleted []string
			for name := range before {
				if _, ok := w.cfn.Stacks[name]; !ok {
					deleted = append(deleted, name)
				}
			}
			if diff := cmp.Diff(tt.deleted, deleted, cmpSorted); diff != "" {
				t.Errorf("deleted stacks (-want +got):\n%s\n%s", diff, out.String())
			}
			for stack, repos := range w.repos {
				for _, repo := range repos {
					if n := len(w.ecr.Images(repo)); slices.Contains(deleted, stack) && n != 0 {
						t.Errorf("%s was deleted with %d images left in %s", stack, n, repo)
					}
				}
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("output lacks %q:\n%s", tt.wantOut, out.String())
			}
		})
	}
}

// TestOrphansReadsOnce: each candidate's template is read once, the images of a stack left
// alone are not counted, and the check before deleting is one ListStacks.
func TestOrphansReadsOnce(t *testing.T) {
	w := newWorld(t)
	var out bytes.Buffer
	if _, err := orphans.Run(context.Background(), orphans.Input{Delete: true, NoPrompts: true, MinAge: time.Hour}, w.env(&out, nil)); err != nil {
		t.Fatal(err)
	}
	count := func(calls []string, prefix string) int {
		n := 0
		for _, c := range calls {
			if strings.HasPrefix(c, prefix) {
				n++
			}
		}
		return n
	}
	// gone, renamed, fresh, busy and impostor are candidates; lookalike has another description.
	if n := count(w.cfn.Calls, "GetTemplate"); n != 5 {
		t.Errorf("%d GetTemplate calls, want 5: %v", n, w.cfn.Calls)
	}
	if n := count(w.cfn.Calls, "ListStacks"); n != 2 {
		t.Errorf("%d ListStacks calls, want 2", n)
	}
	for _, stack := range []string{"fresh", "busy"} {
		for _, repo := range w.repos[companion.StackName(stack)] {
			if n := count(w.ecr.Calls, "ListImages "+repo); n != 0 {
				t.Errorf("the images of %s, left alone, were listed %d times", repo, n)
			}
		}
	}
}
