package teardown_test

import (
	"strings"
	"testing"

	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/teardown"
)

// TestResume: a delete interrupted after the application stack went is finished by its rerun
// (the companion stack and its repositories go, after the same questions), and a second
// rerun finds nothing and says the stack does not exist.
func TestResume(t *testing.T) {
	comp := companion.StackName("app")
	fn1, fn2 := companion.NewRepo("app", "Fn1").Name, companion.NewRepo("app", "Fn2").Name
	tests := []struct {
		name        string
		in          teardown.Input
		answers     []bool
		lookalike   bool     // the companion-named stack is someone's own
		wantDeleted bool     // the companion stack is gone
		wantEmptied []string // repositories emptied
		wantAsked   int
		wantOut     string
	}{
		{name: "no prompts", in: teardown.Input{StackName: "app", NoPrompts: true}, wantDeleted: true,
			wantEmptied: []string{fn1, fn2}, wantOut: "Stack app is already deleted; finishing its delete: ECR Companion Stack " + comp + " remains"},
		{name: "all answered yes", in: teardown.Input{StackName: "app"}, answers: []bool{true, true, true, true}, wantDeleted: true,
			wantEmptied: []string{fn1, fn2}, wantAsked: 4},
		{name: "companion stack kept", in: teardown.Input{StackName: "app"}, answers: []bool{true, false}, wantAsked: 2},
		{name: "one repository kept", in: teardown.Input{StackName: "app"}, answers: []bool{true, true, false, true},
			wantEmptied: []string{fn2}, wantAsked: 4, wantOut: "Keeping ECR Companion Stack " + comp + " with 1 repository"},
		{name: "the delete not confirmed", in: teardown.Input{StackName: "app"}, answers: []bool{false}, wantAsked: 1},
		{name: "a stack that only looks like a companion", in: teardown.Input{StackName: "app", NoPrompts: true}, lookalike: true,
			wantOut: "Error: The input stack app does not exist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSetup(t, tc.answers...)
			delete(s.cfn.Stacks, "app") // deleted some other way, or by a delete interrupted after it
			if !tc.lookalike {
				s.cfn.Stacks[comp].Description = companion.Description
			}
			if err := s.run(tc.in); err != nil {
				t.Fatalf("Run() = %v", err)
			}
			if gone := s.cfn.Stacks[comp] == nil; gone != tc.wantDeleted {
				t.Errorf("companion stack deleted = %v, want %v (calls %v)", gone, tc.wantDeleted, s.cfn.Calls)
			}
			var emptied []string
			for _, l := range s.log {
				if r, ok := strings.CutPrefix(l, "delete images of "); ok {
					emptied = append(emptied, r)
				} else {
					t.Errorf("changed %q: only the companion's repositories are known to go", l)
				}
			}
			if strings.Join(emptied, " ") != strings.Join(tc.wantEmptied, " ") {
				t.Errorf("emptied %v, want %v", emptied, tc.wantEmptied)
			}
			if len(s.asked) != tc.wantAsked {
				t.Errorf("asked %q, want %d questions", s.asked, tc.wantAsked)
			}
			if !strings.Contains(s.out.String(), tc.wantOut) {
				t.Errorf("output:\n%s\nwant it to say %q", s.out.String(), tc.wantOut)
			}
			if !tc.wantDeleted {
				return
			}
			// A second rerun has nothing left to do.
			s.out.Reset()
			s.log, s.asked, s.answers = nil, nil, []bool{true}
			if err := s.run(tc.in); err != nil {
				t.Fatalf("second rerun: Run() = %v", err)
			}
			if want := "Error: The input stack app does not exist on Cloudformation in the region us-east-1\n"; s.out.String() != want || len(s.log) != 0 {
				t.Errorf("second rerun said %q and changed %v, want %q and nothing", s.out.String(), s.log, want)
			}
		})
	}
}
