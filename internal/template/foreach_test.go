package template

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const leHead = "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n"

// imageFn is a loop body's image function; uri is its ImageUri.
func imageFn(key, uri string) string {
	return "    - " + key + ":\n        Type: AWS::Serverless::Function\n        Properties:\n          PackageType: Image\n          ImageUri: " + uri + "\n"
}

func TestForEachExpansion(t *testing.T) {
	tests := map[string]struct {
		tpl       string
		overrides map[string]string
		want      []string // "FullPath ImageURI"
	}{
		"literal list": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - Name\n    - [Alpha, Beta]\n" + imageFn("${Name}Function", "!Sub images/${Name}"),
			want: []string{"AlphaFunction images/Alpha", "BetaFunction images/Beta"},
		},
		"Ref to the identifier and a resource written as it is": {
			tpl: leHead + "Resources:\n  Plain:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image, ImageUri: images/plain}\n" +
				"  Fn::ForEach::Fns:\n    - Name\n    - [a1, b2]\n" + imageFn("Fn${Name}", "{Ref: Name}"),
			want: []string{"Plain images/plain", "Fna1 a1", "Fnb2 b2"},
		},
		"CommaDelimitedList default": {
			tpl: leHead + "Parameters:\n  Names: {Type: CommaDelimitedList, Default: 'x, y,z'}\nResources:\n  Fn::ForEach::Fns:\n    - N\n    - !Ref Names\n" +
				imageFn("${N}Fn", "!Sub img-${N}"),
			want: []string{"xFn img-x", "yFn img-y", "zFn img-z"},
		},
		"CommaDelimitedList override": {
			tpl: leHead + "Parameters:\n  Names: {Type: CommaDelimitedList, Default: 'x,y'}\nResources:\n  Fn::ForEach::Fns:\n    - N\n    - {Ref: Names}\n" +
				imageFn("${N}Fn", "!Sub img-${N}"),
			overrides: map[string]string{"Names": "q"},
			want:      []string{"qFn img-q"},
		},
		"List parameter with a list default": {
			tpl: leHead + "Parameters:\n  Names:\n    Type: List<String>\n    Default: [p, q]\nResources:\n  Fn::ForEach::Fns:\n    - N\n    - !Ref Names\n" +
				imageFn("${N}Fn", "!Sub img-${N}"),
			want: []string{"pFn img-p", "qFn img-q"},
		},
		"&{} keeps letters and digits": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - Host\n    - [10.0.0.1, my-host]\n" + imageFn("Fn&{Host}", "!Sub images/${Host}"),
			want: []string{"Fn10001 images/10.0.0.1", "Fnmyhost images/my-host"},
		},
		"nested loops": {
			tpl: leHead + "Resources:\n  Fn::ForEach::Envs:\n    - Env\n    - [Dev, Prod]\n    - Fn::ForEach::Svcs:\n        - Svc\n        - [Api, Job]\n" +
				"        - ${Env}${Svc}:\n            Type: AWS::Serverless::Function\n            Properties: {PackageType: Image, ImageUri: !Sub '${Env}/${Svc}'}\n",
			want: []string{"DevApi Dev/Api", "DevJob Dev/Job", "ProdApi Prod/Api", "ProdJob Prod/Job"},
		},
		"FindInMap into the mapping sam build writes": {
			tpl: leHead + "Mappings:\n  SAMImageUriFns:\n    a: {ImageUri: 'afn:latest'}\n    b: {ImageUri: 'bfn:latest'}\nResources:\n  Fn::ForEach::Fns:\n    - N\n    - [a, b]\n" +
				imageFn("${N}Fn", "!FindInMap [SAMImageUriFns, !Ref N, ImageUri]"),
			want: []string{"aFn afn:latest", "bFn bfn:latest"},
		},
		"empty collection": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - []\n" + imageFn("${N}Fn", "x"),
			want: nil,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse("template.yaml", []byte(tc.tpl))
			if err != nil {
				t.Fatalf("Parse() = %v", err)
			}
			tr, err := Discover(tpl, tc.overrides, "us-east-1")
			if err != nil {
				t.Fatalf("Discover() = %v", err)
			}
			var got []string
			for _, f := range tr.Functions() {
				got = append(got, f.FullPath+" "+f.ImageURI)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Discover() functions mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestForEachErrors(t *testing.T) {
	body := imageFn("${N}Fn", "x")
	tests := map[string]struct{ tpl, want string }{
		"no transform": {
			tpl:  "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - [a]\n" + body,
			want: "template.yaml:2: Fn::ForEach::Fns needs the AWS::LanguageExtensions transform",
		},
		"not a list of three": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - [a]\n",
			want: "template.yaml:3: Fn::ForEach::Fns must be a list of three: [identifier, collection, {output key: resource}], found a list",
		},
		"a mapping instead of a list": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns: {N: [a]}\n",
			want: "template.yaml:3: Fn::ForEach::Fns must be a list of three",
		},
		"collection a string": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - a,b\n" + body,
			want: `template.yaml:5: the collection of Fn::ForEach::Fns must be a list or a Ref to a CommaDelimitedList or List parameter, found the value "a,b"`,
		},
		"collection a String parameter": {
			tpl:  leHead + "Parameters:\n  P: {Type: String, Default: a}\nResources:\n  Fn::ForEach::Fns:\n    - N\n    - !Ref P\n" + body,
			want: "template.yaml:7: the collection of Fn::ForEach::Fns refers to parameter P of type String; it must be a CommaDelimitedList or List parameter",
		},
		"collection an unknown parameter": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - !Ref Nope\n" + body,
			want: "template.yaml:5: the collection of Fn::ForEach::Fns refers to Nope, which is not a parameter of the template",
		},
		"collection parameter without a value": {
			tpl:  leHead + "Parameters:\n  P: {Type: CommaDelimitedList}\nResources:\n  Fn::ForEach::Fns:\n    - N\n    - !Ref P\n" + body,
			want: "template.yaml:7: the collection of Fn::ForEach::Fns is parameter P, which has no default: give it with --parameter-overrides",
		},
		"collection an intrinsic": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - !Split [',', a]\n" + body,
			want: "template.yaml:5: the collection of Fn::ForEach::Fns is !Split",
		},
		"unknown identifier in the output key": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - [a]\n" + imageFn("${Name}Fn", "x"),
			want: "template.yaml:6: output key ${Name}Fn of Fn::ForEach::Fns uses ${Name}, which no enclosing Fn::ForEach defines",
		},
		"logical id not alphanumeric": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - [a-b]\n" + body,
			want: `template.yaml:6: output key ${N}Fn of Fn::ForEach::Fns makes the logical id "a-bFn", which is not alphanumeric (&{N} keeps only letters and digits)`,
		},
		"identifier not a string": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - [N]\n    - [a]\n" + body,
			want: "template.yaml:4: the identifier of Fn::ForEach::Fns must be an alphanumeric string, found a list",
		},
		"identifier a parameter's name": {
			tpl:  leHead + "Parameters:\n  N: {Type: String}\nResources:\n  Fn::ForEach::Fns:\n    - N\n    - [a]\n" + body,
			want: "template.yaml:6: the identifier N of Fn::ForEach::Fns is also a parameter's name",
		},
		"body not a mapping": {
			tpl:  leHead + "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - [a]\n    - [x]\n",
			want: "template.yaml:6: the third element of Fn::ForEach::Fns must be a mapping of output keys to resources, found a list",
		},
		"generated id clashes": {
			tpl:  leHead + "Resources:\n  aFn:\n    Type: AWS::SNS::Topic\n  Fn::ForEach::Fns:\n    - N\n    - [a]\n" + body,
			want: "template.yaml:8: resource aFn is defined twice (also at line 3)",
		},
		"nested identifier reused": {
			tpl: leHead + "Resources:\n  Fn::ForEach::A:\n    - N\n    - [a]\n    - Fn::ForEach::B:\n        - N\n        - [b]\n" +
				"        - ${N}X: {Type: AWS::SNS::Topic}\n",
			want: "template.yaml:7: the identifier N of Fn::ForEach::B is already the identifier of the enclosing Fn::ForEach::A",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse("template.yaml", []byte(tc.tpl))
			if err == nil {
				_, err = Discover(tpl, nil, "us-east-1")
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Discover() = %v, want an error starting %q", err, tc.want)
			}
		})
	}
}

