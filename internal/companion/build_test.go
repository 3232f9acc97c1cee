package companion

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/testenv/golden"
)

func repos(parent string, paths ...string) []Repo {
	var out []Repo
	for _, p := range paths {
		out = append(out, NewRepo(parent, p))
	}
	return Dedupe(out)
}

func TestTemplateGolden(t *testing.T) {
	got, err := Template(StackName("sam-app"), repos("sam-app", "HelloWorldFunction", "Child/ImageFn"), Settings{})
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/sam-app.json", got)
}

func TestTemplateIsDeterministic(t *testing.T) {
	a, _ := Template("c", repos("p", "A", "B", "C"), Settings{})
	b, _ := Template("c", repos("p", "C", "A", "B"), Settings{})
	if string(a) != string(b) {
		t.Errorf("Template() depends on function order:\n%s\n%s", a, b)
	}
}

func TestTemplateLimits(t *testing.T) {
	var paths []string
	for i := 0; i < 501; i++ {
		paths = append(paths, fmt.Sprintf("Fn%03d", i))
	}
	if _, err := Template("c", repos("p", paths...), Settings{}); err == nil || !strings.Contains(err.Error(), "501 repositories, more than the 500 resources") {
		t.Errorf("Template(501) error = %v", err)
	}
	for _, tc := range []struct {
		n           int
		wantOutputs bool
	}{{200, true}, {201, false}} {
		b, err := Template("c", repos("p", paths[:tc.n]...), Settings{})
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		if _, ok := doc["Outputs"]; ok != tc.wantOutputs {
			t.Errorf("Template(%d) has outputs = %v, want %v", tc.n, ok, tc.wantOutputs)
		}
		if res := doc["Resources"].(map[string]any); len(res) != tc.n {
			t.Errorf("Template(%d) has %d resources", tc.n, len(res))
		}
	}
}

func TestCheck(t *testing.T) {
	tests := map[string]struct {
		parent, path, want string
	}{
		"cdk id with dash": {"app", "My-Fn", "function My-Fn: its repository's logical id My-Fn"},
		"name too long":    {strings.Repeat("a", 128), strings.Repeat("B", 130), "repository name is 279 characters, more than ECR's 256"},
		"fine":             {"app", "Fn", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := Check([]Repo{NewRepo(tc.parent, tc.path)})
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Check() = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDedupeCollision(t *testing.T) {
	// SAM CLI strips slashes, so A/BC and AB/C share one repository.
	got := repos("p", "A/BC", "AB/C")
	if len(got) != 1 || got[0].LogicalID != "ABC902fbdd2Repo" {
		t.Errorf("Dedupe(A/BC, AB/C) = %+v, want one ABC902fbdd2Repo", got)
	}
}

func TestParseDeployed(t *testing.T) {
	ours, _ := Template("c", repos("p", "A", "B"), Settings{})
	got, sam, err := ParseDeployed(string(ours))
	if err != nil || sam || len(got) != 2 || got[0].Name != NewRepo("p", "A").Name {
		t.Errorf("ParseDeployed(ours) = %+v, %v, %v", got, sam, err)
	}
	samTpl := `{"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
  "Resources": {"HelloFunction65dbf3a1Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "peerapp8cc3d84a/hellofunction65dbf3a1repo"}}}}`
	got, sam, err = ParseDeployed(samTpl)
	want := []Repo{{LogicalID: "HelloFunction65dbf3a1Repo", OutputID: "HelloFunction65dbf3a1Out", Name: "peerapp8cc3d84a/hellofunction65dbf3a1repo"}}
	if err != nil || !sam || !cmp.Equal(want, got) {
		t.Errorf("ParseDeployed(SAM) = %+v, %v, %v", got, sam, err)
	}
	if _, _, err := ParseDeployed(`{"Resources": {"R": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": {"Ref": "X"}}}}}`); err == nil {
		t.Errorf("ParseDeployed(intrinsic name) = nil error")
	}
}
