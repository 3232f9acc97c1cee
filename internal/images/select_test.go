package images_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/samship/samship/internal/images"
	"github.com/samship/samship/internal/registry"
	"github.com/samship/samship/internal/template"
	"github.com/samship/samship/internal/testenv"
)

// functions writes a template of body beside dir's images and returns its functions.
func functions(t *testing.T, dir, body string) []template.Function {
	t.Helper()
	p := filepath.Join(dir, "t.yaml")
	if err := os.WriteFile(p, []byte("Resources:\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
	tpl, err := template.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := template.Discover(tpl, nil, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return tr.Functions()
}

// imageFn is the body of one image function Fn whose ImageUri is uri.
func imageFn(uri string) string {
	return "  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image, ImageUri: '" + uri + "'}\n"
}

// TestSelect is each kind of function Select passes over, keeps or refuses, with the words
// of each refusal (the template's file:line first).
func TestSelect(t *testing.T) {
	dir := t.TempDir()
	if err := testenv.WriteImage(filepath.Join(dir, "img"), "oci-layout", 1024, 1); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.tar"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	fake, err := testenv.StartFakeEngine(map[string]v1.Image{"fn:v1": img})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Stop)
	engine, err := registry.NewEngine(fake.Host)
	if err != nil {
		t.Fatal(err)
	}
	tp := filepath.Join(dir, "t.yaml")
	tests := map[string]struct {
		body    string
		engine  bool
		push    bool
		wantErr string
	}{
		"zip function":  {body: "  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Runtime: python3.12, Handler: a.h, CodeUri: s3://b/k.zip}\n"},
		"in ECR":        {body: imageFn("123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1")},
		"intrinsic":     {body: "  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image, ImageUri: !GetAtt Repo.RepositoryUri}\n"},
		"layout":        {body: imageFn("img"), push: true},
		"archive":       {body: imageFn("./app.tar"), push: true},
		"special file":  {body: imageFn("/dev/null"), push: true}, // Open refuses it
		"registry":      {body: imageFn("public.ecr.aws/lambda/python:3.12"), push: true},
		"engine":        {body: imageFn("fn:v1"), engine: true, push: true},
		"misplaced":     {body: "  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image, ImageUri: fn:v1, Role: r}\n", wantErr: tp + ":2: function Fn has ImageUri under Properties; an AWS::Lambda::Function takes its image as Code.ImageUri"},
		"no ImageUri":   {body: "  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {PackageType: Image}\n", wantErr: tp + ":2: function Fn has no ImageUri; build it with sam build, or set it to an image"},
		"missing path":  {body: imageFn("./x.io/fn"), engine: true, wantErr: tp + ":2: function Fn: image ./x.io/fn: no such file or directory (a value starting ./, ../ or / is a path, relative to the template)"},
		"no engine":     {body: imageFn("fn:v1"), wantErr: tp + ":2: function Fn: image fn:v1 is neither a file nor a directory next to the template, nor an image in a registry, and no Docker or Podman engine is reachable (set DOCKER_HOST)"},
		"not in engine": {body: imageFn("fn:v2"), engine: true, wantErr: tp + ":2: function Fn: the engine at " + fake.Host + " has no image fn:v2 (run sam build)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if name == "special file" && runtime.GOOS == "windows" {
				t.Skip("no /dev/null")
			}
			var e *registry.Engine
			if tc.engine {
				e = engine
			}
			got, err := images.Select(context.Background(), functions(t, dir, tc.body), e)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Select() = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Select() = %v", err)
			}
			var paths []string
			for _, f := range got {
				paths = append(paths, f.FullPath)
			}
			if want := map[bool]string{true: "Fn", false: ""}[tc.push]; strings.Join(paths, " ") != want {
				t.Errorf("Select() = %v, want %q", paths, want)
			}
		})
	}
}
