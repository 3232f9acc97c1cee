package template

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/samship/samship/internal/testenv/golden"
)

func abs(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBuildMetadata reads the build metadata of real templates' functions: SAM's, Lambda's
// own type, JSON, CDK's image asset and Fn::ForEach; functions sam build does not build have
// none.
func TestBuildMetadata(t *testing.T) {
	sam := "testdata/build/sam/template.yaml"
	tests := map[string]struct {
		path string
		want map[string]*BuildMetadata // by full path; every function of the tree
	}{
		"sam": {sam, map[string]*BuildMetadata{
			"HelloFunction": {Dockerfile: "Dockerfile", Context: abs(t, "testdata/build/sam/hello_world"), Tag: "python3.12-v1",
				Args: map[string]string{"VERSION": "1", "DEBUG": "true", "NAME": "hello"}, Target: "runtime", Where: sam + ":25"},
			"FlowFunction": {Dockerfile: "build/Dockerfile.flow", Context: abs(t, "testdata/build/sam/flow"), Tag: "latest", Where: sam + ":40"},
			"RefFunction":  {Dockerfile: "Dockerfile", Context: abs(t, "testdata/build/sam/hello_world"), Tag: "latest", Where: sam + ":48"},
			"LambdaImage":  {Dockerfile: "Dockerfile", Context: abs(t, "testdata/build/sam/lambda"), Tag: "latest", Where: sam + ":58"},
			"Prebuilt":     nil, "Skipped": nil, "ZipFunction": nil, "GlobalZipA": nil, "GlobalZipB": nil,
			"RemoteZip": nil, "AbsoluteZip": nil, "LambdaZip": nil,
			"Child/ChildImage": {Dockerfile: "Dockerfile", Context: abs(t, "testdata/build/sam/hello_world"), Tag: "child",
				Where: "testdata/build/sam/child/template.yaml:7"},
		}},
		"json": {"testdata/build/json/template.json", map[string]*BuildMetadata{
			"ImageFn": {Dockerfile: "Dockerfile", Context: abs(t, "testdata/build/json/image"), Tag: "latest",
				Args: map[string]string{"A": "1"}, Where: "testdata/build/json/template.json:11"},
			"NoCode": {Dockerfile: "Dockerfile", Context: abs(t, "testdata/build/json/nocode"), Tag: "v2", Where: "testdata/build/json/template.json:16"},
			"ZipFn":  nil,
		}},
		"cdk": {"testdata/cdk/CdkImageStack.template.json", map[string]*BuildMetadata{
			"ImageFunction": {Dockerfile: "Dockerfile", Tag: "latest", Args: map[string]string{"PYTHON_VERSION": "3.12"},
				Context: abs(t, "testdata/cdk/asset.9d3a5e0e7c4b1f2a6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d"),
				Where:   "testdata/cdk/CdkImageStack.template.json:23"},
			"ZipFunction": nil,
		}},
		"foreach": {"testdata/build/foreach/template.yaml", map[string]*BuildMetadata{
			"OrdersFunction": {Dockerfile: "Dockerfile", Context: abs(t, "testdata/build/foreach/services/Orders"), Tag: "latest", Where: "testdata/build/foreach/template.yaml:11"},
			"UsersFunction":  {Dockerfile: "Dockerfile", Context: abs(t, "testdata/build/foreach/services/Users"), Tag: "latest", Where: "testdata/build/foreach/template.yaml:11"},
			"MailWorker":     nil,
		}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr := discover(t, tc.path)
			got := map[string]*BuildMetadata{}
			for _, f := range tr.Functions() {
				got[f.FullPath] = f.Build
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Discover(%s) build metadata mismatch (-want +got):\n%s", tc.path, diff)
			}
			var built []string
			for _, f := range tr.BuildFunctions() {
				built = append(built, f.FullPath)
			}
			var want []string
			for _, f := range tr.Functions() {
				if tc.want[f.FullPath] != nil {
					want = append(want, f.FullPath)
				}
			}
			if diff := cmp.Diff(want, built); diff != "" {
				t.Errorf("BuildFunctions() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func discover(t *testing.T, path string) *Tree {
	t.Helper()
	tpl, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Discover(tpl, nil, "eu-west-1")
	if err != nil {
		t.Fatalf("Discover(%s) = %v", path, err)
	}
	return tr
}

// TestBuildMetadataRefused: what sam build fails on is refused by Discover, at its line.
func TestBuildMetadataRefused(t *testing.T) {
	head := "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image}\n    Metadata:\n"
	tests := map[string]struct{ meta, want string }{
		"Dockerfile a mapping": {"      Dockerfile: {Path: x}\n      DockerContext: .\n",
			"t.yaml:6: Metadata.Dockerfile of function Fn must be a string, found a mapping"},
		"Dockerfile a number": {"      Dockerfile: 3\n      DockerContext: .\n",
			`t.yaml:6: Metadata.Dockerfile of function Fn must be a string, found the value "3"`},
		"DockerContext an intrinsic": {"      Dockerfile: Dockerfile\n      DockerContext: !Sub '${AWS::Region}'\n",
			"t.yaml:7: Metadata.DockerContext of function Fn must be a string, found !Sub ${AWS::Region}"},
		"DockerBuildArgs a list": {"      Dockerfile: Dockerfile\n      DockerContext: .\n      DockerBuildArgs: [A=1]\n",
			"t.yaml:8: Metadata.DockerBuildArgs of function Fn must be a mapping of names to values, found a list"},
		"DockerBuildArgs null": {"      Dockerfile: Dockerfile\n      DockerContext: .\n      DockerBuildArgs:\n",
			"t.yaml:8: Metadata.DockerBuildArgs of function Fn must be a mapping of names to values, found nothing"},
		"build argument a list": {"      Dockerfile: Dockerfile\n      DockerContext: .\n      DockerBuildArgs: {A: [1]}\n",
			"t.yaml:8: build argument A in Metadata.DockerBuildArgs of function Fn must be a string, found a list"},
		"DockerTag a mapping": {"      Dockerfile: Dockerfile\n      DockerContext: .\n      DockerTag: {a: b}\n",
			"t.yaml:8: Metadata.DockerTag of function Fn must be a string, found a mapping"},
		"DockerBuildTarget a Ref": {"      Dockerfile: Dockerfile\n      DockerContext: .\n      DockerBuildTarget: !Ref T\n",
			"t.yaml:8: Metadata.DockerBuildTarget of function Fn must be a string, found !Ref T"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse("t.yaml", []byte(head+tc.meta))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Discover(tpl, nil, "")
			got := "<nil>"
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Discover() = %s, want %s", got, tc.want)
			}
		})
	}
	// A zip function's Metadata is not sam build's image metadata: nothing to refuse.
	tpl, err := Parse("t.yaml", []byte("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: src}\n    Metadata: {Dockerfile: {x: 1}, DockerBuildArgs: [1]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Discover(tpl, nil, ""); err != nil {
		t.Errorf("Discover(zip function with odd Metadata) = %v, want nil", err)
	}
}

// TestBuiltTemplate writes templates as sam build does into <dir>/.aws-sam/build: each built
// function gets its image (name:tag, as sam build tags it), local files keep naming the same
// files; every other byte is kept (golden files: -update rewrites them).
func TestBuiltTemplate(t *testing.T) {
	for _, path := range []string{
		"testdata/build/sam/template.yaml",
		"testdata/build/sam/child/template.yaml",
		"testdata/build/json/template.json",
		"testdata/build/foreach/template.yaml",
		"testdata/cdk/CdkImageStack.template.json",
	} {
		t.Run(path, func(t *testing.T) {
			tr := discover(t, path)
			st := tr.Stacks[0]
			var edits []Edit
			for _, f := range st.Functions {
				if f.Build == nil {
					continue
				}
				e, err := f.SetImageEdit(f.BuildName() + ":" + f.Build.Tag)
				if err != nil {
					t.Fatalf("SetImageEdit(%s) = %v", f.FullPath, err)
				}
				edits = append(edits, e)
			}
			rel, err := st.Template.RelocateEdits(filepath.Join(st.Template.Dir(), ".aws-sam", "build"))
			if err != nil {
				t.Fatalf("RelocateEdits() = %v", err)
			}
			got, err := st.Template.Apply(append(edits, rel...))
			if err != nil {
				t.Fatalf("Apply() = %v", err)
			}
			ext := filepath.Ext(path)
			golden.Check(t, strings.TrimSuffix(path, ext)+".built"+ext, got)

			// The written template, read where it is written, names the same files and images.
			again, err := Parse(filepath.Join(st.Template.Dir(), ".aws-sam", "build", "template"+ext), got)
			if err != nil {
				t.Fatalf("Parse(written) = %v", err)
			}
			if diff := cmp.Diff(files(t, st.Template), files(t, again)); diff != "" {
				t.Errorf("local files of the written template mismatch (-original +written):\n%s", diff)
			}
		})
	}
}

// files returns the absolute paths a template's local artifacts and nested stacks name.
func files(t *testing.T, tpl *Template) []string {
	t.Helper()
	var out []string
	for _, a := range tpl.LocalArtifacts() {
		p, _ := localPath(a.Path)
		if !filepath.IsAbs(p) {
			p = filepath.Join(tpl.Dir(), p)
		}
		out = append(out, a.Resource+" "+abs(t, p))
	}
	for _, n := range tpl.nestedLocations() {
		p, _ := localPath(n.path)
		if !filepath.IsAbs(p) {
			p = filepath.Join(tpl.Dir(), p)
		}
		out = append(out, n.logical+" "+abs(t, p))
	}
	return out
}

// TestSetImageEdit inserts and replaces the image in the styles templates are written in.
func TestSetImageEdit(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"serverless block, inserted first": {
			"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image # kept\n",
			"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      ImageUri: \"fn:v1\"\n      PackageType: Image # kept\n"},
		"serverless flow": {
			"Resources:\n  Fn: {Type: AWS::Serverless::Function, Properties: {PackageType: Image}}\n",
			"Resources:\n  Fn: {Type: AWS::Serverless::Function, Properties: {\"ImageUri\": \"fn:v1\", PackageType: Image}}\n"},
		"lambda block without Code": {
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n        PackageType: Image\n",
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n        Code:\n          ImageUri: \"fn:v1\"\n        PackageType: Image\n"},
		"lambda flow without Code": {
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image}\n",
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {\"Code\": {\"ImageUri\": \"fn:v1\"}, PackageType: Image}\n"},
		"lambda with empty Code": {
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: Image\n      Code: {}\n",
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: Image\n      Code: {\"ImageUri\": \"fn:v1\"}\n"},
		"lambda with Code.ImageUri a GetAtt": {
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: Image\n      Code:\n        ImageUri:\n          Fn::GetAtt: [Repo, RepositoryUri]\n",
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: Image\n      Code:\n        ImageUri:\n          \"fn:v1\"\n"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse("t.yaml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := Discover(tpl, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			e, err := tr.Functions()[0].SetImageEdit("fn:v1")
			if err != nil {
				t.Fatalf("SetImageEdit() = %v", err)
			}
			got, err := tpl.Apply([]Edit{e})
			if err != nil {
				t.Fatalf("Apply() = %v", err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("Apply(SetImageEdit) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSetImageEditRefused: where sam build's ImageUri cannot go without rewriting more.
func TestSetImageEditRefused(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"loop body without ImageUri": {
			leHead + "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - [A]\n    - ${N}Fn:\n        Type: AWS::Serverless::Function\n        Properties: {PackageType: Image}\n",
			"t.yaml:6: function AFn is generated by Fn::ForEach::Fns and its loop body has no ImageUri to set: give the body ImageUri (any value: the build replaces it)"},
		"Code an intrinsic": {
			"Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      PackageType: Image\n      Code: !If [C, {}, {}]\n",
			"t.yaml:6: set ImageUri of function Fn: Code of function Fn must be a mapping, found !If a list"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse("t.yaml", []byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := Discover(tpl, nil, "")
			if err != nil {
				t.Fatal(err)
			}
			_, err = tr.Functions()[0].SetImageEdit("fn:v1")
			got := "<nil>"
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("SetImageEdit() = %s, want %s", got, tc.want)
			}
		})
	}
}
