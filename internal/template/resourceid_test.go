package template

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResourceIDEdits(t *testing.T) {
	tests := map[string]struct {
		name, in, want string
	}{
		"block resource without metadata": {"t.yaml",
			"Resources:\n  Fn:\n    Type: AWS::Serverless::Function # the app\n    Properties: {PackageType: Image}\n",
			"Resources:\n  Fn:\n    Metadata:\n      SamResourceId: \"Fn\"\n    Type: AWS::Serverless::Function # the app\n    Properties: {PackageType: Image}\n"},
		"block metadata kept, id added": {"t.yaml",
			"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Metadata:\n      DockerTag: v1\n",
			"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Metadata:\n      SamResourceId: \"Fn\"\n      DockerTag: v1\n"},
		"id already there": {"t.yaml",
			"Resources:\n  Fn:\n    Type: X\n    Metadata: {SamResourceId: Custom}\n",
			"Resources:\n  Fn:\n    Type: X\n    Metadata: {SamResourceId: Custom}\n"},
		"flow resource and flow metadata": {"t.yaml",
			"Resources:\n  A: {Type: X}\n  B: {Type: X, Metadata: {}}\n  C: {Type: X, Metadata: {K: v}}\n",
			"Resources:\n  A: {\"Metadata\": {\"SamResourceId\": \"A\"}, Type: X}\n  B: {Type: X, Metadata: {\"SamResourceId\": \"B\"}}\n  C: {Type: X, Metadata: {\"SamResourceId\": \"C\", K: v}}\n"},
		"json with a cdk path": {"t.json",
			"{\"Resources\": {\"Fn1A2B\": {\"Type\": \"AWS::Lambda::Function\", \"Metadata\": {\"aws:cdk:path\": \"App/Worker/Resource\"}}}}\n",
			"{\"Resources\": {\"Fn1A2B\": {\"Type\": \"AWS::Lambda::Function\", \"Metadata\": {\"SamResourceId\": \"Worker\", \"aws:cdk:path\": \"App/Worker/Resource\"}}}}\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse(tc.name, []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			edits, err := tpl.ResourceIDEdits()
			if err != nil {
				t.Fatal(err)
			}
			got, err := tpl.Apply(edits)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			again, err := Parse(tc.name, got)
			if err != nil {
				t.Fatalf("the edited template does not parse: %v", err)
			}
			if more, _ := again.ResourceIDEdits(); len(more) != 0 {
				t.Errorf("the edited template still lacks %d ids", len(more))
			}
		})
	}
}
