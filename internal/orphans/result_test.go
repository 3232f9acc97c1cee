package orphans_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/cfn/cfnfake"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/orphans"
)

// TestResult: Run returns the orphans found, with their repositories and ages, those left
// alone, and which it deleted, also when a deletion fails.
func TestResult(t *testing.T) {
	gone, renamed := companion.StackName("gone"), companion.StackName(longName)
	start, _ := companion.ParentName(renamed)
	changed := now.Add(-72 * time.Hour)
	found := []orphans.Orphan{
		{StackName: gone, ParentStackName: "gone", LastChanged: changed, AgeSeconds: 72 * 3600, Repositories: []orphans.Repo{
			{Name: companion.NewRepo("gone", "HelloFunction").Name, Images: 2}, {Name: companion.NewRepo("gone", "WorldFunction").Name, Images: 2}}},
		{StackName: renamed, ParentStackName: start, ParentTruncated: true, LastChanged: changed, AgeSeconds: 72 * 3600,
			Repositories: []orphans.Repo{{Name: companion.NewRepo(longName, "Fn").Name, Images: 1}}},
	}
	young := []orphans.LeftAlone{
		{StackName: companion.StackName("busy"), Status: "UPDATE_IN_PROGRESS", LastChanged: changed, AgeSeconds: 72 * 3600, InProgress: true},
		{StackName: companion.StackName("fresh"), Status: "CREATE_COMPLETE", LastChanged: now.Add(-time.Minute), AgeSeconds: 60},
	}
	tests := []struct {
		name    string
		in      orphans.Input
		answer  func(w *world, q string) bool
		setup   func(w *world)
		want    *orphans.Result
		wantErr string
	}{
		{name: "a listing", in: orphans.Input{MinAge: time.Hour},
			want: &orphans.Result{Region: "us-east-1", Orphans: found, LeftAlone: young, Deleted: []string{}}},
		{name: "deleted", in: orphans.Input{Delete: true, NoPrompts: true, MinAge: time.Hour},
			want: &orphans.Result{Region: "us-east-1", Orphans: found, LeftAlone: young, Deleted: []string{gone, renamed}}},
		{name: "one no longer an orphan", in: orphans.Input{Delete: true, MinAge: time.Hour},
			answer: func(w *world, q string) bool {
				if _, ok := w.cfn.Stacks["gone"]; !ok {
					w.app("gone") // a deploy of "gone" again, under way
				}
				return true
			},
			want: &orphans.Result{Region: "us-east-1", Orphans: found, LeftAlone: young, Deleted: []string{renamed}, NoLongerOrphans: []string{gone}}},
		{name: "a deletion fails", in: orphans.Input{Delete: true, NoPrompts: true, MinAge: time.Hour}, wantErr: "Failed to delete the stack: " + renamed,
			setup: func(w *world) {
				w.cfn.Fail[renamed] = cfnfake.Failure{LogicalID: "Repo", Type: "AWS::ECR::Repository", Reason: "The repository cannot be deleted"}
			},
			want: &orphans.Result{Region: "us-east-1", Orphans: found, LeftAlone: young, Deleted: []string{gone}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			if tt.setup != nil {
				tt.setup(w)
			}
			var out bytes.Buffer
			res, err := orphans.Run(context.Background(), tt.in, w.env(&out, func(q string) bool { return tt.answer(w, q) }))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)) {
				t.Fatalf("Run = %v, want %q", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, res); diff != "" {
				t.Errorf("Run result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestResultJSON: a region without orphans has empty lists, not null ones.
func TestResultJSON(t *testing.T) {
	w := &world{cfn: cfnfake.New()}
	var out bytes.Buffer
	res, err := orphans.Run(context.Background(), orphans.Input{MinAge: time.Hour}, w.env(&out, nil))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"region":"us-east-1","orphans":[],"left_alone":[],"deleted":[]}`; string(b) != want {
		t.Errorf("json.Marshal(Run()) = %s, want %s", b, want)
	}
}