func TestForEachRewrite(t *testing.T) {
	tests := map[string]struct {
		tpl  string
		want string
	}{
		"images differ: a SAM mapping, the loop kept": {
			tpl: leHead + "Resources:\n  Fn::ForEach::Fns:\n    - N\n    - [a, b]\n" + imageFn("${N}Fn", "images/app") +
				"  Fn::ForEach::Zips:\n    - Z\n    - [c, d]\n    - ${Z}Zip:\n        Type: AWS::Serverless::Function\n        Properties:\n          CodeUri: src\n",
			want: leHead + "Mappings:\n  SAMImageUriFns: {\"a\": {\"ImageUri\": \"repo/a:1\"}, \"b\": {\"ImageUri\": \"repo/b:1\"}}\n" +
				"Resources:\n  Fn::ForEach::Fns:\n    - N\n    - [a, b]\n" + imageFn("${N}Fn", `{"Fn::FindInMap": ["SAMImageUriFns", {"Ref": "N"}, "ImageUri"]}`) +
				"  Fn::ForEach::Zips:\n    - Z\n    - [c, d]\n    - ${Z}Zip:\n        Type: AWS::Serverless::Function\n        Properties:\n          CodeUri: \"s3://bkt/src.zip\"\n",
		},
		"CodeUri naming the identifier, nested, next to a mapping already there": {
			tpl: "Transform: AWS::LanguageExtensions\nMappings:\n  SAMImageUriFns:\n    x: {ImageUri: old}\n" +
				"Resources:\n  Fn::ForEach::Envs:\n    - E\n    - [p]\n    - Fn::ForEach::Zips:\n        - Z\n        - [c, d]\n        - ${E}${Z}:\n            Type: AWS::Serverless::Function\n            Properties: {CodeUri: !Sub 'src/${Z}'}\n",
			want: "Transform: AWS::LanguageExtensions\nMappings:\n  SAMCodeUriEnvsZips: {\"p-c\": {\"CodeUri\": \"s3://bkt/src/c.zip\"}, \"p-d\": {\"CodeUri\": \"s3://bkt/src/d.zip\"}}\n  SAMImageUriFns:\n    x: {ImageUri: old}\n" +
				"Resources:\n  Fn::ForEach::Envs:\n    - E\n    - [p]\n    - Fn::ForEach::Zips:\n        - Z\n        - [c, d]\n        - ${E}${Z}:\n            Type: AWS::Serverless::Function\n" +
				"            Properties: {CodeUri: {\"Fn::FindInMap\": [\"SAMCodeUriEnvsZips\", {\"Fn::Join\": [\"-\", [{\"Ref\": \"E\"}, {\"Ref\": \"Z\"}]]}, \"CodeUri\"]}}\n",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tpl, err := Parse("template.yaml", []byte(tc.tpl))
			if err != nil {
				t.Fatal(err)
			}
			tr, err := Discover(tpl, nil, "us-east-1")
			if err != nil {
				t.Fatalf("Discover() = %v", err)
			}
			var edits []Edit
			for _, f := range tr.Functions() {
				if f.Image {
					e, err := f.ImageEdit("repo/" + f.LogicalID[:1] + ":1")
					if err != nil {
						t.Fatal(err)
					}
					edits = append(edits, e)
				}
			}
			for _, a := range tpl.LocalArtifacts() {
				edits = append(edits, a.Edit("bkt", a.Path+".zip"))
			}
			got, err := tpl.Apply(edits)
			if err != nil {
				t.Fatalf("Apply() = %v", err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("Apply() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
