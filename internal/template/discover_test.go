package template

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func fullPaths(fs []Function) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.FullPath)
	}
	return out
}

func TestImageFunctions(t *testing.T) {
	tests := map[string]struct {
		file      string
		overrides map[string]string
		want      []string
		// spare are the functions SAM CLI's companion stack has a repository for, and
		// samship pushes nothing for.
		spare []string
	}{
		"sam template with globals and ref": {
			file: "testdata/sam.yaml",
			want: []string{"HelloFunction", "LocalRefFunction", "UnresolvedFunction", "BuiltFunction", "CdkFunction-x", "Worker", "MisplacedFunction"},
		},
		"an override makes a Sub an image of another account's ECR": {
			file:      "testdata/sam.yaml",
			overrides: map[string]string{"Packaging": "Zip", "LocalImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"},
			want:      []string{"HelloFunction", "UnresolvedFunction", "BuiltFunction", "CdkFunction-x", "Worker", "MisplacedFunction"},
			spare:     []string{"LocalRefFunction"},
		},
		"nested stacks": {
			file: "testdata/nested/root.yaml",
			want: []string{"RootFn", "ChildStack/ChildFn", "ChildStack/RootFn", "ChildStack/GrandChild/ImageFunction"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Load(tc.file)
			if err != nil {
				t.Fatalf("Load(%s) = %v", tc.file, err)
			}
			tr, err := Discover(tpl, tc.overrides, "us-east-1")
			if err != nil {
				t.Fatalf("Discover() = %v", err)
			}
			if diff := cmp.Diff(tc.want, fullPaths(tr.ImageFunctions())); diff != "" {
				t.Errorf("ImageFunctions() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.spare, tr.SAMRepoOnly()); diff != "" {
				t.Errorf("SAMRepoOnly() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFunctionDetails(t *testing.T) {
	tpl, err := Load("testdata/sam.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Discover(tpl, nil, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]Function{}
	for _, f := range tr.Functions() {
		byPath[f.FullPath] = f
	}
	if f := byPath["HelloFunction"]; f.ImageURI != "hellofunction:python3.12-v1" || !f.DockerContext || f.DockerTag != "python3.12-v1" || f.Where != "testdata/sam.yaml:17" {
		t.Errorf("HelloFunction = %+v", f)
	}
	// SAM CLI resolves pseudo parameters with its defaults: the Sub is an ECR URI.
	if f := byPath["RefFunction"]; f.ImageURIIntrinsic || f.ImageURI != "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1" || f.Managed() {
		t.Errorf("RefFunction = %+v, want the resolved ECR URI, unmanaged", f)
	}
	if f := byPath["LocalRefFunction"]; f.ImageURI != "localreffunction:v1" || f.Template() == nil {
		t.Errorf("LocalRefFunction = %+v, want the parameter's default and its template", f)
	}
	if f := byPath["UnresolvedFunction"]; !f.ImageURIIntrinsic {
		t.Errorf("UnresolvedFunction.ImageURIIntrinsic = false, want true for a GetAtt")
	}
	if f := byPath["MisplacedFunction"]; !f.MisplacedImageURI || f.ImageURI != "" {
		t.Errorf("MisplacedFunction = %+v, want ImageUri under Properties reported", f)
	}
	if f := byPath["PrebuiltFunction"]; !f.Image || f.Managed() {
		t.Errorf("PrebuiltFunction = %+v, want an unmanaged image function (ECR URI, no DockerContext)", f)
	}
	if f := byPath["CdkFunction-x"]; f.LogicalID != "CdkFunction" {
		t.Errorf("CdkFunction-x.LogicalID = %q", f.LogicalID)
	}
}

func TestResourceID(t *testing.T) {
	tests := map[string]struct {
		typ, meta, want string
	}{
		"no metadata":             {LambdaFunction, "", "Fn"},
		"sam resource id":         {LambdaFunction, "SamResourceId: Custom", "Custom"},
		"empty sam resource id":   {LambdaFunction, "SamResourceId: ''", "Fn"},
		"id before cdk path":      {LambdaFunction, "{SamResourceId: Custom, aws:cdk:path: S/Worker/Resource}", "Custom"},
		"cdk path with Resource":  {LambdaFunction, "aws:cdk:path: S/Worker/Resource", "Worker"},
		"cdk path of two":         {LambdaFunction, "aws:cdk:path: S/Worker", "Worker"},
		"cdk path too long":       {LambdaFunction, "aws:cdk:path: A/S/Worker/Resource", "Fn"},
		"cdk path too short":      {LambdaFunction, "aws:cdk:path: Worker", "Fn"},
		"cdk nested stack":        {"AWS::CloudFormation::Stack", "aws:cdk:path: S/Child.NestedStack/Child.NestedStackResource", "Child"},
		"cdk path, other element": {ServerlessFunction, "aws:cdk:path: S/Worker/Default", "Default"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var meta *yaml.Node
			if tc.meta != "" {
				var doc yaml.Node
				if err := yaml.Unmarshal([]byte(tc.meta), &doc); err != nil {
					t.Fatal(err)
				}
				meta = doc.Content[0]
			}
			if got := resourceID("Fn", tc.typ, meta); got != tc.want {
				t.Errorf("resourceID(%s) = %q, want %q", tc.meta, got, tc.want)
			}
		})
	}
}

func TestGlobalsRules(t *testing.T) {
	tests := map[string]struct {
		globals, want string
	}{
		"supported":        {"Function: {Timeout: 3, MemorySize: 128}", ""},
		"package type":     {"Function:\n    PackageType: Image", "t.yaml:3: 'Globals' section is invalid. 'PackageType' is not a supported property of 'Function'. Must be one of the following values - ['Handler', 'Runtime', 'CodeUri', "},
		"image uri":        {"Function:\n    ImageUri: app:v1", "t.yaml:3: 'Globals' section is invalid. 'ImageUri' is not a supported property of 'Function'."},
		"unknown section":  {"Functions: {Timeout: 3}", "t.yaml:2: 'Globals' section is invalid. 'Functions' is not supported. Must be one of the following values - ['Function', 'Api', "},
		"section a scalar": {"Function: 3", "t.yaml:2: 'Globals' section is invalid. Value of Function must be a dictionary"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse("t.yaml", []byte("Globals:\n  "+tc.globals+"\nResources:\n  A: {Type: X}\n"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = Discover(tpl, nil, "")
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Discover() = %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Errorf("Discover() = %v, want %q...", err, tc.want)
			}
		})
	}
}

func TestResolveKey(t *testing.T) {
	tpl, err := Load("testdata/nested/root.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Discover(tpl, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	sam, _ := Load("testdata/sam.yaml")
	samTree, _ := Discover(sam, nil, "")
	tests := map[string]struct {
		tree   *Tree
		key    string
		want   string
		wantOK bool
	}{
		"bare key in root":              {tr, "RootFn", "RootFn", true},
		"bare key found in child":       {tr, "ChildFn", "ChildStack/ChildFn", true},
		"scoped key":                    {tr, "ChildStack/RootFn", "ChildStack/RootFn", true},
		"two levels":                    {tr, "ChildStack/GrandChild/ImageFunction", "ChildStack/GrandChild/ImageFunction", true},
		"bare key of grandchild":        {tr, "ImageFunction", "ChildStack/GrandChild/ImageFunction", true},
		"unknown stack":                 {tr, "Invalid/ChildFn", "", false},
		"unknown function":              {tr, "Nope", "", false},
		"logical id of cdk resource":    {samTree, "CdkFunction", "CdkFunction-x", true},
		"sam resource id":               {samTree, "CdkFunction-x", "CdkFunction-x", true},
		"zip functions resolve as well": {samTree, "ZipFunction", "ZipFunction", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := tc.tree.ResolveKey(tc.key)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("ResolveKey(%q) = %q, %v, want %q, %v", tc.key, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]struct {
		in, want string
	}{
		"empty":             {"", "t.yaml:1: template is empty"},
		"not a mapping":     {"- a\n- b\n", "t.yaml:1: template must be a mapping of sections, found a list"},
		"bad yaml":          {"Resources:\n  A: [\n", "t.yaml:2: did not find expected node content"},
		"bad indentation":   {"Resources:\n  A:\n    Type: x\n   B: y\n", "t.yaml:4: did not find expected key"},
		"no resources":      {"Parameters: {}\n", "t.yaml:1: template has no Resources section"},
		"resources a list":  {"Resources:\n  - a\n", "t.yaml:2: Resources must be a mapping, found a list"},
		"resource no type":  {"Resources:\n  A:\n    Properties: {}\n", "t.yaml:3: resource A has no Type"},
		"properties scalar": {"Resources:\n  A:\n    Type: X\n    Properties: 3\n", "t.yaml:4: Properties of resource A must be a mapping, found the value \"3\""},
		"duplicate key":     {"Resources:\n  A: {Type: X}\n  A: {Type: Y}\n", "t.yaml:3: mapping key \"A\" already defined at line 2"},
		"json syntax":       {"{\n  \"Resources\": {\n    \"A\": {\"Type\": \"X\",}\n  }\n}\n", "t.yaml:3: invalid character '}' looking for beginning of object key string"},
		"json array":        {"[1]", "t.yaml:1: template must be a JSON object"},
		"json truncated":    {"{\"Resources\": {", "t.yaml:1: unexpected end of JSON input"},
		"globals not a map": {"Globals: 3\nResources: {A: {Type: X}}\n", "t.yaml:1: Globals must be a mapping, found the value \"3\""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.in))
			if err == nil || err.Error() != tc.want {
				t.Errorf("Parse(%q) error = %v, want %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestNestedErrors(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root.yaml")
	write(t, root, "Resources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: missing.yaml\n")
	tpl, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Discover(tpl, nil, "")
	if err == nil || !strings.Contains(err.Error(), "root.yaml:5: nested stack Child: read template") || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("Discover(missing child) error = %v", err)
	}
	self := filepath.Join(dir, "self.yaml")
	write(t, self, "Resources:\n  Me:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: self.yaml\n")
	tpl, _ = Load(self)
	if _, err := Discover(tpl, nil, ""); err == nil || !strings.Contains(err.Error(), "include themselves") {
		t.Errorf("Discover(self-including) error = %v", err)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load("testdata/nope.yaml")
	if err == nil || err.Error() != "read template testdata/nope.yaml: no such file or directory" {
		t.Errorf("Load(missing) = %v", err)
	}
}

func TestParameters(t *testing.T) {
	tpl, _ := Load("testdata/sam.yaml")
	want := []Parameter{{Key: "Packaging", Type: "String", Default: "Image", HasDefault: true}, {Key: "Secret", Type: "String", NoEcho: true}, {Key: "LocalImage", Type: "String", Default: "localreffunction:v1", HasDefault: true}}
	if diff := cmp.Diff(want, tpl.Parameters()); diff != "" {
		t.Errorf("Parameters() mismatch (-want +got):\n%s", diff)
	}
}
