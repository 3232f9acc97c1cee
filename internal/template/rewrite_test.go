package template

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestImageEdit(t *testing.T) {
	tests := map[string]struct {
		name, in, want string
	}{
		"yaml plain, comment kept": {"t.yaml",
			"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n      ImageUri: fn:latest # built by sam\n      Role: !GetAtt R.Arn\n",
			"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n      ImageUri: \"r/x:t\" # built by sam\n      Role: !GetAtt R.Arn\n"},
		"yaml single quoted": {"t.yaml",
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image, Code: {ImageUri: 'it''s.tar'}}\n",
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image, Code: {ImageUri: \"r/x:t\"}}\n"},
		"json": {"t.json",
			"{\n \"Resources\": {\"Fn\": {\"Type\": \"AWS::Lambda::Function\",\n  \"Properties\": {\"PackageType\": \"Image\", \"Code\": {\"ImageUri\": \"img\\\"x.tar\"}}}}\n}\n",
			"{\n \"Resources\": {\"Fn\": {\"Type\": \"AWS::Lambda::Function\",\n  \"Properties\": {\"PackageType\": \"Image\", \"Code\": {\"ImageUri\": \"r/x:t\"}}}}\n}\n"},
		"non-ascii before": {"t.yaml",
			"Resources: # café\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Description: é, PackageType: Image, ImageUri: ./fn.tar}\n",
			"Resources: # café\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Description: é, PackageType: Image, ImageUri: \"r/x:t\"}\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse(tc.name, []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := Discover(tpl, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			e, err := tr.Functions()[0].ImageEdit("r/x:t")
			if err != nil {
				t.Fatalf("ImageEdit() = %v", err)
			}
			got, err := tpl.Apply([]Edit{e})
			if err != nil {
				t.Fatalf("Apply() = %v", err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("Apply(ImageEdit) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImageEditRefusesWhatIsNotALiteral(t *testing.T) {
	for name, props := range map[string]string{
		"sub":     "{PackageType: Image, ImageUri: !Sub '${U}'}",
		"ref":     "{PackageType: Image, ImageUri: !Ref U}",
		"globals": "{PackageType: Image}",
	} {
		t.Run(name, func(t *testing.T) {
			src := "Parameters:\n  U: {Type: String, Default: x}\nGlobals:\n  Function: {ImageUri: g.tar}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: " + props + "\n"
			tpl, err := Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			tr, _ := Discover(tpl, nil, "")
			if _, err := tr.Functions()[0].ImageEdit("r"); err == nil {
				t.Errorf("ImageEdit(%s) = nil error", name)
			}
		})
	}
}
