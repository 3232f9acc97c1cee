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
		"yaml ref of a parameter": {"t.yaml",
			"Parameters:\n  ImageUri: {Type: String, Default: app:v1}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n      ImageUri: !Ref ImageUri # set by sam build\n",
			"Parameters:\n  ImageUri: {Type: String, Default: app:v1}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n      ImageUri: \"r/x:t\" # set by sam build\n"},
		"yaml sub": {"t.yaml",
			"Parameters:\n  Tag: {Type: String, Default: v1}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image, ImageUri: !Sub 'app:${Tag}'}\n",
			"Parameters:\n  Tag: {Type: String, Default: v1}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image, ImageUri: \"r/x:t\"}\n"},
		"yaml block ref": {"t.yaml",
			"Parameters:\n  U: {Type: String, Default: app:v1}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      ImageUri:\n        Ref: U\n      PackageType: Image\n",
			"Parameters:\n  U: {Type: String, Default: app:v1}\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      ImageUri:\n        \"r/x:t\"\n      PackageType: Image\n"},
		"json ref": {"t.json",
			"{\"Parameters\": {\"U\": {\"Type\": \"String\", \"Default\": \"app:v1\"}},\n \"Resources\": {\"Fn\": {\"Type\": \"AWS::Lambda::Function\",\n  \"Properties\": {\"PackageType\": \"Image\", \"Code\": {\"ImageUri\": {\"Ref\": \"U\"}}}}}\n}\n",
			"{\"Parameters\": {\"U\": {\"Type\": \"String\", \"Default\": \"app:v1\"}},\n \"Resources\": {\"Fn\": {\"Type\": \"AWS::Lambda::Function\",\n  \"Properties\": {\"PackageType\": \"Image\", \"Code\": {\"ImageUri\": \"r/x:t\"}}}}\n}\n"},
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

func TestImageEditRefusesWhatDoesNotResolve(t *testing.T) {
	for name, props := range map[string]string{
		"get att":           "{PackageType: Image, ImageUri: !GetAtt Repo.RepositoryUri}",
		"unknown parameter": "{PackageType: Image, ImageUri: !Ref Nope}",
		"no image uri":      "{PackageType: Image}",
	} {
		t.Run(name, func(t *testing.T) {
			src := "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: " + props + "\n"
			tpl, err := Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := Discover(tpl, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tr.Functions()[0].ImageEdit("r"); err == nil {
				t.Errorf("ImageEdit(%s) = nil error", name)
			}
		})
	}
}
