package template

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// packaged applies what packaging does to a stack's own template: the normalizer's metadata
// and parameter edits, the pushed images and the uploaded artifacts.
func packaged(t *testing.T, st *Stack, images map[string]string) map[string]any {
	t.Helper()
	edits, err := st.Template.ResourceIDEdits()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range st.Functions {
		if ref, ok := images[f.FullPath]; ok {
			e, err := f.ImageEdit(ref)
			if err != nil {
				t.Fatal(err)
			}
			edits = append(edits, e)
		}
	}
	for _, a := range st.Template.LocalArtifacts() {
		edits = append(edits, a.Edit("bucket", "key-of-"+a.Path))
	}
	body, err := st.Template.Apply(edits)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("the packaged template is not JSON: %v\n%s", err, body)
	}
	again, err := Parse(st.Template.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if more, _ := again.ResourceIDEdits(); len(more) != 0 {
		t.Errorf("the packaged template still needs %d normalizer edits", len(more))
	}
	return out
}

func resource(tpl map[string]any, id string) map[string]any {
	return tpl["Resources"].(map[string]any)[id].(map[string]any)
}

func TestCDKImageAndZipAssets(t *testing.T) {
	tpl, err := Load("testdata/cdk/CdkImageStack.template.json")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Discover(tpl, nil, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	fns := tr.ImageFunctions()
	if len(fns) != 1 || fns[0].FullPath != "ImageFunction" || fns[0].ImageURI != "imagefunction5e9b8b42" || fns[0].BuildName() != "imagefunction5e9b8b42" {
		t.Fatalf("ImageFunctions() = %+v, want ImageFunction with the image sam build names imagefunction5e9b8b42", fns)
	}
	arts := tpl.LocalArtifacts()
	if len(arts) != 1 || arts[0].Resource != "ZipFunction1F2E3D4C" || arts[0].Path != "asset.4c6b0a1e2d3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f" {
		t.Fatalf("LocalArtifacts() = %+v, want the zip function's asset", arts)
	}
	out := packaged(t, tr.Stacks[0], map[string]string{"ImageFunction": "1.dkr.ecr.eu-west-1.amazonaws.com/repo:tag"})

	img := resource(out, "ImageFunction5E9B8B42")
	if diff := cmp.Diff(map[string]any{"ImageUri": "1.dkr.ecr.eu-west-1.amazonaws.com/repo:tag"}, img["Properties"].(map[string]any)["Code"]); diff != "" {
		t.Errorf("image function Code mismatch (-want +got):\n%s", diff)
	}
	wantMeta := map[string]any{
		"aws:cdk:path":                "CdkImageStack/ImageFunction/Resource",
		"aws:asset:path":              "asset.9d3a5e0e7c4b1f2a6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d",
		"aws:asset:dockerfile-path":   "Dockerfile",
		"aws:asset:docker-build-args": map[string]any{"PYTHON_VERSION": "3.12"},
		"aws:asset:property":          "Code.ImageUri",
		"Dockerfile":                  "Dockerfile",
		"DockerContext":               "asset.9d3a5e0e7c4b1f2a6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d",
		"DockerBuildArgs":             map[string]any{"PYTHON_VERSION": "3.12"},
		"DockerBuildExtraParams":      []any{},
		"SamNormalized":               true,
		"SamResourceId":               "ImageFunction",
	}
	if diff := cmp.Diff(wantMeta, img["Metadata"]); diff != "" {
		t.Errorf("image function Metadata mismatch (-want +got):\n%s", diff)
	}

	zip := resource(out, "ZipFunction1F2E3D4C")
	code := zip["Properties"].(map[string]any)["Code"]
	if diff := cmp.Diff(map[string]any{"S3Bucket": "bucket", "S3Key": "key-of-asset.4c6b0a1e2d3f405162738495a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f"}, code); diff != "" {
		t.Errorf("zip function Code mismatch (-want +got):\n%s", diff)
	}
	if m := zip["Metadata"].(map[string]any); m["SamNormalized"] != true || m["SamResourceId"] != "ZipFunction" || m["SkipBuild"] != nil {
		t.Errorf("zip function Metadata = %v, want SamNormalized, SamResourceId ZipFunction, no SkipBuild", m)
	}
}

func TestCDKNestedAssets(t *testing.T) {
	tpl, err := Load("testdata/cdk/Parent.template.json")
	if err != nil {
		t.Fatal(err)
	}
	var defaults []string
	for _, p := range tpl.Parameters() {
		if p.HasDefault && p.Default == " " {
			defaults = append(defaults, strings.TrimPrefix(p.Key, "AssetParameters")[63:])
		}
	}
	if diff := cmp.Diff([]string{"4S3Bucket1A2B3C4D", "4S3VersionKey5E6F7A8B", "4S3BucketC0FFEE00"}, defaults); diff != "" {
		t.Errorf("parameters given SAM's default mismatch (-want +got):\n%s", diff)
	}
	tr, err := Discover(tpl, nil, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"ChildStack/WorkerB1A2C3D4"}, fullPaths(tr.ImageFunctions())); diff != "" {
		t.Fatalf("ImageFunctions() mismatch (-want +got):\n%s", diff)
	}
	// Four parts in the child's cdk path: SAM CLI keeps the logical id.
	child := tr.Stacks[1]
	out := packaged(t, child, map[string]string{"ChildStack/WorkerB1A2C3D4": "r/w:t"})
	meta := resource(out, "WorkerB1A2C3D4")["Metadata"].(map[string]any)
	if meta["Dockerfile"] != "docker/Dockerfile" || meta["DockerContext"] != "asset.0d0a6f2f3e8a4b6c7d8e9f00112233445566778899aabbccddeeff0011223344" {
		t.Errorf("Dockerfile, DockerContext = %v, %v, want the paths as Python's pathlib writes them", meta["Dockerfile"], meta["DockerContext"])
	}

	edits, err := tpl.ResourceIDEdits()
	if err != nil {
		t.Fatal(err)
	}
	body, err := tpl.Apply(append(edits, child.LocationEdit("https://s3.amazonaws.com/b/child.template")))
	if err != nil {
		t.Fatal(err)
	}
	var parent map[string]any
	if err := json.Unmarshal(body, &parent); err != nil {
		t.Fatal(err)
	}
	stack := resource(parent, "ChildStackNestedStackChildStackNestedStackResource5E6F7A8B")
	if got := stack["Properties"].(map[string]any)["TemplateURL"]; got != "https://s3.amazonaws.com/b/child.template" {
		t.Errorf("TemplateURL = %v, want the uploaded child", got)
	}
	if m := stack["Metadata"].(map[string]any); m["SamNormalized"] != true || m["SamResourceId"] != "ChildStack" {
		t.Errorf("nested stack Metadata = %v, want SamNormalized and SamResourceId ChildStack", m)
	}
	params := parent["Parameters"].(map[string]any)
	for name, p := range params {
		_, has := p.(map[string]any)["Default"]
		want := strings.Contains(name, "S3Bucket1A2B3C4D") || strings.Contains(name, "S3VersionKey5E6F7A8B") || strings.Contains(name, "S3BucketC0FFEE00") || strings.Contains(name, "S3VersionKeyC0FFEE00")
		if has != want {
			t.Errorf("parameter %s has a Default: %v, want %v", name, has, want)
		}
	}
}

