package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/samship/samship/internal/cfn"
	"github.com/samship/samship/internal/testenv/golden"
)

// clock is a settable clock for the views' times.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var t0 = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func stackEvent(at time.Duration, id, typ, status, reason string) cfn.Event {
	e := cfn.Event{ID: id + status + at.String(), Time: t0.Add(at), StackID: "sid", StackName: "my-app", LogicalID: id, Type: typ, Status: status, Reason: reason}
	if id == "my-app" {
		e.PhysicalID = "sid"
	}
	return e
}

// TestStackView draws a stack operation at moments of its life (live, cut to the width, at
// most maxLiveResources resources) and its final lines, against golden files.
func TestStackView(t *testing.T) {
	const fn, role, repo = "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::ECR::Repository"
	cases := map[string]struct {
		op     string
		events []cfn.Event
		at     time.Duration // the clock when drawn
		width  int
		end    *cfn.Stack
		endErr error
	}{
		"creating": {op: "create", at: 7 * time.Second, width: 80, events: []cfn.Event{
			stackEvent(0, "my-app", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
			stackEvent(time.Second, "HelloFunctionRole", role, "CREATE_IN_PROGRESS", ""),
			stackEvent(1500*time.Millisecond, "HelloFunctionRole", role, "CREATE_IN_PROGRESS", "Resource creation Initiated"),
			stackEvent(4*time.Second, "HelloFunctionRole", role, "CREATE_COMPLETE", ""),
			stackEvent(5*time.Second, "HelloFunction", fn, "CREATE_IN_PROGRESS", ""),
		}},
		"narrow terminal": {op: "create", at: 7 * time.Second, width: 40, events: []cfn.Event{
			stackEvent(0, "my-app", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
			stackEvent(5*time.Second, "AVeryLongLogicalResourceIdForAFunction", fn, "CREATE_IN_PROGRESS", ""),
		}},
		"many resources": {op: "update", at: 30 * time.Second, width: 100, end: &cfn.Stack{Status: "UPDATE_COMPLETE"}, events: manyRepos(14)},
		"failed and rolled back": {op: "update", at: 20 * time.Second, width: 100, end: &cfn.Stack{Status: "UPDATE_ROLLBACK_COMPLETE"}, events: []cfn.Event{
			stackEvent(0, "my-app", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated"),
			stackEvent(time.Second, "HelloFunction", fn, "UPDATE_IN_PROGRESS", ""),
			stackEvent(3*time.Second, "HelloFunction", fn, "UPDATE_FAILED", "Resource handler returned message: \"Source image does not exist\""),
			stackEvent(4*time.Second, "my-app", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [HelloFunction]."),
			stackEvent(5*time.Second, "HelloFunction", fn, "UPDATE_IN_PROGRESS", ""),
			stackEvent(8*time.Second, "HelloFunction", fn, "UPDATE_COMPLETE", ""),
			stackEvent(9*time.Second, "my-app", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", ""),
		}},
		"deleted": {op: "delete", at: 6 * time.Second, width: 100, endErr: &cfn.StackNotFoundError{Name: "my-app"}, events: []cfn.Event{
			stackEvent(0, "my-app", "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", "User Initiated"),
			stackEvent(time.Second, "HelloFunctionRepo", repo, "DELETE_IN_PROGRESS", ""),
			stackEvent(5*time.Second, "HelloFunctionRepo", repo, "DELETE_COMPLETE", ""),
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := &clock{t0}
			var b strings.Builder
			r := &Reporter{Err: &b, Now: c.now, Width: tc.width}
			v := r.followStack("my-app", tc.op)
			for _, e := range tc.events {
				c.t = e.Time.Add(300 * time.Millisecond) // polled soon after
				v.Event(e)
			}
			c.t = t0.Add(tc.at)
			live := v.render(tc.width)
			for _, l := range live {
				if n := columns(l); n >= tc.width {
					t.Errorf("live line of %d columns on a %d-column terminal: %q", n, tc.width, l)
				}
			}
			b.Reset()
			if tc.end != nil || tc.endErr != nil {
				v.End(tc.end, tc.endErr)
			} else {
				v.End(&cfn.Stack{Status: "CREATE_COMPLETE"}, nil)
			}
			final := b.String()
			// The end erases what was drawn, then writes the final lines.
			if !strings.HasPrefix(final, "\x1b[") {
				t.Errorf("the end did not erase the live lines: %q", final)
			}
			final = final[strings.Index(final, "J")+1:]
			golden.Check(t, filepath.Join("testdata", "stackview", strings.ReplaceAll(name, " ", "_")+".txt"),
				[]byte("live:\n"+strings.Join(live, "\n")+"\nfinal:\n"+final))
		})
	}
}

func manyRepos(n int) []cfn.Event {
	ev := []cfn.Event{stackEvent(0, "my-app", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated")}
	for i := range n {
		id := "Repo" + string(rune('A'+i))
		ev = append(ev, stackEvent(time.Duration(i)*time.Second, id, "AWS::ECR::Repository", "CREATE_IN_PROGRESS", ""))
		if i%3 != 0 {
			ev = append(ev, stackEvent(time.Duration(i+1)*time.Second, id, "AWS::ECR::Repository", "CREATE_COMPLETE", ""))
		}
	}
	return ev
}
