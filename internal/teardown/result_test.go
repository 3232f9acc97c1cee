package teardown_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/cfn/cfnfake"
	"github.com/samship/samship/internal/companion"
	"github.com/samship/samship/internal/teardown"
)

// TestResult: what Run returns says what was deleted and kept, and, when it fails, what it
// deleted before.
func TestResult(t *testing.T) {
	comp := companion.StackName("app")
	fn1, fn2 := companion.NewRepo("app", "Fn1").Name, companion.NewRepo("app", "Fn2").Name
	empty := func(name string) *teardown.Result {
		return &teardown.Result{StackName: name, Region: "us-east-1", RepositoriesDeleted: []teardown.Repository{}, ImagesDeleted: []teardown.Image{},
			ImagesKept: []teardown.Image{}, ObjectsDeleted: []teardown.Object{}, ObjectsKept: []teardown.Object{}, NestedTemplates: []teardown.Object{}}
	}
	everything := empty("app")
	everything.StackDeleted = true
	everything.Companion = &teardown.CompanionStack{StackName: comp, Deleted: true, KeptRepositories: []string{}}
	everything.RepositoriesDeleted = []teardown.Repository{{Name: fn1, Images: 1}, {Name: fn2, Images: 1}}
	everything.ImagesDeleted = []teardown.Image{{Repository: "shared", Tag: "Img-0123456789ab-latest"}}
	everything.ImagesKept = []teardown.Image{{Repository: "team/prebuilt", Tag: "fn01"}}
	everything.ObjectsDeleted = []teardown.Object{{Bucket: "bkt", Key: "app/code1"}, {Bucket: "bkt", Key: "app/other"}}

	oneKept := empty("app")
	oneKept.StackDeleted = true
	oneKept.Companion = &teardown.CompanionStack{StackName: comp, KeptRepositories: []string{fn2}}
	oneKept.RepositoriesDeleted = []teardown.Repository{{Name: fn1, Images: 1}}
	oneKept.ImagesDeleted, oneKept.ImagesKept = everything.ImagesDeleted, everything.ImagesKept
	oneKept.ObjectsDeleted = []teardown.Object{{Bucket: "bkt", Key: "app/code1"}}

	failed := empty("app") // the companion stack was found and stays: nothing went
	failed.Companion = &teardown.CompanionStack{StackName: comp, KeptRepositories: []string{}}

	missing := empty("gone")
	missing.StackNotFound = true

	finished := empty("app")
	finished.StackNotFound = true
	finished.Companion = &teardown.CompanionStack{StackName: comp, Deleted: true, KeptRepositories: []string{}}
	finished.RepositoriesDeleted = []teardown.Repository{{Name: fn1, Images: 1}, {Name: fn2, Images: 1}}

	tests := []struct {
		name    string
		in      teardown.Input
		answers []bool
		setup   func(s *setup)
		want    *teardown.Result
		wantErr bool
	}{
		{name: "everything", in: teardown.Input{StackName: "app", NoPrompts: true}, want: everything},
		// stack, folder app, template file, companion, repo Fn1, repo Fn2
		{name: "one repository kept", in: teardown.Input{StackName: "app"}, answers: []bool{true, false, false, true, true, false}, want: oneKept},
		{name: "the stack fails to delete", in: teardown.Input{StackName: "app", NoPrompts: true}, want: failed, wantErr: true,
			setup: func(s *setup) {
				s.cfn.Fail["app"] = cfnfake.Failure{LogicalID: "Bucket", Type: "AWS::S3::Bucket", Reason: "The bucket you tried to delete is not empty"}
			}},
		{name: "no such stack", in: teardown.Input{StackName: "gone", NoPrompts: true}, want: missing},
		{name: "finishing a delete", in: teardown.Input{StackName: "app", NoPrompts: true}, want: finished,
			setup: func(s *setup) {
				delete(s.cfn.Stacks, "app")
				s.cfn.Stacks[comp].Description = companion.Description
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSetup(t, tc.answers...)
			if tc.setup != nil {
				tc.setup(s)
			}
			if err := s.run(tc.in); (err != nil) != tc.wantErr {
				t.Fatalf("Run() = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, s.res); diff != "" {
				t.Errorf("Run() result (-want +got):\n%s", diff)
			}
		})
	}
}

// TestResultJSON: the lists a program iterates are [] when empty, never null, and the
// optional fields are left out.
func TestResultJSON(t *testing.T) {
	s := newSetup(t)
	if err := s.run(teardown.Input{StackName: "gone", NoPrompts: true}); err != nil {
		t.Fatalf("Run() = %v", err)
	}
	got, err := json.Marshal(s.res)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"stack_name":"gone","region":"us-east-1","stack_deleted":false,"stack_not_found":true,"repositories_deleted":[],` +
		`"images_deleted":[],"images_kept":[],"objects_deleted":[],"objects_kept":[],"nested_templates":[]}`
	if string(got) != want {
		t.Errorf("json.Marshal(Run()) = %s, want %s", got, want)
	}
}