func TestCDKNormalizer(t *testing.T) {
	tests := map[string]struct {
		tpl     string
		wantURI string // the image of function Fn
		wantErr string
	}{
		"built template already normalized": {
			tpl:     `{"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"PackageType": "Image", "Code": {"ImageUri": "fn:latest"}}, "Metadata": {"SamNormalized": true, "aws:asset:property": "Code.ImageUri", "aws:asset:path": "asset.1", "aws:asset:dockerfile-path": "Dockerfile"}}}}`,
			wantURI: "fn:latest",
		},
		"image asset without a dockerfile path": {
			tpl:     `{"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"PackageType": "Image", "Code": {"ImageUri": "x"}}, "Metadata": {"aws:asset:property": "Code.ImageUri", "aws:asset:path": "asset.1"}}}}`,
			wantErr: "t.json:1: resource Fn: Metadata has aws:asset:property Code.ImageUri but no aws:asset:dockerfile-path",
		},
		"image asset without asset path still names the built image": {
			tpl:     `{"Resources": {"MyFn": {"Type": "AWS::Lambda::Function", "Properties": {"PackageType": "Image", "Code": {"ImageUri": "x"}}, "Metadata": {"aws:asset:property": "Code.ImageUri", "aws:asset:dockerfile-path": "Dockerfile"}}}}`,
			wantURI: "myfn",
		},
		"asset path without property is ignored": {
			tpl:     `{"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"PackageType": "Image", "Code": {"ImageUri": "x"}}, "Metadata": {"aws:asset:path": "asset.1"}}}}`,
			wantURI: "x",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse("t.json", []byte(tc.tpl))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := Discover(tpl, nil, "us-east-1")
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Discover() = %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tr.Functions()[0].ImageURI; got != tc.wantURI {
				t.Errorf("ImageURI = %q, want %q", got, tc.wantURI)
			}
		})
	}
}

func TestCDKParametersNeedACDKTemplate(t *testing.T) {
	const name = "AssetParameters0d0a6f2f3e8a4b6c7d8e9f00112233445566778899aabbccddeeff0011223344S3Bucket1A2B3C4D"
	tests := map[string]struct {
		resources string
		want      bool
	}{
		"plain CloudFormation":     {`"T": {"Type": "AWS::SNS::Topic"}`, false},
		"a CDK metadata resource":  {`"CDKMetadata": {"Type": "AWS::CDK::Metadata"}`, true},
		"a resource with cdk path": {`"T": {"Type": "AWS::SNS::Topic", "Metadata": {"aws:cdk:path": "S/T/Resource"}}`, true},
		"referenced in a Sub only": {`"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Fn::Sub": "${` + name + `}"}}, "Metadata": {"aws:cdk:path": "S/T/Resource"}}`, true},
		"referenced by a Ref":      {`"T": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": {"Ref": "` + name + `"}}, "Metadata": {"aws:cdk:path": "S/T/Resource"}}`, false},
	}
	for tn, tc := range tests {
		t.Run(tn, func(t *testing.T) {
			tpl, err := Parse("t.json", []byte(`{"Parameters": {"`+name+`": {"Type": "String"}}, "Resources": {`+tc.resources+`}}`))
			if err != nil {
				t.Fatal(err)
			}
			if got := tpl.Parameters()[0].HasDefault; got != tc.want {
				t.Errorf("Parameters()[0].HasDefault = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPyPath(t *testing.T) {
	for in, want := range map[string]string{"": ".", ".": ".", "Dockerfile": "Dockerfile", "./a//b/": "a/b", "../a/./b": "../a/b", "/abs/x/": "/abs/x"} {
		if got := pyPath(in); got != want {
			t.Errorf("pyPath(%q) = %q, want %q", in, got, want)
		}
	}
}
